// themis: leases go to the worst finish-time fairness rho = (now - submit + remaining) /
// duration, re-decided only at lease boundaries. Hand-computed times on one 8-GPU node (and on
// an H100 + A100 fleet where GPU types keep jobs apart).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// One node of 4 H100s and one of 4 A100s (speed 0.5: wall time = 2 x duration), and a way to
// keep jobs to one of the two types.
struct H100AndA100 {
  Fleet fleet = test::fleet_of({{0, 1, 1, 4, "H100"}, {0, 1, 1, 4, "A100"}});
  GpuTypeId h100 = *fleet.catalog.find("H100");
  GpuTypeId a100 = *fleet.catalog.find("A100");
  static void keep_to(GpuTypeId type, std::vector<JobSpec>& jobs,
                      std::initializer_list<std::size_t> which) {
    for (std::size_t i : which) jobs[i].allowed_types = {type};
  }
};

TEST(Themis, WorstRhoTakesTheGpusAtTheNextLeaseBoundary) {
  // lease 100 s. a: 8 GPUs 0 s, 1000 s (starts at 0). b: 8 GPUs arrives 10 s, 100 s: waits,
  // as 10 s is inside a lease. 100 s: rho_a = (100 + 900) / 1000 = 1.0,
  // rho_b = (90 + 100) / 100 = 1.9: b's, so a is preempted: b 100-200, a 200 + 900 = 1100.
  const std::vector<JobSpec> jobs = {test::job("a", 0, 8, 1000), test::job("b", 10, 8, 100)};
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8), jobs, "themis", {{"lease_s", 100.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 200);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 1100);
  // A 1000 s lease: the first boundary after 0 s is 1000 s, when a ends: b 1000-1100.
  const auto long_lease =
      test::run(test::single_cluster_fleet(1, 1, 8), jobs, "themis", {{"lease_s", 1000.0}});
  EXPECT_EQ(long_lease["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(long_lease["b"].first_start), 1000);
}

TEST(Themis, WaitingJobsGoByRhoNotArrival) {
  // lease 100 s. a: 8 GPUs 0-100. b: arrives 10 s, 1000 s; c: arrives 20 s, 10 s.
  // 100 s: rho_b = (90 + 1000) / 1000 = 1.09, rho_c = (80 + 10) / 10 = 9: c 100-110,
  // then b 110-1110 (FIFO would run b first).
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {test::job("a", 0, 8, 100), test::job("b", 10, 8, 1000), test::job("c", 20, 8, 10)},
                "themis", {{"lease_s", 100.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 1110);
}

TEST(Themis, AJobPreemptedAtABoundaryIsRankedAgainAtTheNext) {
  // One GPU, leases of 100 s. a (400 s) at 0, b (300 s) at 50; rho = (now - submit + remaining)
  // / duration. t=100: a (100 + 300) / 400 = 1.0, b (50 + 300) / 300 = 1.17: b replaces a.
  // t=200: a (200 + 300) / 400 = 1.25, b (150 + 200) / 300 = 1.17: a replaces b.
  // t=300: a (300 + 200) / 400 = 1.25, b (250 + 200) / 300 = 1.5: b replaces a.
  // t=400: a (400 + 200) / 400 = 1.5, b (350 + 100) / 300 = 1.5: a tie, the running b keeps it
  // and ends at 500; a runs its last 200 s to 700. (Waiting for b's finish at t=100 instead of
  // the next boundary, b would end at 400.)
  const auto out = test::run(test::single_cluster_fleet(1, 1, 1),
                             {test::job("a", 0, 1, 400), test::job("b", 50, 1, 300)}, "themis",
                             {{"lease_s", 100.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 500);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 700);
  EXPECT_EQ(out["a"].preemptions, 2U);
  EXPECT_EQ(out["b"].preemptions, 1U);
}

TEST(Themis, TenantUnitRanksTenantsByTheMeanRhoOfTheirJobs) {
  // lease 100 s, 8 GPUs, every job 8 GPUs. a1 (tenant A) runs from 0 s, 1000 s. Waiting at the
  // 100 s boundary: a2 (A, arrived 10 s, 100 s): rho (90 + 100) / 100 = 1.9; a3 (A, 95 s,
  // 1000 s): (5 + 1000) / 1000 = 1.005; b (B, 20 s, 160 s): (80 + 160) / 160 = 1.5; and a1:
  // (100 + 900) / 1000 = 1.0.
  // unit job: a2 has the worst rho -> a2 100-200.
  // unit tenant: A's mean (1.0 + 1.9 + 1.005) / 3 = 1.30 < B's 1.5 -> b 100-.
  //   200 s: b (180 + 60) / 160 = 1.5; A: a1 (200 + 900) / 1000 = 1.1, a2 (190 + 100) / 100 = 2.9,
  //   a3 (105 + 1000) / 1000 = 1.105, mean 1.70 > 1.5 -> b is preempted, a2 200-300.
  //   300 s: b (280 + 60) / 160 = 2.125; A: a1 1.2, a3 1.205, mean 1.2025 -> b 300-360.
  const auto jobs = [] {
    std::vector<JobSpec> out = {test::job("a1", 0, 8, 1000), test::job("a2", 10, 8, 100),
                                test::job("b", 20, 8, 160), test::job("a3", 95, 8, 1000)};
    // A std::string moved in: g++ 12 -O3 warns falsely (-Wrestrict) on assigning the literal.
    for (JobSpec& j : out) j.tenant = std::string(j.name == "b" ? "B" : "A");
    return out;
  }();
  const auto by_job = test::run(test::single_cluster_fleet(1, 1, 8), jobs, "themis",
                                {{"lease_s", 100.0}, {"unit", std::string("job")}});
  EXPECT_DOUBLE_EQ(test::seconds(by_job["a2"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(by_job["a2"].end), 200);
  const auto by_tenant = test::run(test::single_cluster_fleet(1, 1, 8), jobs, "themis",
                                   {{"lease_s", 100.0}, {"unit", std::string("tenant")}});
  EXPECT_DOUBLE_EQ(test::seconds(by_tenant["b"].first_start), 100);
  EXPECT_EQ(by_tenant["b"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(by_tenant["a2"].first_start), 200);
  EXPECT_DOUBLE_EQ(test::seconds(by_tenant["b"].end), 360);
}

TEST(Themis, BetweenBoundariesAFreedGpuGoesToTheWorstRhoAmongJobsThatFit) {
  // lease 600 s, 8 GPUs. a1 (7 GPUs, 1000 s) and a2 (1 GPU, 100 s) start at 0. Waiting:
  // c (1 GPU, 50 s) from 10 s, d (1 GPU, 2000 s) from 20 s, e (4 GPUs, 10 s) from 30 s.
  // 100 s (no boundary): a2 ends, 1 GPU free. e has the worst rho, (100 - 30 + 10) / 10 = 8,
  //   but 4 GPUs do not fit; c's (100 - 10 + 50) / 50 = 2.8 beats d's (100 - 20 + 2000) /
  //   2000 = 1.04: c 100-150.
  // 150 s: c ends; e still does not fit: d starts. e waits for the boundary at 600 s.
  const std::vector<JobSpec> jobs = {test::job("a1", 0, 7, 1000), test::job("a2", 0, 1, 100),
                                     test::job("c", 10, 1, 50), test::job("d", 20, 1, 2000),
                                     test::job("e", 30, 4, 10)};
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8), jobs, "themis", {{"lease_s", 600.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 150);
  EXPECT_GE(test::seconds(out["e"].first_start), 600);
}

TEST(Themis, BetweenBoundariesAJobThatCannotStartHoldsBackOnlyJobsOfItsOwnShape) {
  // lease 600 s; 4 H100s and 4 A100s (speed 0.5: wall time = 2 x duration). At 0: h (4 H100s,
  // 1000 s, not preemptible), a1 (1 A100, 100 s: 0-200), a2 (3 A100s, 5000 s). Waiting, all of
  // 1 GPU: p (H100 only, 10 s, from 10 s), s (H100 only, 20 s, from 30 s), r (A100 only,
  // 1000 s, from 20 s), t (any type, 30 s, from 40 s).
  // 200 s (no boundary): a1 ends, one A100 free. rho: p (200 - 10 + 10) / 10 = 20,
  //   s (200 - 30 + 20) / 20 = 9.5, t (200 - 40 + 30) / 30 = 6.33, r (200 - 20 + 1000) / 1000
  //   = 1.18. p finds no H100, and neither would s; t, also 1 GPU but of any type, takes the
  //   A100 ahead of r: t 200-260. 260 s: t ends, r takes the A100.
  // 1000 s: h ends; p and s start.
  const H100AndA100 two;
  std::vector<JobSpec> jobs = {test::job("h", 0, 4, 1000),    test::job("a1", 0, 1, 100),
                               test::job("a2", 0, 3, 5000),   test::job("p", 10, 1, 10),
                               test::job("r", 20, 1, 1000),   test::job("s", 30, 1, 20),
                               test::job("t", 40, 1, 30)};
  H100AndA100::keep_to(two.h100, jobs, {0, 3, 5});
  H100AndA100::keep_to(two.a100, jobs, {1, 2, 4});
  jobs[0].preemptible = false;
  const auto out = test::run(two.fleet, jobs, "themis", {{"lease_s", 600.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["a1"].end), 200);
  EXPECT_DOUBLE_EQ(test::seconds(out["t"].first_start), 200);
  EXPECT_DOUBLE_EQ(test::seconds(out["t"].end), 260);
  EXPECT_DOUBLE_EQ(test::seconds(out["r"].first_start), 260);
  EXPECT_DOUBLE_EQ(test::seconds(out["p"].first_start), 1000);
  EXPECT_DOUBLE_EQ(test::seconds(out["s"].first_start), 1000);
}

TEST(Themis, AShapeThatRunsOutOfGpusInAPassHoldsBackOnlyItself) {
  // lease 600 s; 4 H100s and 4 A100s (speed 0.5), nothing preemptible but f1, f2. At 0: h (3
  // H100s) and a (3 A100s) for 5000 s, f1 (1 H100, 100 s) and f2 (1 A100, 50 s = 100 s wall).
  // Waiting, all of 1 GPU: x (H100 only, utilisation 0.5: a shape of its own, 10 s, from
  // 10 s), z (H100 only, 20 s, from 20 s), y (A100 only, 100 s, from 30 s).
  // 100 s (no boundary): f1 and f2 end, one H100 and one A100 free; each shape could start a
  // job. rho: x (100 - 10 + 10) / 10 = 10, z (100 - 20 + 20) / 20 = 5, y (100 - 30 + 100) / 100
  // = 1.7. x takes the H100, so z finds none; y still takes the A100: x and y 100-, z waits
  // for x: 110-130.
  const H100AndA100 two;
  std::vector<JobSpec> jobs = {test::job("h", 0, 3, 5000), test::job("a", 0, 3, 5000),
                               test::job("f1", 0, 1, 100), test::job("f2", 0, 1, 50),
                               test::job("x", 10, 1, 10),  test::job("z", 20, 1, 20),
                               test::job("y", 30, 1, 100)};
  H100AndA100::keep_to(two.h100, jobs, {0, 2, 4, 5});
  H100AndA100::keep_to(two.a100, jobs, {1, 3, 6});
  jobs[0].preemptible = false;
  jobs[1].preemptible = false;
  jobs[4].gpu_utilisation = 0.5F;
  const auto out = test::run(two.fleet, jobs, "themis", {{"lease_s", 600.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["f2"].end), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["z"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["z"].end), 130);
}

TEST(Themis, RejectsANonPositiveLease) {
  const PolicyInfo* info = find_policy("themis");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->validate(make_params(*info, {})), "");
  EXPECT_EQ(info->validate(make_params(*info, {{"lease_s", 0.0}})),
            "lease_s: expected a number >= 0.001, got 0");
}

}  // namespace
}  // namespace fleetsim
