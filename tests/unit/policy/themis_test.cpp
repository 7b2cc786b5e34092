// themis: leases go to the worst finish-time fairness rho = (now - submit + remaining) /
// duration, re-decided only at lease boundaries. Hand-computed times on one 8-GPU node.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

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

TEST(Themis, RejectsANonPositiveLease) {
  const PolicyInfo* info = find_policy("themis");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->validate(make_params(*info, {})), "");
  EXPECT_EQ(info->validate(make_params(*info, {{"lease_s", 0.0}})),
            "lease_s: expected a number >= 0.001, got 0");
}

}  // namespace
}  // namespace fleetsim
