// Engine with GPU sharing (JobSpec::gpu_milli < 1000): fractional jobs packed onto one GPU, the
// shared GPU counted as one allocated GPU from its first share to its last, GPU-seconds and busy
// power scaled by the share, whole-GPU jobs kept off shared GPUs, failures and maintenance
// interrupting every holder, and the policy errors for starts that break the sharing rules. All
// hand-computed on the test catalog (H100: 72 W idle, 700 W TDP, no overhead).
#include "sim/core/engine.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/error.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/scripted.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::Scripted;
using test::seconds;

JobSpec share(std::string name, double submit_s, std::uint16_t milli, double duration_s) {
  JobSpec spec = test::job(std::move(name), submit_s, 1, duration_s);
  spec.gpu_milli = milli;
  return spec;
}

// The PolicyError message of a run, or "" if it did not throw one.
std::string policy_error_of(const Fleet& fleet, std::vector<JobSpec> jobs, Scripted::Script s,
                            FailureConfig failures = {}) {
  Scripted policy(std::move(s));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs));
  EngineConfig config = test::no_samples();
  config.policy_name = "bad";
  Engine engine(fleet, source, policy, *placement, config);
  FailureModel model(std::move(failures), fleet.topology, RngStreams(1));
  if (model.process_count() > 0) engine.set_failure_model(model);
  try {
    engine.run();
  } catch (const PolicyError& e) {
    return e.what();
  }
  return "";
}

// Starts queued job `name` on node 0's GPUs `mask` as soon as it is queued.
Scripted::Script start_on(std::vector<std::pair<std::string, std::uint64_t>> plan) {
  return [plan](const SchedulerView& view, Decisions& d) {
    for (JobId id : view.queued_jobs()) {
      for (const auto& step : plan) {
        if (view.job(id).spec.name == step.first) {
          d.start(id, Allocation{{{NodeId{0}, step.second}}});
        }
      }
    }
  };
}

TEST(EngineShare, SharesPackOneGpuWhichCountsAsOneAllocatedGpuUntilItsLastShareLeaves) {
  // 1 node x 2 H100, fifo_backfill, first_fit. At t=0: A (500, 100 s), B (500, 200 s) share
  // GPU 0 (full); C (600, 300 s) has no room there and opens GPU 1 (room 400 left). D (whole
  // GPU, 50 s) arrives at 10: no GPU is free, and at 100 A leaves GPU 0 still shared by B, so D
  // waits until B leaves at 200: runs 200..250 on GPU 0. E (400, 10 s) arrives at 110: GPU 0
  // (room 500) and GPU 1 (room 400) both hold it; best fit takes GPU 1: runs 110..120.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  const test::RunOutput out =
      test::run(fleet,
                {share("A", 0, 500, 100), share("B", 0, 500, 200), share("C", 0, 600, 300),
                 test::job("D", 10, 1, 50), share("E", 110, 400, 10)},
                "fifo_backfill", {}, "first_fit", test::no_samples());
  EXPECT_EQ(seconds(out["A"].first_start), 0);
  EXPECT_EQ(seconds(out["B"].first_start), 0);
  EXPECT_EQ(seconds(out["C"].first_start), 0);
  EXPECT_EQ(seconds(out["D"].first_start), 200);
  EXPECT_EQ(seconds(out["D"].end), 250);
  EXPECT_EQ(seconds(out["E"].first_start), 110);
  EXPECT_EQ(seconds(out["E"].end), 120);
  EXPECT_EQ(out["A"].allocation.slices.size(), 0u);  // given back
  EXPECT_EQ(seconds(out.totals.end_time), 300);
  // Allocated: GPU 0 shared 0..200 (200) + D 200..250 (50); GPU 1 shared 0..300 (300) = 550.
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 550.0);
  EXPECT_DOUBLE_EQ(out.totals.sites[0].allocated_gpu_seconds, 550.0);
  // Each share used its part of its GPU-seconds: 0.5 x 100, 0.5 x 200, 0.6 x 300, 0.4 x 10.
  EXPECT_DOUBLE_EQ(out["A"].gpu_seconds, 50.0);
  EXPECT_DOUBLE_EQ(out["B"].gpu_seconds, 100.0);
  EXPECT_DOUBLE_EQ(out["C"].gpu_seconds, 180.0);
  EXPECT_DOUBLE_EQ(out["D"].gpu_seconds, 50.0);
  EXPECT_DOUBLE_EQ(out["E"].gpu_seconds, 4.0);
  // Energy: 2 GPUs idle at 72 W for 300 s = 43,200 J, plus each job's part of a busy GPU's
  // extra 628 W: A and B 314 W (x 100 s, x 200 s), C 376.8 W x 300 s, D 628 W x 50 s, E 251.2
  // W x 10 s: 31,400 + 62,800 + 113,040 + 31,400 + 2,512 = 241,152 J. 284,352 J in all.
  EXPECT_NEAR(out.totals.sites[0].energy.it_mwh, 284'352.0 / 3.6e9, 1e-15);
}

TEST(EngineShare, SamplesCountASharedGpuOnce) {
  // A and B (300 each) share GPU 0 from 0 to 100 and 150; C (whole) holds GPU 1 0..50. Samples
  // every 25 s: 2 GPUs allocated until 50, then 1 (the shared one) until 150.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  EngineConfig config;
  config.sample_interval = from_seconds(25);
  const test::RunOutput out =
      test::run(fleet, {share("A", 0, 300, 100), share("B", 0, 300, 150), test::job("C", 0, 1, 50)},
                "fifo", {}, "first_fit", config);
  EXPECT_EQ(seconds(out["C"].first_start), 0);
  EXPECT_EQ(seconds(out["B"].end), 150);
  // 2 x 50 + 1 x 100 = 200 GPU-seconds.
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 200.0);
}

struct CheckedRun {
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

// fifo_backfill on first_fit with failures, watched by the InvariantChecker.
CheckedRun run_checked(const Fleet& fleet, std::vector<JobSpec> jobs, FailureConfig failures) {
  const PolicyInfo* info = find_policy("fifo_backfill");
  std::unique_ptr<Policy> policy = info->make(make_params(*info, {}));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs));
  EngineConfig config = test::no_samples();
  config.policy_name = "fifo_backfill";
  Engine engine(fleet, source, *policy, *placement, config);
  FailureModel model(std::move(failures), fleet.topology, RngStreams(1));
  if (model.process_count() > 0) engine.set_failure_model(model);
  InvariantChecker checker(fleet, config, engine.jobs());
  engine.add_observer(checker);
  CheckedRun out;
  out.totals = engine.run();
  test::expect_no_violations(checker, out.totals);
  out.jobs = engine.take_jobs();
  return out;
}

TEST(EngineShare, AFailureOfASharedGpuInterruptsEveryHolderAndNoShareGoesThereUntilRepaired) {
  // 1 node x 2. A and B (500 each, 100 s) share GPU 0; GPU 0 fails at 40 until 1000. Without
  // checkpoints both lose 40 s and restart at once on GPU 1, sharing it: 40..140. C (300, 10 s)
  // arrives at 50: GPU 0 is down (and its shares gone), GPU 1 is full, so it waits for A and B:
  // 140..150 on GPU 1. Allocated: GPU 0 0..40, GPU 1 40..150 = 150 GPU-seconds.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  const CheckedRun out = run_checked(
      fleet, {share("A", 0, 500, 100), share("B", 0, 500, 100), share("C", 50, 300, 10)},
      test::scripted_failure(40, FailureLevel::Gpu, 0, 960));
  EXPECT_EQ(out["A"].interruptions, 1u);
  EXPECT_EQ(out["B"].interruptions, 1u);
  EXPECT_EQ(out.totals.failures.job_interruptions, 2u);
  EXPECT_DOUBLE_EQ(to_seconds(out["A"].lost_time), 40);
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 140);
  EXPECT_DOUBLE_EQ(seconds(out["B"].end), 140);
  EXPECT_DOUBLE_EQ(seconds(out["C"].first_start), 140);
  EXPECT_DOUBLE_EQ(seconds(out["C"].end), 150);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 40.0 + 110.0);
  // 0.5 x 140 s each (40 lost + 100), C 0.3 x 10.
  EXPECT_DOUBLE_EQ(out["A"].gpu_seconds, 70.0);
  EXPECT_DOUBLE_EQ(out["C"].gpu_seconds, 3.0);
}

TEST(EngineShare, AMaintenanceWindowInterruptsEveryHolderOfASharedGpuInItsRack) {
  // 2 racks x 1 node x 1 GPU. A and B (400 each, 100 s) share rack 0's GPU; rack 0 goes into
  // maintenance at 30 for 500 s. Both are interrupted and restart on rack 1's GPU at 30,
  // sharing it: 30..130.
  Fleet fleet = test::single_cluster_fleet(2, 1, 1);
  fleet.capacity_windows = {
      {CapacityWindow::Cause::Maintenance, from_seconds(30), from_seconds(530), RackId{0}, 1}};
  const CheckedRun out = run_checked(fleet, {share("A", 0, 400, 100), share("B", 0, 400, 100)}, {});
  EXPECT_EQ(out.totals.maintenance_interruptions, 2u);
  EXPECT_EQ(out["A"].interruptions + out["A"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 130);
  EXPECT_DOUBLE_EQ(seconds(out["B"].end), 130);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 30.0 + 100.0);
}

TEST(EngineShare, StartingAShareOnAGpuWithoutRoomIsAPolicyErrorNamingTheGpu) {
  // 1 node x 2; A (600) and B (500) both on GPU 1 (mask 0x2) in the first pass.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  EXPECT_EQ(policy_error_of(fleet, {share("A", 0, 600, 100), share("B", 0, 500, 100)},
                            start_on({{"A", 0x2}, {"B", 0x2}})),
            "policy bad: t=0.000000s: starts job B (id 1) (500 milli-GPUs) on GPU 1 (node 0), "
            "which is shared by job A (id 0) (600 of 1000 milli-GPUs used)");
}

TEST(EngineShare, StartingAShareOnAGpuHeldWholeOrDownIsAPolicyErrorNamingTheGpu) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  EXPECT_EQ(policy_error_of(fleet, {test::job("A", 0, 1, 100), share("B", 0, 500, 100)},
                            start_on({{"A", 0x1}, {"B", 0x1}})),
            "policy bad: t=0.000000s: starts job B (id 1) (500 milli-GPUs) on GPU 0 (node 0), "
            "which is already held by job A (id 0)");
  // GPU 1 fails at 0 (before the arrivals at 0).
  EXPECT_EQ(policy_error_of(fleet, {share("B", 0, 500, 100)}, start_on({{"B", 0x2}}),
                            test::scripted_failure(0, FailureLevel::Gpu, 1, 100)),
            "policy bad: t=0.000000s: starts job B (id 0) (500 milli-GPUs) on GPU 1 (node 0), "
            "which is down (failed)");
}

TEST(EngineShare, StartingAWholeJobOnASharedGpuIsAPolicyErrorNamingTheGpuAndItsHolders) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  EXPECT_EQ(
      policy_error_of(fleet,
                      {share("A", 0, 300, 100), share("B", 0, 200, 100), test::job("C", 0, 1, 100)},
                      start_on({{"A", 0x2}, {"B", 0x2}, {"C", 0x2}})),
      "policy bad: t=0.000000s: starts job C (id 2) on GPU 1 (node 0), which is shared by "
      "job A (id 0), job B (id 1) (500 of 1000 milli-GPUs used)");
}

TEST(EngineShare, StartingOnAGpuOfAnOfflineRackIsAPolicyErrorSayingSo) {
  // 2 racks x 1 node x 1 GPU; rack 0 is in maintenance from 0 to 100.
  Fleet fleet = test::single_cluster_fleet(2, 1, 1);
  fleet.capacity_windows = {
      {CapacityWindow::Cause::Maintenance, 0, from_seconds(100), RackId{0}, 1}};
  EXPECT_EQ(policy_error_of(fleet, {share("A", 0, 300, 10)}, start_on({{"A", 0x1}})),
            "policy bad: t=0.000000s: starts job A (id 0) (300 milli-GPUs) on GPU 0 (node 0), "
            "which is in rack 0, which is offline");
  EXPECT_EQ(policy_error_of(fleet, {test::job("A", 0, 1, 10)}, start_on({{"A", 0x1}})),
            "policy bad: t=0.000000s: starts job A (id 0) on GPU 0 (node 0), which is in rack 0, "
            "which is offline");
}

TEST(EngineShare, FgdPutsAShareWhereTheFragmentationMeasureGrowsLeast) {
  // 1 node x 2 H100 under fgd. A (600) at 0: both GPUs give the same growth, the lowest GPU
  // wins: GPU 0, room 400 left. B (400) at 1, mix {600: 1/2, 400: 1/2}. On GPU 0 (rooms 0 and
  // 1000): nothing left that a task cannot use, F = 0; before, the 600 class could not use the
  // 400 on GPU 0: F = 0.5 x 400 = 200, so -200. On GPU 1 (rooms 400, 600): the 600 class still
  // cannot use GPU 0's 400: F = 200, change 0. FGD takes GPU 0. C (whole GPU) at 2 gets GPU 1.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 2);
  const test::RunOutput out = test::run(
      fleet, {share("A", 0, 600, 100), share("B", 1, 400, 100), test::job("C", 2, 1, 100)},
      "fgd", {}, "first_fit", test::no_samples());
  EXPECT_EQ(out["A"].allocation.slices.size(), 0u);
  EXPECT_EQ(seconds(out["B"].first_start), 1);
  EXPECT_EQ(seconds(out["C"].first_start), 2);  // GPU 1 was left free for it
  // Allocated: GPU 0 shared 0..101, GPU 1 held 2..102.
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 101.0 + 100.0);
}

TEST(EngineShare, FgdPutsAWholeGpuJobOnTheNodeWhereTheMeasureGrowsLeastNotTheFirst) {
  // 3 nodes x 4 GPUs under fgd, every job 1000 s, the run stopped at 10 s with all running.
  // F per node sums, over the mix's classes (share of arrivals x F of that class): a class that
  // can run there counts the free room it cannot use (none, with whole GPUs), one that cannot
  // counts all the free room.
  //   A (2 GPUs) at 0, mix {2}: every node goes 0 -> 0, the first wins: node 0 (2 left).
  //   C (3 GPUs) at 1, mix {2, 3} by halves; nodes 1 and 2 hold it and go 0 -> 1000 (1 GPU
  //     left, neither class runs): node 1.
  //   D (1 GPU) at 2, mix {1, 2, 3} by thirds. Node 0 (2 free): 3 cannot run, 2000/3 ->
  //     (1 free: 2 and 3 cannot) 2000/3, change 0. Node 1 (1 free): 2000/3 -> 0, change
  //     -2000/3. Node 2 (4 free): 0 -> 0, change 0. D goes to node 1, not the first node.
  const Fleet fleet = test::single_cluster_fleet(1, 3, 4);
  EngineConfig config = test::no_samples();
  config.horizon = from_seconds(10);
  const test::RunOutput out = test::run(
      fleet, {test::job("A", 0, 2, 1000), test::job("C", 1, 3, 1000), test::job("D", 2, 1, 1000)},
      "fgd", {}, "first_fit", config);
  const auto node_of = [&](const char* name) {
    const Allocation& a = out[name].allocation;
    return a.slices.size() == 1 ? a.slices[0].node.value : 99;
  };
  EXPECT_EQ(node_of("A"), 0u);
  EXPECT_EQ(node_of("C"), 1u);
  EXPECT_EQ(node_of("D"), 1u);
}

}  // namespace
}  // namespace fleetsim
