// Percentiles are Hyndman & Fan type 7 (numpy's default): rank = q (n - 1), linear between the
// two closest values. Every expected value below is worked out by hand in its comment.
#include "sim/metrics/statistics.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "sim/core/error.hpp"

namespace fleetsim {
namespace {

TEST(PercentileSorted, InterpolatesBetweenClosestRanks) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.50), 2.5);   // rank 1.5: 2 + 0.5 x (3 - 2)
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.95), 3.85);  // rank 2.85: 3 + 0.85 x (4 - 3)
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.99), 3.97);  // rank 2.97
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.25), 1.75);  // rank 0.75
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 1.0), 4.0);
}

TEST(PercentileSorted, FiveValues) {
  const std::vector<double> v = {10, 20, 30, 40, 50};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.50), 30);    // rank 2 exactly
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.95), 48);    // rank 3.8: 40 + 0.8 x 10
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.99), 49.6);  // rank 3.96
}

TEST(PercentileSorted, OneValueIsEveryPercentile) {
  EXPECT_DOUBLE_EQ(percentile_sorted({7}, 0.0), 7);
  EXPECT_DOUBLE_EQ(percentile_sorted({7}, 0.5), 7);
  EXPECT_DOUBLE_EQ(percentile_sorted({7}, 1.0), 7);
}

TEST(PercentileSorted, EmptyInputOrQuantileOutsideZeroOneIsOurBug) {
  EXPECT_THROW(percentile_sorted({}, 0.5), InternalError);
  EXPECT_THROW(percentile_sorted({1, 2}, 1.5), InternalError);
  EXPECT_THROW(percentile_sorted({1, 2}, -0.1), InternalError);
}

TEST(Describe, SortsAndSummarises) {
  std::vector<double> v = {4, 1, 3, 2};
  const Distribution d = describe(v);
  EXPECT_EQ(v, (std::vector<double>{1, 2, 3, 4}));  // sorted in place
  EXPECT_EQ(d.count, 4u);
  EXPECT_DOUBLE_EQ(d.mean, 2.5);  // 10 / 4
  EXPECT_DOUBLE_EQ(d.p50, 2.5);
  EXPECT_DOUBLE_EQ(d.p95, 3.85);
  EXPECT_DOUBLE_EQ(d.p99, 3.97);
  EXPECT_DOUBLE_EQ(d.max, 4);
}

TEST(Describe, EmptyIsAllZeros) {
  std::vector<double> v;
  const Distribution d = describe(v);
  EXPECT_EQ(d.count, 0u);
  EXPECT_EQ(d.mean, 0);
  EXPECT_EQ(d.p50, 0);
  EXPECT_EQ(d.p95, 0);
  EXPECT_EQ(d.p99, 0);
  EXPECT_EQ(d.max, 0);
}

TEST(Describe, MeanDoesNotDependOnInputOrder) {
  // Summed after sorting, so any permutation gives the same bits.
  std::vector<double> a = {0.1, 1e16, 0.2, -1e16, 0.3, 7.77};
  std::vector<double> b = {7.77, 0.3, -1e16, 0.2, 1e16, 0.1};
  EXPECT_EQ(describe(a).mean, describe(b).mean);
}

}  // namespace
}  // namespace fleetsim
