// The invariant checker must notice a broken run. Each test tells it a run by hand, hook by hook
// as the engine would (the engine itself refuses these decisions, so only a fake run can show
// them), and pins the messages it records. Clean engine runs are checked by every test that runs
// through tests/support/test_fleet.hpp and by the conformance suites.
#include "sim/check/invariant_checker.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

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

TEST(ViolationLog, KeepsTheFirstViolationsAndCountsThemAll) {
  ViolationLog log(2);
  for (int i = 0; i < 5; ++i) log.add(i, i % 2 == 0 ? "job j" : "", "broken");
  EXPECT_EQ(log.count(), 5u);
  EXPECT_EQ(log.lines(), (std::vector<std::string>{"t=0 job j: broken", "t=1: broken"}));
}

}  // namespace
}  // namespace fleetsim
