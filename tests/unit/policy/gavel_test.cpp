// gavel_max_min / gavel_throughput: the LP over job x GPU-type time fractions (GLPK), realised in
// rounds. Hand-computed on a 2-GPU fleet where one model is 4x slower on the slow type and the
// other is not, and the LP itself on a problem small enough to solve by hand.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sim/policy/builtin/gavel_lp.hpp"
#include "tests/support/scripted.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// One GPU of type F (reference) and one of type S, on which class "a" runs at 0.25 and class "b"
// at full speed. F's node comes first, so first-fit gives the first job F.
Fleet two_type_fleet() {
  GpuType fast{"F", 100, 80, 700, 70, 0, {}};
  GpuType slow{"S", 50, 80, 400, 40, 0, {{"default", 0.25}, {"b", 1.0}}};
  Fleet fleet;
  fleet.catalog = GpuCatalog({fast, slow}, "F");
  fleet.topology = Topology(2);
  fleet.topology.add_site({"site0", "XX", "r", "own", {}, 0, 0});
  const ClusterId c = fleet.topology.add_cluster(SiteId{0u}, "c0");
  fleet.topology.add_racks(c, 1, 1, 1, *fleet.catalog.find("F"));
  fleet.topology.add_racks(c, 1, 1, 1, *fleet.catalog.find("S"));
  return fleet;
}

// Moved in rather than assigned from a literal: g++ 12 -O3 warns falsely (-Wrestrict) on that.
JobSpec of_class(JobSpec spec, std::string job_class) {
  spec.job_class = std::move(job_class);
  return spec;
}

std::vector<JobSpec> jobs() {
  // b first: FIFO gives it the fast GPU
  return {of_class(test::job("b", 0, 1, 100), "b"), of_class(test::job("a", 0, 1, 100), "a")};
}

TEST(Gavel, HeterogeneityAwareAllocationGivesTheFastGpuToTheJobThatGainsFromIt) {
  // fifo_backfill, first fit: b (id 0) takes F, a takes S at 0.25: a ends 100 / 0.25 = 400 s.
  const auto fifo = test::run(two_type_fleet(), jobs(), "fifo_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(fifo["a"].end), 400);
  // Gavel, both objectives. Throughput: max x_aF + 0.25 x_aS + x_bF + x_bS with each GPU and
  // each job's time <= 1 -> x_aF = x_bS = 1 (total 2). Max-min: equal-share speeds are
  // a (1 + 0.25) / 2 = 0.625 and b 1; b's normalised throughput is at most 1, reached with
  // x_bS = 1 while a gets x_aF = 1 (1.6), and the throughput tie-break picks exactly that.
  // Round 0: a -> F, b -> S; both end at 100 s.
  for (const char* policy : {"gavel_throughput", "gavel_max_min"}) {
    SCOPED_TRACE(policy);
    const auto out = test::run(two_type_fleet(), jobs(), policy);
    EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 100);
    EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 100);
    EXPECT_EQ(out["a"].gpu_type, *two_type_fleet().catalog.find("F"));
  }
}

TEST(GavelLp, MaxMinSharesOneGpuEquallyBetweenTwoIdenticalJobs) {
  // One type with 1 GPU, two 1-GPU jobs of speed 1: z <= x_0, z <= x_1, x_0 + x_1 <= 1 ->
  // x_0 = x_1 = 0.5.
  const std::vector<detail::GavelJob> lp = {{1, {1.0}, 1}, {1, {1.0}, 1}};
  const auto x = detail::solve_gavel_lp(lp, {1.0}, detail::GavelObjective::MaxMinFairness);
  EXPECT_NEAR(x[0][0], 0.5, 1e-9);
  EXPECT_NEAR(x[1][0], 0.5, 1e-9);
  // The same as one row standing for two jobs.
  const auto grouped =
      detail::solve_gavel_lp({{1, {1.0}, 2}}, {1.0}, detail::GavelObjective::MaxMinFairness);
  EXPECT_NEAR(grouped[0][0], 0.5, 1e-9);
}

TEST(GavelLp, ThroughputPutsEachJobOnTheTypeWhereItGainsMost) {
  // Types {F, S}, one GPU each. Job 0 speeds {1, 0.25}, job 1 {1, 1}: the optimum (2) is
  // x_0F = 1, x_1S = 1.
  const std::vector<detail::GavelJob> lp = {{1, {1.0, 0.25}, 1}, {1, {1.0, 1.0}, 1}};
  const auto x = detail::solve_gavel_lp(lp, {1.0, 1.0}, detail::GavelObjective::TotalThroughput);
  EXPECT_NEAR(x[0][0], 1.0, 1e-9);
  EXPECT_NEAR(x[0][1], 0.0, 1e-9);
  EXPECT_NEAR(x[1][1], 1.0, 1e-9);
}

TEST(Gavel, KeepsAJobItsGpusUntilItHasMadeProgress) {
  // One GPU, two identical 200 s jobs at t = 0, rounds of 100 s, a 250 s resume overhead.
  // Max-min gives each x = 0.5; priority = x / (share of its time run so far), ties by id.
  // t=0: a starts (first start: no overhead). t=100: b has had nothing: b replaces a (a 100 s
  // done). t=200: both 0.5 / 0.5: a replaces b (b 100 s done); a resumes, progressing from 450.
  // t=300, 400: a is still in its overhead, so it stays (rotating it out here, as b's priority
  // 0.5 / (100 / 300) asks, would restart the overhead every round: a livelock).
  // t=500: a ran 400 of 500 s, b 100: b replaces a (a 50 s left); b progresses from 750.
  // t=800: both 0.5 / 0.5: a replaces b (b 50 s left); a progresses from 1050, ends 1100.
  // t=1100: b alone, resumes, progresses from 1350, ends 1400.
  EngineConfig config = test::no_samples();
  config.resume_overhead = from_seconds(250);
  const auto out = test::run(test::single_cluster_fleet(1, 1, 1),
                             {test::job("a", 0, 1, 200), test::job("b", 0, 1, 200)},
                             "gavel_max_min", {{"round_s", 100.0}}, "first_fit", config);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 1100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 1400);
  EXPECT_EQ(out["a"].preemptions, 2U);
  EXPECT_EQ(out["b"].preemptions, 2U);
}

TEST(Gavel, AJobAFailureStoppedStopsReceivingTimeThen) {
  // Two 1-GPU nodes, rounds of 100 s, no checkpoints; a 50 s, b 200 s, c 150 s, all at 0.
  // Max-min gives each x = 2/3; priority = x / (share of its time run so far), ties by id.
  // t=0: a node 0, b node 1. t=10: node 0 fails until 1000; a loses its 10 s (50 s left).
  // t=100: c (nothing yet) first, a (10 / 100) before b (100 / 100): c preempts b on node 1.
  // t=200: a (10 / 200) before b and c (100 / 200 each): a preempts c on node 1, ends 250.
  //   (Counting a's time as if it still ran since 0 would put a last: c would keep node 1.)
  // t=250: b and c tie (100 / 250), b by id: b on node 1 with 100 s left. t=300: re-solved
  // (x = 1 each), both granted, c finds no GPU. b ends 350; c then runs its last 50 s: 400.
  const test::RunOutput out = test::run_with_failures(
      test::single_cluster_fleet(1, 2, 1),
      {test::job("a", 0, 1, 50), test::job("b", 0, 1, 200), test::job("c", 0, 1, 150)},
      test::scripted_failure(10, FailureLevel::Node, 0, 990), {}, 1, "gavel_max_min",
      {{"round_s", 100.0}});
  EXPECT_EQ(out["a"].interruptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 250);
  EXPECT_EQ(out["b"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 350);
  EXPECT_EQ(out["c"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 400);
}

TEST(Gavel, RejectsANonPositiveRound) {
  for (const char* name : {"gavel_max_min", "gavel_throughput"}) {
    const PolicyInfo* info = find_policy(name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->validate(make_params(*info, {})), "");
    EXPECT_EQ(info->validate(make_params(*info, {{"round_s", 0.0}})),
              "round_s: expected a number >= 0.001, got 0");
  }
}

}  // namespace
}  // namespace fleetsim
