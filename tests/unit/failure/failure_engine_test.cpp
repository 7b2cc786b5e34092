// Failures, repairs and checkpoint/restart in the engine, on cases a person can work out by hand,
// plus the two statistical checks of the model: interruption counts against GPUs x time / MTBF,
// and the goodput-optimal checkpoint interval against Young/Daly. Every run is watched by the
// InvariantChecker.
#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/scripted.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::job;
using test::seconds;

using test::RunOutput;
using test::run_with_failures;

CheckpointConfig checkpoints(double interval_s, double cost_s, double restart_s) {
  return {from_seconds(interval_s), from_seconds(cost_s), from_seconds(restart_s)};
}

TEST(Checkpoint, PausesProgressAfterEveryFullIntervalButNotAtTheEnd) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  // 100 s of computing, a 5 s save after each 30 s: saves end at 35, 70, 105; the last 10 s of
  // computing run 105..115. No save at the very end.
  const RunOutput out =
      run_with_failures(fleet, {job("A", 0, 8, 100)}, {}, checkpoints(30, 5, 0));
  EXPECT_DOUBLE_EQ(seconds(out.jobs[0].end), 115);
  EXPECT_DOUBLE_EQ(to_seconds(out.jobs[0].checkpoint_time), 15);
  EXPECT_DOUBLE_EQ(to_seconds(out.jobs[0].run_time), 115);
  // 90 s is exactly three intervals: saves after 30 and 60 only, so 90 + 2 x 5.
  const RunOutput exact =
      run_with_failures(fleet, {job("B", 0, 8, 90)}, {}, checkpoints(30, 5, 0));
  EXPECT_DOUBLE_EQ(seconds(exact.jobs[0].end), 100);
}

TEST(Failure, NodeFailureLosesWorkSinceTheLastCheckpointAndRestartsAfterRepair) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);  // one node: the job must wait
  // Interval 30 s, save 5 s, restart 10 s. Node 0 fails at t=50 and is back at t=70.
  // At 50: one cycle done (30 computing + save until 35), then 15 s of computing: 30 s of work
  // is saved, 15 s lost; 100 - 30 = 70 s of work left; saving so far 5 s.
  // At 70 the job restarts: progress from 80 (restart 10 s); 70 s of computing with saves after
  // 30 and 60 (2 x 5 s): ends at 80 + 70 + 10 = 160.
  const RunOutput out = run_with_failures(fleet, {job("A", 0, 8, 100)},
                                           test::scripted_failure(50, FailureLevel::Node, 0, 20),
                                           checkpoints(30, 5, 10));
  const Job& a = out.jobs[0];
  EXPECT_EQ(a.interruptions, 1u);
  EXPECT_DOUBLE_EQ(to_seconds(a.lost_time), 15);
  EXPECT_DOUBLE_EQ(seconds(a.end), 160);
  EXPECT_DOUBLE_EQ(to_seconds(a.checkpoint_time), 5 + 10);
  EXPECT_DOUBLE_EQ(to_seconds(a.restart_time), 10);
  EXPECT_DOUBLE_EQ(to_seconds(a.recovery_time), 80 - 50);  // repair wait + restart
  EXPECT_DOUBLE_EQ(to_seconds(a.run_time), 50 + 90);
  EXPECT_EQ(out.totals.failures.failures_by_process, std::vector<std::uint64_t>{1});
  EXPECT_DOUBLE_EQ(out.totals.failures.down_gpu_seconds, 8 * 20);
  // GPU time still adds up: allocated = sum of gpus x run time.
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 8 * (50 + 90));
}

TEST(Failure, InterruptedJobMovesToAHealthyNodeAtOnce) {
  const Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  // As above, but node 1 is free: restart at 50, progress from 60, 70 s of computing + 2 saves
  // = 80 s: ends at 140, on node 1.
  const RunOutput out = run_with_failures(fleet, {job("A", 0, 8, 100)},
                                           test::scripted_failure(50, FailureLevel::Node, 0, 3600),
                                           checkpoints(30, 5, 10));
  EXPECT_DOUBLE_EQ(seconds(out.jobs[0].end), 140);
  EXPECT_EQ(out.jobs[0].gpu_type, GpuTypeId{0});
  EXPECT_EQ(out.jobs[0].span.nodes, 1u);
}

TEST(Failure, FailureDuringASaveLosesTheWholeIntervalAndCountsThePartialSave) {
  const Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  // At 32 the first save (30..35) is 2 s in: nothing is saved yet, 30 s of computing are lost,
  // 2 s of saving wasted. Restart at 32 with the full 100 s: 32 + 100 + 3 x 5 = 147.
  const RunOutput out = run_with_failures(fleet, {job("A", 0, 8, 100)},
                                           test::scripted_failure(32, FailureLevel::Gpu, 3, 3600),
                                           checkpoints(30, 5, 0));
  EXPECT_DOUBLE_EQ(to_seconds(out.jobs[0].lost_time), 30);
  EXPECT_DOUBLE_EQ(to_seconds(out.jobs[0].checkpoint_time), 2 + 15);
  EXPECT_DOUBLE_EQ(seconds(out.jobs[0].end), 147);
}

TEST(Failure, WithoutCheckpointsTheWholeSegmentIsLost) {
  const Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  // No checkpoints: the 50 s done are lost; restart at 50 on node 1 with 100 s: ends at 150.
  const RunOutput out = run_with_failures(
      fleet, {job("A", 0, 8, 100)}, test::scripted_failure(50, FailureLevel::Node, 0, 3600), {});
  EXPECT_DOUBLE_EQ(to_seconds(out.jobs[0].lost_time), 50);
  EXPECT_DOUBLE_EQ(seconds(out.jobs[0].end), 150);
}

TEST(Failure, FailedFreeGpuIsNotGivenToAJobUntilRepaired) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  // GPU 3 fails at 0 (before the arrivals at 0) until 50. A 4-GPU job fits on the other 7 and
  // starts at once; the 8-GPU job needs GPU 3 and starts at its repair: 50 + 100 = 150.
  const RunOutput out = run_with_failures(fleet, {job("small", 0, 4, 10), job("big", 0, 8, 100)},
                                           test::scripted_failure(0, FailureLevel::Gpu, 3, 50), {});
  EXPECT_DOUBLE_EQ(seconds(out.jobs[0].first_start), 0);
  EXPECT_DOUBLE_EQ(seconds(out.jobs[1].first_start), 50);
  EXPECT_DOUBLE_EQ(seconds(out.jobs[1].end), 150);
  EXPECT_EQ(out.jobs[0].interruptions + out.jobs[1].interruptions, 0u);
}

TEST(Failure, RackFailureInterruptsEveryJobOnItAndOnlyThose) {
  const Fleet fleet = test::single_cluster_fleet(2, 1, 8);  // racks 0 and 1, one node each
  // A on rack 0, B on rack 1; rack 0 fails at 10 for 1000 s: A waits for it, B is untouched.
  const RunOutput out = run_with_failures(fleet, {job("A", 0, 8, 100), job("B", 0, 8, 100)},
                                           test::scripted_failure(10, FailureLevel::Rack, 0, 1000), {});
  EXPECT_EQ(out.jobs[0].interruptions, 1u);
  EXPECT_EQ(out.jobs[1].interruptions, 0u);
  EXPECT_DOUBLE_EQ(seconds(out.jobs[1].end), 100);
  // B's rack frees at 100: A restarts there at once (no wait for its own rack), 100 + 100.
  EXPECT_DOUBLE_EQ(seconds(out.jobs[0].end), 200);
}

TEST(Failure, ARackThatIsNotBuiltYetCannotFail) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.capacity_windows = {{CapacityWindow::Cause::BuildOut, 0, from_seconds(1000), RackId{0}, 1}};
  // The rack fails at 500, before it is built at 1,000, "until" 5,000: no effect. The job that
  // arrives at 0 starts at 1,000 and ends at 1,100, uninterrupted, and no GPU is ever down.
  const RunOutput before = run_with_failures(fleet, {job("A", 0, 8, 100)},
                                              test::scripted_failure(500, FailureLevel::Rack, 0, 4500), {});
  EXPECT_EQ(before.totals.failures.failures_by_process, (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(before.totals.failures.failures_while_offline, 1u);
  EXPECT_DOUBLE_EQ(before.totals.failures.down_gpu_seconds, 0);
  EXPECT_DOUBLE_EQ(seconds(before.jobs[0].first_start), 1000);
  EXPECT_DOUBLE_EQ(seconds(before.jobs[0].end), 1100);
  // The same failure at 1,050, once built, interrupts the job; it restarts at the repair
  // (1,050 + 4,500 = 5,550) and ends at 5,650.
  const RunOutput after = run_with_failures(fleet, {job("A", 0, 8, 100)},
                                             test::scripted_failure(1050, FailureLevel::Rack, 0, 4500), {});
  EXPECT_EQ(after.totals.failures.failures_by_process, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(after.totals.failures.failures_while_offline, 0u);
  EXPECT_EQ(after.jobs[0].interruptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(after.jobs[0].end), 5650);
}

TEST(Failure, ScriptedIndexBeyondTheFleetIsAConfigError) {
  const Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  FailureConfig f = test::scripted_failure(0, FailureLevel::Node, 2, 0);
  f.scripted[0].origin = {"s.yaml", 7, 12};
  try {
    FailureModel model(f, fleet.topology, RngStreams(1));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "s.yaml:7:12: index: the fleet has 2 node components (0 to 1), not 2");
  }
}

// A job of G GPUs running for a long time under exponential per-GPU failures (repair at once,
// restart cost 0) is interrupted at rate G / MTBF while it holds its GPUs. Over many seeded runs
// the total count is Poisson with mean sum(G x run time / MTBF): it must lie within 3.29 standard
// deviations (a 99.9 % interval) of that mean.
TEST(FailureStatistics, InterruptionsOfALongGangMatchGpusTimesTimeOverMtbf) {
  const Fleet fleet = test::single_cluster_fleet(1, 8, 8);  // 64 GPUs
  constexpr double kMtbfHours = 6400;                       // per GPU: the gang fails every 100 h
  FailureConfig f;
  FailureProcessConfig gpu;
  gpu.name = "gpu";
  gpu.level = FailureLevel::Gpu;
  gpu.lifetime.mtbf_s = kMtbfHours * 3600;
  f.processes.push_back(gpu);
  double expected = 0;
  std::uint64_t observed = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const RunOutput out = run_with_failures(fleet, {job("big", 0, 64, 1000 * 3600.0)}, f,
                                             checkpoints(60, 0, 0), seed);
    observed += out.jobs[0].interruptions;
    expected += 64 * to_seconds(out.jobs[0].run_time) / 3600 / kMtbfHours;
  }
  EXPECT_NEAR(static_cast<double>(observed), expected, 3.29 * std::sqrt(expected))
      << "expected about 10 per run over 200 runs";
}

TEST(FailureStatistics, WeibullLifetimesHaveTheConfiguredMean) {
  // One GPU, lifetimes Weibull(k = 0.7) with mean 10 h, repaired at once: over a long run the
  // renewal theorem gives failures = time / mean. 20,000 h -> about 2,000, sd about
  // sqrt(2000) x CV (CV of Weibull 0.7 is 1.46): within 3.29 sd.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 1);
  FailureConfig f;
  FailureProcessConfig gpu;
  gpu.name = "gpu";
  gpu.level = FailureLevel::Gpu;
  gpu.lifetime = {LifetimeDistribution::Kind::Weibull, 10 * 3600.0, 0.7};
  f.processes.push_back(gpu);
  const RunOutput out = run_with_failures(fleet, {job("long", 0, 1, 20000 * 3600.0)}, f,
                                           checkpoints(1, 0, 0));
  const double hours = to_seconds(out.jobs[0].run_time) / 3600;
  const double expected = hours / 10;
  EXPECT_NEAR(static_cast<double>(out.jobs[0].interruptions), expected,
              3.29 * std::sqrt(expected) * 1.46);
}

// Young/Daly: with checkpoint cost d and job MTBF M, the interval that wastes least is about
// sqrt(2 d M). Simulate one 8-GPU job (per-GPU MTBF 80 h, so M = 10 h; d = 60 s: optimum
// sqrt(2 x 60 x 36000) = 2078 s) at nine intervals with the same ten seeds each, fit the waste
// fraction w(t) = a + b / t + c t by least squares (the first-order model's shape) and take its
// minimum sqrt(b / c): it must lie within 10 % of Young/Daly.
TEST(FailureStatistics, GoodputOptimalCheckpointIntervalIsNearYoungDaly) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  FailureConfig f;
  FailureProcessConfig gpu;
  gpu.name = "gpu";
  gpu.level = FailureLevel::Gpu;
  gpu.lifetime.mtbf_s = 80 * 3600.0;
  f.processes.push_back(gpu);
  const double work_s = 2000 * 3600.0;
  const std::vector<double> intervals = {600, 900, 1200, 1600, 2000, 2500, 3000, 4000, 6000};
  // Normal equations for w = a + b x1 + c x2 with x1 = 1/t, x2 = t.
  double s[3][3] = {}, r[3] = {};
  for (double t : intervals) {
    double waste = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const RunOutput out =
          run_with_failures(fleet, {job("J", 0, 8, work_s)}, f, checkpoints(t, 60, 0), seed);
      waste += 1 - work_s / seconds(out.jobs[0].end);
    }
    waste /= 10;
    const double x[3] = {1, 1 / t, t};
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) s[i][j] += x[i] * x[j];
      r[i] += x[i] * waste;
    }
    std::printf("interval %6.0f s  waste %.4f\n", t, waste);
  }
  // Solve the 3x3 system by Cramer's rule.
  const auto det = [](double m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  };
  const double d = det(s);
  double coef[3];
  for (int k = 0; k < 3; ++k) {
    double m[3][3];
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) m[i][j] = j == k ? r[i] : s[i][j];
    }
    coef[k] = det(m) / d;
  }
  ASSERT_GT(coef[1], 0);
  ASSERT_GT(coef[2], 0);
  const double fitted = std::sqrt(coef[1] / coef[2]);
  const double young_daly = std::sqrt(2 * 60 * 36000.0);
  std::printf("fitted optimum %.0f s, Young/Daly %.0f s, ratio %.3f\n", fitted, young_daly,
              fitted / young_daly);
  EXPECT_NEAR(fitted / young_daly, 1.0, 0.10);
}

}  // namespace
}  // namespace fleetsim
