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

TEST(StepProfile, NextValueChangeSkipsStepsToTheSameValue) {
  // Hours 0-5 at 1, 6-17 at 2, 18-23 at 1, from local midnight at time 0.
  std::array<double, 24> h{};
  for (std::size_t i = 0; i < 24; ++i) h[i] = i >= 6 && i < 18 ? 2 : 1;
  const StepProfile p = StepProfile::daily(h, 0);
  EXPECT_EQ(p.next_value_change(0), 6 * kMicrosPerHour);
  EXPECT_EQ(p.next_value_change(6 * kMicrosPerHour), 18 * kMicrosPerHour);
  EXPECT_EQ(p.next_value_change(18 * kMicrosPerHour), 30 * kMicrosPerHour);  // over midnight
  std::array<double, 24> flat{};
  flat.fill(3);
  EXPECT_EQ(StepProfile::daily(flat, 0).next_value_change(0), kTimeNever);
  const StepProfile s = StepProfile::series({0, 10, 20, 30}, {5, 5, 7, 7});
  EXPECT_EQ(s.next_value_change(0), 20);
  EXPECT_EQ(s.next_value_change(20), kTimeNever);
  EXPECT_EQ(StepProfile::constant(1).next_value_change(0), kTimeNever);
}

TEST(StepProfile, MinOverAnIntervalAndMaxValue) {
  const StepProfile s = StepProfile::series({0, 10, 20, 30}, {5, 3, 7, 4});
  EXPECT_EQ(s.min_over(0, 10), 5);   // [0, 10): the first step only
  EXPECT_EQ(s.min_over(0, 11), 3);
  EXPECT_EQ(s.min_over(20, 30), 7);
  EXPECT_EQ(s.min_over(25, 1000), 4);
  EXPECT_EQ(s.max_value(), 7);
  std::array<double, 24> h{};
  for (std::size_t i = 0; i < 24; ++i) h[i] = static_cast<double>(i + 1);
  const StepProfile d = StepProfile::daily(h, 0);
  EXPECT_EQ(d.min_over(5 * kMicrosPerHour, 7 * kMicrosPerHour), 6);
  EXPECT_EQ(d.min_over(23 * kMicrosPerHour, 25 * kMicrosPerHour), 1);  // over midnight
  EXPECT_EQ(d.min_over(5 * kMicrosPerHour, 40 * kMicrosPerHour), 1);   // a whole day: all hours
  EXPECT_EQ(d.max_value(), 24);
}

}  // namespace
}  // namespace fleetsim
