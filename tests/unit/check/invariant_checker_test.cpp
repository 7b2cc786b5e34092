// The invariant checker must notice a broken run. Each test tells it a run by hand, hook by hook
// as the engine would (the engine itself refuses these decisions, so only a fake run can show
// them), or changes the engine's totals before the end-of-run checks, and pins the messages it
// records. Clean engine runs are checked by every test that runs through
// tests/support/test_fleet.hpp and by the conformance suites; the failure cases here also run
// the engine, so that the checker's own account of failed GPUs is shown on hand-computed numbers.
#include "sim/check/invariant_checker.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// The engine's job table, for a run told by hand (reserved: the tests keep references).
struct Table {
  std::vector<Job> jobs;
  Table() { jobs.reserve(16); }
  Job& arrive(InvariantChecker& checker, JobSpec spec) {
    const SimTime now = spec.submit;
    Job& job = jobs.emplace_back(std::move(spec));
    checker.on_arrival(job, now);
    return job;
  }
};

// What apply_start sets for a gang on `gpus`, all at site 0 in one rack of H100s (rate 1).
void start(Job& job, Allocation gpus, SimTime now) {
  job.state = JobState::Running;
  if (job.first_start == kTimeNever) job.first_start = now;
  job.span = {static_cast<std::uint32_t>(gpus.slices.size()), 1, 1, 1};
  job.allocation = std::move(gpus);
  job.gang = job.allocation.gpu_count();
  job.gpu_type = GpuTypeId{0};
  job.site = SiteId{0};
  job.segment_start = job.progress_start = now;
}

// What on_finish sets, then the hook.
void finish(InvariantChecker& checker, Job& job, SimTime now) {
  job.state = JobState::Done;
  job.end = now;
  job.remaining = 0;
  job.allocation = {};
  checker.on_finish(job, now);
}

TEST(InvariantChecker, FlagsAGpuHeldByTwoJobs) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 0, 4, 10));
  Job& b = t.arrive(checker, test::job("b", 0, 4, 10));
  start(a, Allocation{{{NodeId{0}, 0x0F}}}, 0);
  start(b, Allocation{{{NodeId{0}, 0x18}}}, 0);
  checker.on_start(a, 0);
  checker.on_start(b, 0);
  const std::vector<std::string> lines = checker.violations().lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "t=0 job b: allocation size = gang size");  // 2 GPUs, not 4
  EXPECT_EQ(lines[1], "t=0 job b: GPU 3 allocated twice: still held by a");
}

TEST(InvariantChecker, FlagsAFinishBeforeTheWorkIsDone) {
  // 100 s of work at rate 1 from t=0 cannot be done at t=99.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 0, 8, 100));
  start(a, Allocation{{{NodeId{0}, 0xFF}}}, 0);
  checker.on_start(a, 0);
  ASSERT_EQ(checker.violations().count(), 0u);
  finish(checker, a, from_seconds(99));
  ASSERT_EQ(checker.violations().count(), 1u);
  EXPECT_EQ(checker.violations().lines()[0],
            "t=99000000 job a: finished early: 99000000 us at rate 1 for 100000000 us of work");
}

TEST(InvariantChecker, FlagsASiteOverItsCapForAsLongAsItLasts) {
  // 8 H100s draw 8 x 72 W idle = 576 W; busy, 8 x 700 W = 5,600 W, over a 4 kW cap.
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.site_energy = {{StepProfile::constant(0.004), 1.0, {}, {}}};
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 0, 8, 100));
  start(a, Allocation{{{NodeId{0}, 0xFF}}}, 0);
  checker.on_start(a, 0);
  finish(checker, a, from_seconds(100));
  ASSERT_EQ(checker.violations().count(), 1u);
  EXPECT_EQ(checker.violations().lines()[0],
            "t=0 site site0: draws 0.005600 MW, over its 0.004000 MW cap, until t=100000000");
}

// Three sites of one 8-GPU node each, in a chain: site0 -10 ms- site1 -10 ms- site2.
Fleet three_sites(CrossSiteGangs cross) {
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}, {2, 1, 1, 8, "H100"}});
  fleet.wan = WanGraph(3, {{SiteId{0}, SiteId{1}, 10, 100}, {SiteId{1}, SiteId{2}, 10, 100}});
  fleet.cross_site = cross;
  return fleet;
}

// A 12-GPU gang on 4 GPUs of each site's node, started at t=0 with the given rate.
std::vector<std::string> start_across_three_sites(const Fleet& fleet, double rate) {
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  Job& g = t.arrive(checker, test::job("g", 0, 12, 3000));
  start(g, Allocation{{{NodeId{0}, 0x0F}, {NodeId{1}, 0x0F}, {NodeId{2}, 0x0F}}}, 0);
  g.span = {3, 3, 3, 3};
  g.rate = rate;
  checker.on_start(g, 0);
  // 3,000 s of work at the right rate, 1/2 (below), ends at 6,000 s.
  finish(checker, g, from_seconds(6000));
  return checker.violations().lines();
}

TEST(InvariantChecker, FlagsAGangAcrossSitesUnlessAllowedWithinTheRttAndAtItsSlowerRate) {
  // The largest RTT between its sites is 20 ms (site0 to site2); at a half-speed RTT of 20 ms
  // the gang runs at 1 / (1 + 20 / 20) = 1/2.
  EXPECT_EQ(start_across_three_sites(three_sites({true, 25, 20}), 0.5), std::vector<std::string>{});
  const auto spans = [](const char* pair) {
    return fmt::format("t=0 job g: spans sites {}: one site unless cross-site gangs are allowed",
                       pair);
  };
  EXPECT_EQ(start_across_three_sites(three_sites({false, 0, 0}), 1),
            (std::vector<std::string>{
                spans("site0 and site1"), spans("site0 and site2"), spans("site1 and site2"),
                "t=6000000000 job g: finished late: 6000000000 us at rate 1 for 3000000000 us of "
                "work"}));
  // site0-site2 is over a 15 ms limit; the pairs within it still slow the gang (10 ms: 1/1.5).
  EXPECT_EQ(start_across_three_sites(three_sites({true, 15, 20}), 1 / 1.5),
            (std::vector<std::string>{
                "t=0 job g: spans sites site0 and site2, more than the 15 ms RTT a cross-site "
                "gang may span",
                "t=6000000000 job g: finished late: 6000000000 us at rate 0.6666666666666666 for "
                "3000000000 us of work"}));
  EXPECT_EQ(start_across_three_sites(three_sites({true, 25, 20}), 1 / 1.5),
            (std::vector<std::string>{
                "t=0 job g: rate 0.6666666666666666 = type speed x span slowdowns (/ cross-site "
                "RTT factor) = 0.5"}));
}

TEST(InvariantChecker, FlagsANonPreemptibleJobStoppedWithoutACapDrop) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  JobSpec spec = test::job("a", 0, 8, 100);
  spec.preemptible = false;
  Job& a = t.arrive(checker, spec);
  start(a, Allocation{{{NodeId{0}, 0xFF}}}, 0);
  checker.on_start(a, 0);
  a.remaining = from_seconds(90);  // 10 s done at rate 1
  a.preemptions = 1;
  checker.on_preempt(a, from_seconds(10));
  EXPECT_EQ(checker.violations().lines(),
            std::vector<std::string>{"t=10000000 job a: preempted only if preemptible, or shed "
                                     "when its site's cap drops"});
}

TEST(InvariantChecker, FlagsAStartOnARackInMaintenance) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.capacity_windows = {
      {CapacityWindow::Cause::Maintenance, from_seconds(100), from_seconds(1000), RackId{0}, 1}};
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 500, 8, 100));
  start(a, Allocation{{{NodeId{0}, 0xFF}}}, from_seconds(500));
  checker.on_start(a, from_seconds(500));
  EXPECT_EQ(checker.violations().lines(),
            std::vector<std::string>{"t=500000000 job a: started on rack 0, which is offline"});
}

TEST(InvariantChecker, FlagsASampleThatMiscounts) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Table t;
  InvariantChecker checker(fleet, EngineConfig{}, t.jobs);
  t.arrive(checker, test::job("a", 0, 8, 100));
  SampleState s;
  s.time = from_seconds(60);
  s.total_gpus = 8;
  s.queued_jobs = 0;                                            // a is queued
  s.sites = {{8, 0, to_mw(576'000), to_mw(576'000), 0, 0, 0}};  // 8 idle H100s
  checker.on_sample(s);
  EXPECT_EQ(checker.violations().lines(),
            std::vector<std::string>{
                "t=60000000: sample allocated=0 running=0 queued=0 finished=0; checker 0 0 1 0"});
}

// Adds a scripted failure (its own process, named "scripted", after the ones already there).
void script(FailureConfig& f, double at_s, FailureLevel level, std::uint64_t index,
            double repair_s) {
  // Field by field: a braced temporary makes g++ 12 -O3 warn (-Wmaybe-uninitialized, a false
  // positive) about its strings.
  ScriptedFailure& s = f.scripted.emplace_back();
  s.at = from_seconds(at_s);
  s.level = level;
  s.index = index;
  s.repair = from_seconds(repair_s);
}

// What the checker made of an engine run with failures.
struct FailureCheck {
  std::vector<Job> jobs;
  RunTotals totals;  // as the engine returned them, before `tamper`
  std::vector<std::string> violations;
  double down_gpu_seconds = 0;  // the checker's own integral
  std::uint64_t events = 0;
};

// Runs `jobs` (fifo_backfill, first_fit, no samples, no checkpoints) under `failures`, watched by
// an InvariantChecker; `tamper` may change the totals the checker's end-of-run checks are given.
FailureCheck check_failures(const Fleet& fleet, std::vector<JobSpec> jobs, FailureConfig failures,
                            const std::function<void(RunTotals&)>& tamper = {}) {
  const PolicyInfo* info = find_policy("fifo_backfill");
  std::unique_ptr<Policy> policy = info->make(make_params(*info, {}));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs));
  const EngineConfig config = test::no_samples();
  Engine engine(fleet, source, *policy, *placement, config);
  FailureModel model(std::move(failures), fleet.topology, RngStreams(1));
  engine.set_failure_model(model);
  InvariantChecker checker(fleet, config, engine.jobs());
  engine.add_observer(checker);
  FailureCheck out;
  out.totals = engine.run();
  RunTotals told = out.totals;
  if (tamper) tamper(told);
  checker.finish(told);
  out.violations = checker.violations().lines();
  out.down_gpu_seconds = checker.down_gpu_seconds();
  out.events = checker.events();
  out.jobs = engine.jobs();
  return out;
}

// Two 8-GPU jobs of 100 s on one rack of two 8-GPU nodes (GPUs 0-7, 8-15): A on node 0, B on
// node 1. Node 0 fails at 30 s for 40 s; GPU 3 (on node 0) fails at 50 s for 100 s.
FailureCheck overlapping_failures(const std::function<void(RunTotals&)>& tamper = {}) {
  FailureConfig f;
  script(f, 30, FailureLevel::Node, 0, 40);
  script(f, 50, FailureLevel::Gpu, 3, 100);
  return check_failures(test::single_cluster_fleet(1, 2, 8),
                        {test::job("A", 0, 8, 100), test::job("B", 0, 8, 100)}, f, tamper);
}

TEST(InvariantChecker, FollowsOverlappingFailuresAndIntegratesTheGpusTheyHoldDown) {
  // A is interrupted at 30 (no checkpoints: all 30 s lost). At 70 node 0 is back but for GPU 3,
  // 7 GPUs: too few. B ends at 100 and A runs again from 100 to 200. Down GPUs: 30-50 node 0's
  // 8; 50-70 still 8 (GPU 3 counts once); 70-150 GPU 3 alone: 8 x 20 + 8 x 20 + 1 x 80 = 400.
  const FailureCheck run = overlapping_failures();
  EXPECT_EQ(run.violations, std::vector<std::string>{});
  EXPECT_DOUBLE_EQ(run.down_gpu_seconds, 400);
  EXPECT_DOUBLE_EQ(run.totals.failures.down_gpu_seconds, 400);
  EXPECT_EQ(run.totals.failures.failures_by_process, (std::vector<std::uint64_t>{1, 1}));
  EXPECT_EQ(run.totals.failures.interruptions_by_process, (std::vector<std::uint64_t>{1, 0}));
  EXPECT_DOUBLE_EQ(test::seconds(run.jobs[0].end), 200);
  // 2 arrivals, 3 starts (A twice), 1 interruption, 2 finishes, 2 failures and 2 repairs.
  EXPECT_EQ(run.events, 12u);
}

TEST(InvariantChecker, FlagsDownGpuSecondsOrFailureCountsThatAreNotItsOwn) {
  // An engine that brought GPU 3 back with its node would count 8 x 40 = 320 down GPU-seconds.
  EXPECT_EQ(
      overlapping_failures([](RunTotals& t) { t.failures.down_gpu_seconds = 320; }).violations,
      std::vector<std::string>{"t=200000000: down GPU-seconds 320; the integral of the GPUs "
                               "failures held down is 400"});
  // One that put A's interruption down to the GPU failure, and counted that failure as offline.
  EXPECT_EQ(overlapping_failures([](RunTotals& t) {
              t.failures.interruptions_by_process = {0, 1};
              t.failures.failures_by_process = {1, 0};
              t.failures.failures_while_offline = 1;
            }).violations,
            (std::vector<std::string>{
                "t=200000000: interruptions by failure process [0, 1] and by maintenance 0; the "
                "checker counts [1] and 0",
                "t=200000000: failures that took effect by process [1, 0], 1 while offline; the "
                "checker counts [1, 1], 0"}));
}

TEST(InvariantChecker, AFailureBeforeOrAtTheBuildOfItsRackTakesNoEffect) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.capacity_windows = {{CapacityWindow::Cause::BuildOut, 0, from_seconds(1000), RackId{0}, 1}};
  // The rack fails at 500 and again at 1,000, the instant it is built (the engine handles that
  // failure first: it was scheduled first), each "for" 4,000 s: neither takes effect, nothing
  // is ever down. A, arriving at 0, runs from 1,000 to 1,100.
  FailureConfig f;
  script(f, 500, FailureLevel::Rack, 0, 4000);
  script(f, 1000, FailureLevel::Rack, 0, 4000);
  const FailureCheck run = check_failures(fleet, {test::job("A", 0, 8, 100)}, f);
  EXPECT_EQ(run.violations, std::vector<std::string>{});
  EXPECT_EQ(run.totals.failures.failures_while_offline, 2u);
  EXPECT_DOUBLE_EQ(run.down_gpu_seconds, 0);
  EXPECT_DOUBLE_EQ(test::seconds(run.jobs[0].end), 1100);
}

// One 8-GPU node and a failure model of two scripted failures (processes 0 and 1): GPU 3 and
// rack 0. Their times do not matter here: the tests tell the checker the failures themselves.
struct HandFailures {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  FailureModel model{[] {
                       FailureConfig f;
                       script(f, 0, FailureLevel::Gpu, 3, 50);
                       script(f, 0, FailureLevel::Rack, 0, 50);
                       return f;
                     }(),
                     fleet.topology, RngStreams(1)};
};

TEST(InvariantChecker, FlagsAStartOnAGpuAFailureHoldsDown) {
  HandFailures h;
  Table t;
  InvariantChecker checker(h.fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 0, 4, 10));
  checker.on_failure(h.model, 0, 3, true, 0);
  start(a, Allocation{{{NodeId{0}, 0x0F}}}, 0);
  checker.on_start(a, 0);
  EXPECT_EQ(checker.violations().lines(),
            std::vector<std::string>{"t=0 job a: started on GPU 3, which a failure holds down"});
}

TEST(InvariantChecker, FlagsAJobLeftRunningOnAGpuThatWentDown) {
  HandFailures h;
  Table t;
  InvariantChecker checker(h.fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 0, 8, 100));
  start(a, Allocation{{{NodeId{0}, 0xFF}}}, 0);
  checker.on_start(a, 0);
  checker.on_failure(h.model, 0, 3, true, from_seconds(50));  // no interruption follows
  ASSERT_EQ(checker.violations().count(), 0u);                // it may still come at this instant
  finish(checker, a, from_seconds(100));
  EXPECT_EQ(checker.violations().lines(),
            std::vector<std::string>{"t=50000000 job a: held GPU 3 when a failure (process 0) "
                                     "took it down, and was not interrupted"});
}

TEST(InvariantChecker, FlagsAnInterruptionWithNoFailureOrMaintenanceBehindIt) {
  HandFailures h;
  Table t;
  InvariantChecker checker(h.fleet, EngineConfig{}, t.jobs);
  Job& a = t.arrive(checker, test::job("a", 0, 8, 100));
  start(a, Allocation{{{NodeId{0}, 0xFF}}}, 0);
  checker.on_start(a, 0);
  // What interrupt() sets: no checkpoints, so all 100 s of work are left; back in the queue.
  a.state = JobState::Queued;
  a.interruptions = 1;
  a.allocation = {};
  checker.on_interrupt(a, from_seconds(50));
  EXPECT_EQ(checker.violations().lines(),
            std::vector<std::string>{"t=50000000 job a: interrupted, but no failure took its GPUs "
                                     "and none of its racks is offline"});
}

TEST(InvariantChecker, FlagsAFailureThatTookEffectOnlyWhereHardwareWasOffline) {
  HandFailures h;
  h.fleet.capacity_windows = {
      {CapacityWindow::Cause::BuildOut, 0, from_seconds(1000), RackId{0}, 1}};
  Table t;
  InvariantChecker checker(h.fleet, EngineConfig{}, t.jobs);
  checker.on_failure(h.model, 1, 0, true, from_seconds(500));  // the rack is not built yet
  checker.on_repair(h.model, 1, 0, from_seconds(600));
  checker.on_failure(h.model, 0, 3, false, from_seconds(1500));  // its GPU 3, once built
  checker.on_repair(h.model, 1, 0, from_seconds(1600));          // never failed since
  EXPECT_EQ(checker.violations().lines(),
            (std::vector<std::string>{
                "t=500000000: failure of rack 0 (process 1, scripted): took effect with every "
                "rack of it offline",
                "t=1500000000: failure of gpu 3 (process 0, scripted): took no effect with a rack "
                "of it online",
                "t=1600000000: repair of rack 0 (process 1, scripted), which is not down"}));
}

TEST(ViolationLog, KeepsTheFirstViolationsAndCountsThemAll) {
  ViolationLog log(2);
  for (int i = 0; i < 5; ++i) log.add(i, i % 2 == 0 ? "job j" : "", "broken");
  EXPECT_EQ(log.count(), 5u);
  EXPECT_EQ(log.lines(), (std::vector<std::string>{"t=0 job j: broken", "t=1: broken"}));
}

}  // namespace
}  // namespace fleetsim
