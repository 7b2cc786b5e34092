// Engine: hand-computed runs (start and end times, overheads, GPU speed, span slowdowns), the
// same-instant event order, the checks on policy decisions with their whole error messages,
// impossible jobs, and the horizon. Preemption and bad decisions come from test-local policies
// (never registered: registered policies are all run by the conformance suite).
#include "sim/core/engine.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/scripted.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::Scripted;
using test::job;
using test::seconds;

// Records what observers see, one line per hook: "t=100 finish A".
class Recorder final : public RunObserver {
 public:
  void on_arrival(const Job& j, SimTime now) override { add(now, "arrive", j); }
  void on_start(const Job& j, SimTime now) override { add(now, "start", j); }
  void on_preempt(const Job& j, SimTime now) override { add(now, "preempt", j); }
  void on_finish(const Job& j, SimTime now) override { add(now, "finish", j); }
  void on_sample(const SampleState& s) override {
    log.push_back(fmt::format("t={} sample allocated={} queued={} running={} finished={}",
                              seconds(s.time), s.allocated_gpus, s.queued_jobs, s.running_jobs,
                              s.finished_jobs));
  }
  std::vector<std::string> log;

 private:
  void add(SimTime now, const char* what, const Job& j) {
    log.push_back(fmt::format("t={} {} {}", seconds(now), what, j.spec.name));
  }
};

// Starts queued jobs in queue order on the placement until one does not fit (like fifo).
void start_in_order(const SchedulerView& view, FreeCapacity& free, Decisions& d) {
  for (JobId id : view.queued_jobs()) {
    std::optional<Allocation> gpus = free.take(view.job(id).spec);
    if (!gpus) break;
    d.start(id, std::move(*gpus));
  }
}

// Starts jobs in order, and at `at` preempts the running job named `victim`. Without a preempt
// overhead its GPUs are free for the jobs started in that same pass.
class PreemptOnce final : public Policy {
 public:
  PreemptOnce(SimTime at, std::string victim) : at_(at), victim_(std::move(victim)) {}
  Decisions decide(const SchedulerView& view) override {
    Decisions d;
    FreeCapacity free = view.free_capacity();
    if (view.now() < at_ && !wake_requested_) {
      d.wake_at(at_);
      wake_requested_ = true;
    }
    if (view.now() == at_) {
      for (JobId id : view.running_jobs()) {
        const Job& j = view.job(id);
        if (j.spec.name != victim_) continue;
        d.preempt(id);
        if (view.preempt_overhead() == 0) free.release(j);
      }
    }
    start_in_order(view, free, d);
    return d;
  }

 private:
  SimTime at_;
  std::string victim_;
  bool wake_requested_ = false;
};

struct EngineRun {
  std::vector<Job> jobs;
  RunTotals totals;
  const Job& operator[](const std::string& name) const {
    for (const Job& j : jobs) {
      if (j.spec.name == name) return j;
    }
    ADD_FAILURE() << "no job named " << name;
    static const Job missing;
    return missing;
  }
};

// Runs `jobs` with first_fit placement and no samples unless `config` asks for them.
EngineRun run_engine(const Fleet& fleet, std::vector<JobSpec> jobs, Policy& policy,
                     EngineConfig config = {}, RunObserver* observer = nullptr,
                     const std::string& origin_file = "<memory>") {
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs), origin_file);
  if (config.policy_name.empty()) config.policy_name = "scripted";
  Engine engine(fleet, source, policy, *placement, config);
  if (observer != nullptr) engine.add_observer(*observer);
  EngineRun out;
  out.totals = engine.run();
  out.jobs = engine.jobs();
  return out;
}

EngineConfig no_samples() {
  EngineConfig config;
  config.sample_interval = 0;
  return config;
}

// Σ gpus x run time, in GPU-seconds.
double gpu_seconds(const std::vector<Job>& jobs) {
  double sum = 0;
  for (const Job& j : jobs) sum += j.spec.gpus * to_seconds(j.run_time);
  return sum;
}

std::unique_ptr<Policy> registered(const std::string& name) {
  const PolicyInfo* info = find_policy(name);
  if (info == nullptr) {
    ADD_FAILURE() << "policy " << name << " is not registered";
    return std::make_unique<Scripted>([](const SchedulerView&, Decisions&) {});
  }
  return info->make(make_params(*info, {}));
}

// The PolicyError message of a run, or "" if it did not throw one.
std::string policy_error_of(const Fleet& fleet, std::vector<JobSpec> jobs, Scripted::Script s,
                            EngineConfig config = no_samples()) {
  Scripted policy(std::move(s));
  config.policy_name = "bad";
  try {
    run_engine(fleet, std::move(jobs), policy, config);
  } catch (const PolicyError& e) {
    return e.what();
  }
  return "";
}

TEST(Engine, TwoJobsOnEightGpusFinishAtHandComputedTimes) {
  // 1 node x 8. A: t=0, 6 GPUs, 100 s -> runs 0..100. B: t=10, 4 GPUs, 50 s: 2 free < 4, so it
  // waits for A: runs 100..150. Allocated: 6 x 100 + 4 x 50 = 800 GPU-s.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  const test::RunOutput out = test::run(fleet, {job("A", 0, 6, 100), job("B", 10, 4, 50)}, "fifo",
                                        {}, "first_fit", no_samples());
  ASSERT_EQ(out.jobs.size(), 2u);
  EXPECT_EQ(seconds(out["A"].first_start), 0);
  EXPECT_EQ(seconds(out["A"].end), 100);
  EXPECT_EQ(seconds(out["B"].first_start), 100);
  EXPECT_EQ(seconds(out["B"].end), 150);
  EXPECT_EQ(out["B"].state, JobState::Done);
  EXPECT_EQ(seconds(out["B"].run_time), 50);
  EXPECT_EQ(out["A"].allocation.slices.size(), 0u);  // GPUs given back
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 800.0);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, gpu_seconds(out.jobs));
  EXPECT_EQ(seconds(out.totals.end_time), 150);
  EXPECT_EQ(out.totals.total_gpus, 8u);
}

TEST(Engine, CompletionAtAnInstantFreesGpusBeforeThatInstantsArrivalIsScheduled) {
  // A: t=0, 8 GPUs, 100 s. B: t=100, 8 GPUs, 10 s. B's arrival event is queued (when A
  // arrives) before A's finish event (when A starts), yet at t=100 A finishes first, B arrives,
  // and one pass starts B at once: 100..110. Passes: t=0, t=100 (both changes), t=110.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  const auto fifo = registered("fifo");
  Recorder rec;
  const EngineRun out =
      run_engine(fleet, {job("A", 0, 8, 100), job("B", 100, 8, 10)}, *fifo, no_samples(), &rec);
  EXPECT_EQ(rec.log,
            (std::vector<std::string>{"t=0 arrive A", "t=0 start A", "t=100 finish A",
                                      "t=100 arrive B", "t=100 start B", "t=110 finish B"}));
  EXPECT_EQ(seconds(out["B"].end), 110);
  EXPECT_EQ(out.totals.scheduling_passes, 3u);
}

TEST(Engine, SamplesSeeTheStateAfterThatInstantsScheduling) {
  // A: t=0, 8 GPUs, 100 s; samples every 50 s. The sample at t=0 comes after the pass that
  // started A; the one at t=100 after A finished. Nothing is left then, so sampling stops.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  const auto fifo = registered("fifo");
  EngineConfig config;
  config.sample_interval = from_seconds(50);
  Recorder rec;
  const EngineRun out = run_engine(fleet, {job("A", 0, 8, 100)}, *fifo, config, &rec);
  EXPECT_EQ(rec.log, (std::vector<std::string>{
                         "t=0 arrive A", "t=0 start A",
                         "t=0 sample allocated=8 queued=0 running=1 finished=0",
                         "t=50 sample allocated=8 queued=0 running=1 finished=0", "t=100 finish A",
                         "t=100 sample allocated=0 queued=0 running=0 finished=1"}));
  EXPECT_EQ(seconds(out.totals.end_time), 100);
}

TEST(Engine, SlowerGpuTypeDoublesRunTime) {
  // The test catalog's A100 runs every job class at 0.5 x the H100 reference: 100 s -> 200 s.
  // Allocated: 8 x 200 = 1600 GPU-s.
  const Fleet fleet = test::fleet_of({{0, 1, 1, 8, "A100"}});
  const test::RunOutput out =
      test::run(fleet, {job("A", 0, 8, 100)}, "fifo", {}, "first_fit", no_samples());
  EXPECT_EQ(seconds(out["A"].end), 200);
  EXPECT_EQ(seconds(out["A"].run_time), 200);
  EXPECT_EQ(out["A"].gpu_type, *fleet.catalog.find("A100"));
  EXPECT_DOUBLE_EQ(out["A"].rate, 0.5);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 1600.0);
}

TEST(Engine, CrossRackSpanRunsAtTheFleetsCrossRackSpeed) {
  // 2 racks x 1 node x 4, cross_rack = 0.8. An 8-GPU gang spans both racks: 100 s / 0.8 = 125 s.
  // A 4-GPU gang afterwards fits one rack: full speed, 125..225.
  Fleet fleet = test::single_cluster_fleet(2, 1, 4);
  fleet.span_speed.cross_rack = 0.8;
  const test::RunOutput out = test::run(fleet, {job("wide", 0, 8, 100), job("narrow", 1, 4, 100)},
                                        "fifo", {}, "first_fit", no_samples());
  EXPECT_EQ(seconds(out["wide"].end), 125);
  EXPECT_DOUBLE_EQ(out["wide"].rate, 0.8);
  EXPECT_EQ(out["wide"].span.nodes, 2u);
  EXPECT_EQ(out["wide"].span.racks, 2u);
  EXPECT_EQ(out["wide"].span.clusters, 1u);
  EXPECT_EQ(seconds(out["narrow"].end), 225);
  EXPECT_EQ(out["narrow"].span.racks, 1u);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 8 * 125.0 + 4 * 100.0);
}

TEST(Engine, CrossClusterSpanMultipliesBothSlowdowns) {
  // Two clusters of one 4-GPU node in one site; cross_rack 0.8 x cross_cluster 0.5 = 0.4:
  // 100 s / 0.4 = 250 s.
  Fleet fleet = test::fleet_of({{0, 1, 1, 4, "H100"}, {0, 1, 1, 4, "H100"}});
  fleet.span_speed = {0.8, 0.5};
  const test::RunOutput out =
      test::run(fleet, {job("wide", 0, 8, 100)}, "fifo", {}, "first_fit", no_samples());
  EXPECT_EQ(seconds(out["wide"].end), 250);
  EXPECT_EQ(out["wide"].span.clusters, 2u);
  EXPECT_EQ(out["wide"].span.sites, 1u);
}

TEST(Engine, PreemptionWithOverheadsFinishesAtHandComputedTimes) {
  // 1 node x 8; preempt overhead 5 s, resume overhead 7 s. X: t=0, 8 GPUs, 100 s. Y: t=10,
  // 8 GPUs, 50 s. X is preempted at t=30 with 70 s left; it holds its GPUs until 35, then is
  // requeued ahead of Y (submit order) and restarts at 35, progressing from 42: ends 42 + 70 =
  // 112. Its first finish event (t=100) is stale and ignored. Y (first start: no resume
  // overhead) runs 112..162. X held GPUs 0..30, 30..35 (draining), 35..112: 112 s.
  // Allocated: 8 x 112 + 8 x 50 = 1296 GPU-s.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  PreemptOnce policy(from_seconds(30), "X");
  EngineConfig config = no_samples();
  config.preempt_overhead = from_seconds(5);
  config.resume_overhead = from_seconds(7);
  Recorder rec;
  const EngineRun out =
      run_engine(fleet, {job("X", 0, 8, 100), job("Y", 10, 8, 50)}, policy, config, &rec);
  EXPECT_EQ(rec.log, (std::vector<std::string>{"t=0 arrive X", "t=0 start X", "t=10 arrive Y",
                                               "t=30 preempt X", "t=35 start X", "t=112 finish X",
                                               "t=112 start Y", "t=162 finish Y"}));
  EXPECT_EQ(seconds(out["X"].first_start), 0);
  EXPECT_EQ(seconds(out["X"].end), 112);
  EXPECT_EQ(seconds(out["X"].run_time), 112);
  EXPECT_EQ(out["X"].preemptions, 1u);
  EXPECT_EQ(seconds(out["Y"].end), 162);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 1296.0);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, gpu_seconds(out.jobs));
}

TEST(Engine, PreemptionWithoutOverheadFreesGpusForTheSamePassAndIgnoresStaleFinishes) {
  // As above but no preempt overhead: at t=30 X (70 s left) gives its GPUs to Y in the same
  // pass; Y runs 30..80. X restarts at 80, progressing from 87 (resume overhead 7 s): ends
  // 87 + 70 = 157. X's first finish event (t=100, while X is running again) is stale.
  // X held GPUs 30 + 77 = 107 s. Allocated: 8 x 107 + 8 x 50 = 1256 GPU-s.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  PreemptOnce policy(from_seconds(30), "X");
  EngineConfig config = no_samples();
  config.resume_overhead = from_seconds(7);
  Recorder rec;
  const EngineRun out =
      run_engine(fleet, {job("X", 0, 8, 100), job("Y", 10, 8, 50)}, policy, config, &rec);
  EXPECT_EQ(rec.log, (std::vector<std::string>{"t=0 arrive X", "t=0 start X", "t=10 arrive Y",
                                               "t=30 preempt X", "t=30 start Y", "t=80 finish Y",
                                               "t=80 start X", "t=157 finish X"}));
  EXPECT_EQ(seconds(out["X"].end), 157);
  EXPECT_EQ(seconds(out["X"].run_time), 107);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 1256.0);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, gpu_seconds(out.jobs));
}

TEST(Engine, PreemptionOnASlowGpuKeepsTheProgressMadeAtItsRate) {
  // 1 node x 8 A100 (speed 0.5); preempt overhead 5 s, resume 7 s. X: 100 s of reference work.
  // Preempted at t=30: 30 x 0.5 = 15 s done, 85 s left. Released at 35 and restarted at once
  // (nothing else waits), progressing from 42: 85 / 0.5 = 170 s -> ends 212.
  const Fleet fleet = test::fleet_of({{0, 1, 1, 8, "A100"}});
  PreemptOnce policy(from_seconds(30), "X");
  EngineConfig config = no_samples();
  config.preempt_overhead = from_seconds(5);
  config.resume_overhead = from_seconds(7);
  const EngineRun out = run_engine(fleet, {job("X", 0, 8, 100)}, policy, config);
  EXPECT_EQ(seconds(out["X"].end), 212);
  EXPECT_EQ(seconds(out["X"].run_time), 212);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 8 * 212.0);
}

TEST(Engine, WakeRequestsForOneInstantMergeIntoOnePass) {
  // One 1-GPU job of 100 s; the first pass asks twice for t=10. Passes: t=0, t=10, t=100.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Scripted policy([](const SchedulerView& view, Decisions& d) {
    FreeCapacity free = view.free_capacity();
    start_in_order(view, free, d);
    if (view.now() == 0) {
      d.wake_at(from_seconds(10));
      d.wake_at(from_seconds(10));
    }
  });
  const EngineRun out = run_engine(fleet, {job("A", 0, 1, 100)}, policy, no_samples());
  EXPECT_EQ(out.totals.scheduling_passes, 3u);
  EXPECT_EQ(seconds(out["A"].end), 100);
}

TEST(Engine, GpusAScratchTookButNoStartUsesAreFreeForTheNextScratchAndPass) {
  // 1 node x 8 GPUs, A (8 GPUs, 100 s) at t=0. Each pass a first scratch takes A's GPUs and
  // starts nothing; a second scratch then starts jobs in order. The second must see all 8 GPUs
  // free (the first's takes, kept when it ended, are undone), so A starts at 0 and ends at 100.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Scripted policy([](const SchedulerView& view, Decisions& d) {
    {
      FreeCapacity trial = view.free_capacity();
      for (JobId id : view.queued_jobs()) EXPECT_TRUE(trial.take(view.job(id).spec));
    }
    FreeCapacity free = view.free_capacity();
    start_in_order(view, free, d);
  });
  const EngineRun out = run_engine(fleet, {job("A", 0, 8, 100)}, policy, no_samples());
  EXPECT_EQ(seconds(out["A"].first_start), 0);
  EXPECT_EQ(seconds(out["A"].end), 100);
}

TEST(Engine, AStartOnOtherGpusThanItsScratchTookGetsThoseAndFreesTheOthers) {
  // 1 node x 8 GPUs. At t=0 the scratch takes A's first-fit GPUs 0-3 but A is started on GPUs
  // 4-7 (mask 0xF0): the engine undoes the scratch's takes and takes 4-7. B (4 GPUs) arrives
  // at t=1 and, started in order, gets GPUs 0-3 at once: B runs 1..101 beside A (0..100).
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Scripted policy([](const SchedulerView& view, Decisions& d) {
    FreeCapacity free = view.free_capacity();
    if (view.now() == 0) {
      const JobId a = *view.queued_jobs().begin();
      EXPECT_EQ(free.take(view.job(a).spec), (Allocation{{{NodeId{0u}, 0x0F}}}));
      d.start(a, Allocation{{{NodeId{0u}, 0xF0}}});
      return;
    }
    start_in_order(view, free, d);
  });
  const EngineRun out =
      run_engine(fleet, {job("A", 0, 4, 100), job("B", 1, 4, 100)}, policy, no_samples());
  EXPECT_EQ(seconds(out["A"].end), 100);
  EXPECT_EQ(seconds(out["B"].first_start), 1);
  EXPECT_EQ(seconds(out["B"].end), 101);
}

TEST(Engine, StartingAJobOnAGpuAlreadyHeldIsAPolicyErrorNamingBothJobs) {
  // 2 nodes x 8 (node 1 = GPUs 8..15). A gets node 1's GPUs 0-3 (GPUs 8-11) at t=0; at
  // t=1.5 the policy starts B on node 1's GPUs 3-4 (mask 0x18): GPU 11 is A's.
  const Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  const std::string error = policy_error_of(fleet, {job("A", 0, 4, 100), job("B", 1.5, 2, 100)},
                                            [](const SchedulerView& view, Decisions& d) {
                                              for (JobId id : view.queued_jobs()) {
                                                const std::uint64_t mask =
                                                    view.job(id).spec.name == "A" ? 0x0F : 0x18;
                                                d.start(id, Allocation{{{NodeId{1}, mask}}});
                                              }
                                            });
  EXPECT_EQ(error,
            "policy bad: t=1.500000s: starts job B (id 1) on GPU 11 (node 1), which is already "
            "held by job A (id 0)");
}

TEST(Engine, StartingAJobOnTheWrongNumberOfGpusIsAPolicyError) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  EXPECT_EQ(policy_error_of(fleet, {job("A", 0, 4, 100)},
                            [](const SchedulerView& view, Decisions& d) {
                              d.start(*view.queued_jobs().begin(), Allocation{{{NodeId{0}, 0x7}}});
                            }),
            "policy bad: t=0.000000s: starts job A (id 0) on 3 GPUs; its gang size is 4");
}

TEST(Engine, StartingAnElasticJobOutsideItsRangeIsAPolicyError) {
  // A runs on 2 to 6 GPUs (requested 4): 7 GPUs (mask 0x7F) is one too many.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  JobSpec a = job("A", 0, 4, 100);
  a.min_gpus = 2;
  a.max_gpus = 6;
  EXPECT_EQ(policy_error_of(fleet, {a},
                            [](const SchedulerView& view, Decisions& d) {
                              d.start(*view.queued_jobs().begin(), Allocation{{{NodeId{0}, 0x7F}}});
                            }),
            "policy bad: t=0.000000s: starts elastic job A (id 0) on 7 GPUs; it runs on 2 to 6");
}

TEST(Engine, StartingAnUnknownOrNonQueuedJobIsAPolicyError) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  EXPECT_EQ(policy_error_of(fleet, {job("A", 0, 1, 100)},
                            [](const SchedulerView&, Decisions& d) {
                              d.start(JobId{7}, Allocation{{{NodeId{0}, 0x1}}});
                            }),
            "policy bad: t=0.000000s: starts unknown job id 7");
  // Starting A twice in one pass: the second time it is already running.
  EXPECT_EQ(policy_error_of(fleet, {job("A", 0, 1, 100)},
                            [](const SchedulerView&, Decisions& d) {
                              d.start(JobId{0}, Allocation{{{NodeId{0}, 0x1}}});
                              d.start(JobId{0}, Allocation{{{NodeId{0}, 0x2}}});
                            }),
            "policy bad: t=0.000000s: starts job A (id 0), which is running, not queued");
}

// Starts each queued job on the first fit and asks for a pass 1 s later, where it preempts every
// running job: each segment lasts 1 s.
void start_then_preempt_a_second_later(const SchedulerView& view, Decisions& d) {
  for (JobId id : view.running_jobs()) d.preempt(id);
  FreeCapacity free = view.free_capacity();
  for (JobId id : view.queued_jobs()) {
    if (std::optional<Allocation> gpus = free.take(view.job(id).spec)) {
      d.start(id, std::move(*gpus));
      d.wake_at(view.now() + from_seconds(1));
    }
  }
}

TEST(Engine, APolicyThatPreemptsAJobBeforeItProgresses10000TimesInARowEndsTheRun) {
  // Preempt overhead 5 s, resume overhead 10 s. A (1 GPU, 100 s) starts at 0 (no overhead on a
  // first start) and is preempted at 1 s, after 1 s of progress. From then on it restarts every
  // 6 s (1 s running + 5 s draining) at t = 6k and is preempted at 6k + 1, inside its 10 s
  // resume overhead: the n-th futile preemption is at 6n + 1 s, the 10,000th at 60,001 s. The
  // run would otherwise go on for ever (the calendar never empties).
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  EngineConfig config = no_samples();
  config.preempt_overhead = from_seconds(5);
  config.resume_overhead = from_seconds(10);
  EXPECT_EQ(
      policy_error_of(fleet, {job("A", 0, 1, 100)}, start_then_preempt_a_second_later, config),
      "policy bad: t=60001.000000s: preempts job A (id 0) for the 10000th time in a row "
      "before it made any progress (within its staging or resume overhead): livelocked, "
      "the run would never end");
}

TEST(Engine, PreemptionsAfterSomeProgressNeverEndTheRun) {
  // The same policy with a 0.5 s resume overhead: each restart makes 0.5 s of progress. A
  // (6,000.75 s) has 1 s done after the first segment and 1 + 0.5 x 11,999 = 6,000.5 s after
  // segment 11,999; segment 12,000 starts at 6 x 12,000 = 72,000 s and finishes 0.5 + 0.25 s
  // later, at 72,000.75 s, after 12,000 preemptions (segments 0..11,999), none of them futile.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  EngineConfig config = no_samples();
  config.preempt_overhead = from_seconds(5);
  config.resume_overhead = from_seconds(0.5);
  Scripted policy(start_then_preempt_a_second_later);
  const EngineRun out = run_engine(fleet, {job("A", 0, 1, 6000.75)}, policy, config);
  EXPECT_EQ(out["A"].state, JobState::Done);
  EXPECT_EQ(out["A"].preemptions, 12000u);
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 72000.75);
}

TEST(Engine, AllocationsOutsideTheRulesArePolicyErrors) {
  // site0: c0 = 1 node x 8 H100 (n0), c1 = 1 node x 8 A100 (n1); site1: 1 node x 8 H100 (n2).
  const Fleet fleet =
      test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}, {1, 1, 1, 8, "H100"}});
  auto start_on = [&](Allocation gpus, std::vector<GpuTypeId> allowed = {}) {
    JobSpec a = job("A", 0, gpus.gpu_count(), 100);
    a.allowed_types = std::move(allowed);
    return policy_error_of(fleet, {a},
                           [gpus](const SchedulerView&, Decisions& d) { d.start(JobId{0}, gpus); });
  };
  const std::string prefix = "policy bad: t=0.000000s: starts job A (id 0) ";
  EXPECT_EQ(start_on(Allocation{{{NodeId{0}, 0x3}, {NodeId{1}, 0x3}}}),
            prefix + "on mixed GPU types H100 and A100; a gang uses one type");
  EXPECT_EQ(start_on(Allocation{{{NodeId{0}, 0x3}, {NodeId{2}, 0x3}}}),
            prefix + "across sites site0 and site1");
  EXPECT_EQ(start_on(Allocation{{{NodeId{1}, 0x3}}}, {*fleet.catalog.find("H100")}),
            prefix + "on GPU type A100, which the job does not allow");
  EXPECT_EQ(start_on(Allocation{{{NodeId{0}, 0x3}, {NodeId{0}, 0xC}}}),
            prefix + "with a node listed twice in its allocation");
  EXPECT_EQ(start_on(Allocation{{{NodeId{9}, 0x3}}}), prefix + "on unknown node id 9");
  EXPECT_EQ(start_on(Allocation{{{NodeId{0}, 0x300}}}),
            prefix + "on GPUs 0x300 of node 0, which has 8 GPUs");
}

TEST(Engine, PreemptingANonPreemptibleOrNonRunningJobIsAPolicyError) {
  // A (not preemptible) starts at t=0; the policy asks to be woken at t=5 and preempts it then.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  JobSpec a = job("A", 0, 8, 100);
  a.preemptible = false;
  EXPECT_EQ(policy_error_of(fleet, {a},
                            [](const SchedulerView& view, Decisions& d) {
                              FreeCapacity free = view.free_capacity();
                              start_in_order(view, free, d);
                              if (view.now() == 0) d.wake_at(from_seconds(5));
                              if (view.now() == from_seconds(5)) d.preempt(JobId{0});
                            }),
            "policy bad: t=5.000000s: preempts job A (id 0), which is not preemptible");
  EXPECT_EQ(policy_error_of(fleet, {job("A", 0, 8, 100)},
                            [](const SchedulerView&, Decisions& d) { d.preempt(JobId{0}); }),
            "policy bad: t=0.000000s: preempts job A (id 0), which is queued, not running");
  EXPECT_EQ(policy_error_of(fleet, {job("A", 0, 8, 100)},
                            [](const SchedulerView&, Decisions& d) { d.preempt(JobId{3}); }),
            "policy bad: t=0.000000s: preempts unknown job id 3");
}

TEST(Engine, AskingToBeWokenNowOrInThePastIsAPolicyError) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  EXPECT_EQ(policy_error_of(fleet, {job("A", 2, 1, 100)},
                            [](const SchedulerView&, Decisions& d) { d.wake_at(from_seconds(1)); }),
            "policy bad: t=2.000000s: asked to be woken at t=1.000000s, which is not in the "
            "future");
  EXPECT_EQ(policy_error_of(fleet, {job("A", 2, 1, 100)},
                            [](const SchedulerView& view, Decisions& d) { d.wake_at(view.now()); }),
            "policy bad: t=2.000000s: asked to be woken at t=2.000000s, which is not in the "
            "future");
}

TEST(Engine, AJobLargerThanAnySiteIsAConfigErrorAtItsOrigin) {
  // Two sites of 8 GPUs: 16 in all, but a gang stays in one site, so 9 GPUs can never run.
  const Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  const auto fifo = registered("fifo");
  JobSpec big = job("big", 5, 9, 100);
  big.source_line = 17;
  try {
    run_engine(fleet, {job("ok", 0, 8, 10), big}, *fifo, no_samples(), nullptr, "jobs.csv");
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "jobs.csv:17: gpus: job big needs 9 GPUs but the largest placement the fleet "
                 "allows (one GPU type, one site) has 8");
  }
  // Restricted to a type the fleet does not have: the largest placement is 0.
  JobSpec a100_only = job("a100_only", 0, 1, 100);
  a100_only.allowed_types = {*fleet.catalog.find("A100")};
  a100_only.source_line = 3;
  try {
    run_engine(fleet, {a100_only}, *fifo, no_samples(), nullptr, "jobs.csv");
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "jobs.csv:3: gpus: job a100_only needs 1 GPUs but the largest placement the "
                 "fleet allows (one GPU type it may use, one site) has 0");
  }
}

TEST(Engine, HorizonStopsTheRunAndClosesTheSegmentsOfRunningJobs) {
  // 1 node x 8, horizon t=60. A: t=0, 8 GPUs, 100 s: running at 60 with 40 s left and 60 s of
  // run time. B: t=10, waits. C: t=500, never arrives. Allocated: 8 x 60 = 480 GPU-s.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  const auto fifo = registered("fifo");
  EngineConfig config;  // samples on (every 600 s): the horizon must stop them too
  config.horizon = from_seconds(60);
  const EngineRun out = run_engine(
      fleet, {job("A", 0, 8, 100), job("B", 10, 8, 50), job("C", 500, 1, 1)}, *fifo, config);
  ASSERT_EQ(out.jobs.size(), 2u);
  EXPECT_EQ(out["A"].state, JobState::Running);
  EXPECT_EQ(seconds(out["A"].run_time), 60);
  EXPECT_EQ(seconds(out["A"].remaining), 40);
  EXPECT_EQ(out["A"].end, kTimeNever);
  EXPECT_EQ(out["B"].state, JobState::Queued);
  EXPECT_EQ(out["B"].first_start, kTimeNever);
  EXPECT_EQ(out.totals.arrivals_after_horizon, 1u);
  EXPECT_EQ(seconds(out.totals.end_time), 60);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 480.0);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, gpu_seconds(out.jobs));
}

TEST(Engine, HorizonDuringAPreemptionDrainCountsTheDrainAsRunTime) {
  // X preempted at t=30 with a 20 s overhead; horizon t=40: X still draining, held 40 s.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  PreemptOnce policy(from_seconds(30), "X");
  EngineConfig config = no_samples();
  config.preempt_overhead = from_seconds(20);
  config.horizon = from_seconds(40);
  const EngineRun out = run_engine(fleet, {job("X", 0, 8, 100)}, policy, config);
  EXPECT_EQ(out["X"].state, JobState::Draining);
  EXPECT_EQ(seconds(out["X"].run_time), 40);
  EXPECT_EQ(seconds(out["X"].remaining), 70);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 320.0);
}

TEST(Engine, RunEndsWhenNothingCanHappenEvenIfAPolicyLeavesJobsQueued) {
  // A policy that never starts anything, with samples on: after the t=0 sample the calendar is
  // empty, so the run ends with A queued (it used to sample until the horizon, or forever).
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  Scripted idle([](const SchedulerView&, Decisions&) {});
  EngineConfig config;
  config.sample_interval = from_seconds(600);
  config.horizon = from_seconds(1e6);
  const EngineRun out = run_engine(fleet, {job("A", 0, 1, 100)}, idle, config);
  EXPECT_EQ(out["A"].state, JobState::Queued);
  EXPECT_EQ(out.totals.end_time, 0);
  EXPECT_EQ(out.totals.events, 3u);  // arrival, schedule round, sample
}

}  // namespace
}  // namespace fleetsim
