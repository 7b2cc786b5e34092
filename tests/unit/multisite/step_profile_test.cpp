// Carbon and price profiles: the value at a time, and integrals across the hours where it steps.
#include "sim/model/step_profile.hpp"

#include <array>

#include <gtest/gtest.h>

#include "sim/io/utc_time.hpp"

namespace fleetsim {
namespace {

std::array<double, 24> hour_numbers() {  // value h at local hour h
  std::array<double, 24> h{};
  for (std::size_t i = 0; i < 24; ++i) h[i] = static_cast<double>(i);
  return h;
}

TEST(StepProfile, DailyShapeFollowsLocalTimeFromItsOffset) {
  // Simulated time 0 is 22:00 local: hour 22 now, hour 23 an hour later, then hour 0.
  const StepProfile p = StepProfile::daily(hour_numbers(), 22 * kMicrosPerHour);
  EXPECT_EQ(p.at(0), 22);
  EXPECT_EQ(p.at(kMicrosPerHour - 1), 22);
  EXPECT_EQ(p.at(kMicrosPerHour), 23);
  EXPECT_EQ(p.at(2 * kMicrosPerHour), 0);
  EXPECT_EQ(p.at(-kMicrosPerHour), 21);  // before the run (negative times) too
  EXPECT_EQ(p.next_change(0), kMicrosPerHour);
}

TEST(StepProfile, IntegralSplitsAtEachHour) {
  const StepProfile p = StepProfile::daily(hour_numbers(), 0);
  // From 00:30 to 02:30: 0.5 h x 0 + 1 h x 1 + 0.5 h x 2 = 2 value-hours = 7200 value-seconds.
  EXPECT_DOUBLE_EQ(p.integral_s(kMicrosPerHour / 2, 5 * kMicrosPerHour / 2), 7200);
  EXPECT_DOUBLE_EQ(StepProfile::constant(3).integral_s(0, 10 * kMicrosPerSecond), 30);
}

TEST(StepProfile, SeriesHoldsEachValueUntilTheNextRow) {
  const StepProfile p = StepProfile::series({0, 100, 300}, {5, 7, 9});
  EXPECT_EQ(p.at(-50), 5);  // before the first row: the first value
  EXPECT_EQ(p.at(99), 5);
  EXPECT_EQ(p.at(100), 7);
  EXPECT_EQ(p.at(1000), 9);
  EXPECT_DOUBLE_EQ(p.integral_s(50, 350) * 1e6, 50 * 5 + 200 * 7 + 50 * 9);
}

TEST(UtcTime, ParsesDatesAndTimesAndRejectsImpossibleDays) {
  EXPECT_EQ(parse_utc("2026-01-01"), 1'767'225'600);
  EXPECT_EQ(parse_utc("2026-01-01T06:30"), 1'767'225'600 + 6 * 3600 + 30 * 60);
  EXPECT_EQ(parse_utc("2026-01-01T06:30:15Z"), 1'767'225'600 + 6 * 3600 + 30 * 60 + 15);
  EXPECT_EQ(parse_utc("2026-02-28"), 1'767'225'600 + 58 * 86400);
  EXPECT_FALSE(parse_utc("2026-02-29"));  // not a leap year
  EXPECT_FALSE(parse_utc("2026-13-01"));
  EXPECT_FALSE(parse_utc("2026-01-01T24:00"));
  EXPECT_FALSE(parse_utc("yesterday"));
}

}  // namespace
}  // namespace fleetsim
