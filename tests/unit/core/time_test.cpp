// Simulated time: integer microseconds, converted to seconds and hours only at the edges.
#include "sim/core/time.hpp"

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

TEST(Time, UnitsAreMicroseconds) {
  EXPECT_EQ(kMicrosPerSecond, 1'000'000);
  EXPECT_EQ(kMicrosPerHour, 3'600'000'000);
  EXPECT_GT(kTimeNever, 100LL * 365 * 24 * kMicrosPerHour);  // more than a century
}

TEST(Time, FromSecondsRoundsToTheNearestMicrosecond) {
  EXPECT_EQ(from_seconds(1.5), 1'500'000);
  EXPECT_EQ(from_seconds(0), 0);
  EXPECT_EQ(from_seconds(-2.25), -2'250'000);
  EXPECT_EQ(from_seconds(3600.000001), 3'600'000'001);  // 1 µs survives an hour
  // Halves round away from zero (llround): 2.5 µs -> 3, 0.4 µs -> 0, -2.5 µs -> -3.
  EXPECT_EQ(from_seconds(2.5e-6), 3);
  EXPECT_EQ(from_seconds(0.4e-6), 0);
  EXPECT_EQ(from_seconds(-2.5e-6), -3);
  // A year of seconds (31,536,000 s) is exact.
  EXPECT_EQ(from_seconds(31'536'000.0), 31'536'000LL * kMicrosPerSecond);
}

TEST(Time, ToSecondsAndHoursInvertFromSeconds) {
  EXPECT_DOUBLE_EQ(to_seconds(1'500'000), 1.5);
  EXPECT_DOUBLE_EQ(to_seconds(-250'000), -0.25);
  EXPECT_DOUBLE_EQ(to_hours(kMicrosPerHour), 1.0);
  EXPECT_DOUBLE_EQ(to_hours(5'400'000'000), 1.5);  // 5400 s = 1.5 h
  EXPECT_EQ(from_seconds(to_seconds(123'456'789)), 123'456'789);
}

}  // namespace
}  // namespace fleetsim
