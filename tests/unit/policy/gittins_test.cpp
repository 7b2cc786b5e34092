// gittins: Tiresias' discretised 2D-Gittins index. The index from an empirical distribution by
// hand, and a schedule where the index (not FIFO) picks between two jobs of the same queue.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sim/policy/builtin/gittins_index.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using Params = std::map<std::string, ParamValue>;

// Queues by attained run time (seconds), job sizes {200, 2000} s, delta 100 s.
Params run_time_params(std::vector<double> thresholds) {
  return {{"thresholds", std::move(thresholds)},
          {"service", std::string("run_time")},
          {"distribution", std::string("samples")},
          {"samples", std::vector<double>{200, 2000}},
          {"delta", 100.0}};
}

TEST(GittinsIndex, MatchesTheDefinitionOnTwoSamples) {
  // Sizes {200, 2000}, delta 100. G(a) = P(finish within delta | alive) / E[service | alive].
  // a=0:   both alive, none ends in (0, 100]                                     -> 0
  // a=100: both alive, 200 ends in (100, 200]; spent (200-100) + 100 = 200       -> 0.5/100
  // a=150: both alive, 200 ends in (150, 250]; spent (200-150) + 100 = 150       -> 0.5/75
  // a=2000: none alive                                                            -> 0
  const detail::GittinsIndex g({2000, 200}, 100);
  EXPECT_DOUBLE_EQ(g(0), 0.0);
  EXPECT_DOUBLE_EQ(g(100), 0.005);
  EXPECT_DOUBLE_EQ(g(150), 1.0 / 150);
  EXPECT_DOUBLE_EQ(g(2000), 0.0);
}

TEST(GittinsIndex, LognormalQuantilesAreSymmetricAroundTheMedianInLogSpace) {
  const std::vector<double> q = detail::GittinsIndex::lognormal_quantiles(1000, 1.0, 4);
  ASSERT_EQ(q.size(), 4u);
  EXPECT_NEAR(q[0] * q[3], 1000.0 * 1000.0, 1e-6);  // ln q0 + ln q3 = 2 ln(median)
  EXPECT_NEAR(q[1] * q[2], 1000.0 * 1000.0, 1e-6);
  EXPECT_LT(q[1], 1000.0);
}

TEST(Gittins, HigherIndexBeatsFifoWithinAQueue) {
  // thresholds [100] run_time, sizes {200, 2000}, delta 100; all jobs 8 GPUs on 8 GPUs.
  //   0 s: x starts (queue 0). 1 s: y waits (queue 0 too: no preemption).
  // 100 s: x reaches 100 -> queue 1; y preempts it: y 100-.  200 s: y -> queue 1.
  // 250 s: w (queue 0, 50 s) preempts y (attained 150): w 250-300.
  // 300 s: x (attained 100, G 0.005) and y (attained 150, G 1/150) wait in queue 1: the index
  //   picks y although x is first in FIFO order: y 300 + 850 = 1150, then x 1150 + 900 = 2050.
  const std::vector<JobSpec> jobs = {test::job("x", 0, 8, 1000), test::job("y", 1, 8, 1000),
                                     test::job("w", 250, 8, 50)};
  const Params params = run_time_params({100});
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), jobs, "gittins", params);
  EXPECT_DOUBLE_EQ(test::seconds(out["w"].first_start), 250);
  EXPECT_EQ(out["y"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].end), 1150);
  EXPECT_EQ(out["x"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].end), 2050);
  // las (FIFO within a queue) on the same jobs: x 300-1200, then y 1200-2050.
  const auto las =
      test::run(test::single_cluster_fleet(1, 1, 8), jobs, "las",
                {{"thresholds", std::vector<double>{100}}, {"service", std::string("run_time")}});
  EXPECT_DOUBLE_EQ(test::seconds(las["x"].end), 1200);
  EXPECT_DOUBLE_EQ(test::seconds(las["y"].end), 2050);
}

TEST(Gittins, AWaitingJobInAMiddleQueuePreemptsOnlyAJobInALowerOne) {
  // thresholds [100, 1000] run_time: queue 0 below 100 s attained, 1 below 1000, 2 from 1000.
  // All jobs 8 GPUs on 8 GPUs.
  //    0 s: a starts (5000 s).
  //  200 s: x arrives (queue 0, 2000 s); a (200 attained, queue 1) is lower: preempted, x 200-.
  //  300 s: x reaches queue 1, a's queue: a waits.
  // 1200 s: x reaches 1000 -> queue 2, below a's: x preempted, a resumes with 4800 s left.
  // 2000 s: a reaches queue 2 too: x waits. a ends 6000; x resumes with 1000 s left -> 7000.
  const std::vector<JobSpec> jobs = {test::job("a", 0, 8, 5000), test::job("x", 200, 8, 2000)};
  const Params params = run_time_params({100, 1000});
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), jobs, "gittins", params);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].first_start), 200);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 6000);
  EXPECT_EQ(out["x"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].end), 7000);
}

TEST(Gittins, JobsThatLeftTheTopQueueWhileNobodyWaitedAreStillVictims) {
  // thresholds [100] run_time, 8 GPUs. Nobody waits before 500 s, so no pass runs at the
  // crossings (100 s for a, 110 s for c): the pass at 500 s must still see both below queue 0.
  //    0 s: a starts (4 GPUs, 1000 s).  10 s: c starts (4 GPUs, 1000 s).
  //  500 s: b arrives (queue 0, 8 GPUs, 100 s): a (500 attained) and c (490) are in queue 1,
  //         both preempted: b 500-600.
  //  600 s: a resumes with 500 s left -> 1100; c with 510 s left -> 1110.
  const std::vector<JobSpec> jobs = {test::job("a", 0, 4, 1000), test::job("c", 10, 4, 1000),
                                     test::job("b", 500, 8, 100)};
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8), jobs, "gittins", run_time_params({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 500);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 600);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_EQ(out["c"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 1100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 1110);
}

TEST(Gittins, AJobKeptToOneSiteThatCannotMakeRoomDoesNotHoldBackAJobThatCanElsewhere) {
  // thresholds [100] run_time; two sites of 8 GPUs. x0 (site 0 only, not preemptible) and x1
  // (site 1 only) start at 0 s, 1000 s each, and leave queue 0 at 100 s.
  //  150 s: a (site 0 only) and b (any site) arrive, 8 GPUs and 50 s each, queue 0, equal
  //         index: a first (id). Its only victim, x1, is at site 1: a cannot make room and
  //         waits. b, as large but allowed at site 1, preempts x1: b 150-200; x1 resumes with
  //         850 s left -> 1050.
  // 1000 s: x0 ends: a 1000-1050.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  std::vector<JobSpec> jobs = {test::job("x0", 0, 8, 1000), test::job("x1", 0, 8, 1000),
                               test::job("a", 150, 8, 50), test::job("b", 150, 8, 50)};
  jobs[0].allowed_sites = 0b01;
  jobs[0].preemptible = false;
  jobs[1].allowed_sites = 0b10;
  jobs[2].allowed_sites = 0b01;
  const auto out = test::run(fleet, jobs, "gittins", run_time_params({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 150);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 200);
  EXPECT_EQ(out["x1"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["x1"].end), 1050);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].first_start), 1000);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 1050);
}

TEST(Gittins, VictimsGoInOrderEvenWhenMoreThanTheFirstFewRankedAreNeeded) {
  // thresholds [100] run_time, sizes {200, 2000}, delta 100; 40 GPUs (five 8-GPU nodes).
  //  r0..r39: 1 GPU and 10,000 s each, r_i starts at i s and leaves queue 0 at i + 100 s (in
  //  that order). At 500 s each has attained 500 - i s, where the index is 0 for all (only the
  //  2,000 s size is alive and it does not end within delta), so they rank latest started first:
  //  r39, r38, ...
  //  500 s: b (queue 0, 20 GPUs, 100 s) needs 20 victims, more than the 16 ranked first:
  //         r39..r20 are preempted, b 500-600; each resumes at 600 s with 10,000 - (500 - i)
  //         left -> ends at 10,100 + i. r0..r19 keep running and end at 10,000 + i.
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 40; ++i) jobs.push_back(test::job(fmt::format("r{}", i), i, 1, 10000));
  jobs.push_back(test::job("b", 500, 20, 100));
  const auto out =
      test::run(test::single_cluster_fleet(1, 5, 8), jobs, "gittins", run_time_params({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 500);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 600);
  for (int i = 0; i < 40; ++i) {
    const Job& r = out[fmt::format("r{}", i)];
    EXPECT_EQ(r.preemptions, i >= 20 ? 1u : 0u) << i;
    EXPECT_DOUBLE_EQ(test::seconds(r.end), (i >= 20 ? 10100 : 10000) + i) << i;
  }
}

TEST(Gittins, RejectsSamplesDistributionWithoutSamples) {
  const PolicyInfo* info = find_policy("gittins");
  ASSERT_NE(info, nullptr);
  ASSERT_TRUE(info->validate);
  EXPECT_EQ(info->validate(make_params(*info, {})), "");
  EXPECT_EQ(info->validate(make_params(*info, {{"distribution", std::string("samples")}})),
            "samples: distribution is samples but no samples are given");
  EXPECT_EQ(info->validate(make_params(*info, {{"delta", 0.0}})),
            "delta: expected a positive number, got 0");
}

}  // namespace
}  // namespace fleetsim
