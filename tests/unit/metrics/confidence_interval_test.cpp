// Student-t intervals against hand-computed cases (t quantiles from a printed t table).
#include "sim/metrics/confidence_interval.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

TEST(ConfidenceInterval, ThreeValuesMatchTheHandComputedStudentTInterval) {
  // {2, 4, 6}: mean 4; s^2 = (4 + 0 + 4) / (3 - 1) = 4, s = 2; t(0.975, 2 df) = 4.302653;
  // half width = 4.302653 * 2 / sqrt(3) = 4.302653 * 1.154701 = 4.968275.
  const Interval i = mean_interval({2, 4, 6});
  EXPECT_EQ(i.n, 3u);
  EXPECT_DOUBLE_EQ(i.mean, 4.0);
  EXPECT_NEAR(i.half_width, 4.968275, 1e-6);
  EXPECT_NEAR(i.low(), -0.968275, 1e-6);
  EXPECT_NEAR(i.high(), 8.968275, 1e-6);
}

TEST(ConfidenceInterval, FiveValuesUseFourDegreesOfFreedom) {
  // {10, 12, 9, 11, 13}: mean 11; squares 1 + 1 + 4 + 0 + 4 = 10, s^2 = 10 / 4 = 2.5,
  // s = 1.581139; t(0.975, 4 df) = 2.776445; half = 2.776445 * 1.581139 / sqrt(5) = 1.963243.
  const Interval i = mean_interval({10, 12, 9, 11, 13});
  EXPECT_DOUBLE_EQ(i.mean, 11.0);
  EXPECT_NEAR(i.half_width, 1.963243, 1e-6);
  // At 90 %: t(0.95, 4 df) = 2.131847; half = 2.131847 * 0.707107 = 1.507443.
  EXPECT_NEAR(mean_interval({10, 12, 9, 11, 13}, 0.90).half_width, 1.507443, 1e-6);
}

TEST(ConfidenceInterval, OneValueHasAMeanButNoInterval) {
  const Interval i = mean_interval({7.5});
  EXPECT_DOUBLE_EQ(i.mean, 7.5);
  EXPECT_TRUE(std::isnan(i.half_width));
}

TEST(ConfidenceInterval, IdenticalValuesGiveAZeroWidthInterval) {
  EXPECT_DOUBLE_EQ(mean_interval({3, 3, 3, 3}).half_width, 0.0);
}

TEST(ConfidenceInterval, PairedDifferenceIsTheIntervalOfPerSeedDifferences) {
  // baseline {10, 12, 14}, other {11, 14, 15}: differences {1, 2, 1}, mean 4/3; deviations
  // -1/3, 2/3, -1/3, s^2 = (1/9 + 4/9 + 1/9) / 2 = 1/3, s / sqrt(3) = 1/3;
  // half = 4.302653 / 3 = 1.434218. Unpaired, the two samples' spread (s = 2 each) would hide it.
  const Interval d = paired_difference_interval({10, 12, 14}, {11, 14, 15});
  EXPECT_EQ(d.n, 3u);
  EXPECT_NEAR(d.mean, 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(d.half_width, 1.434218, 1e-6);
}

}  // namespace
}  // namespace fleetsim
