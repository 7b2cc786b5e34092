#include "sim/model/step_profile.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace fleetsim {
namespace {

constexpr Duration kHour = kMicrosPerHour;

// floor(a / b) for b > 0, also for negative a.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && a < 0); }

}  // namespace

StepProfile StepProfile::constant(double value) {
  StepProfile p;
  p.value_ = value;
  return p;
}

StepProfile StepProfile::daily(const std::array<double, 24>& hourly, Duration offset) {
  FLEETSIM_CHECK(offset >= 0 && offset < 24 * kHour, "daily profile offset {} out of a day",
                 offset);
  StepProfile p;
  p.kind_ = Kind::Daily;
  p.hourly_ = hourly;
  p.offset_ = offset;
  return p;
}

StepProfile StepProfile::series(std::vector<SimTime> times, std::vector<double> values) {
  FLEETSIM_CHECK(!times.empty() && times.size() == values.size(), "bad series: {} times, {} values",
                 times.size(), values.size());
  FLEETSIM_CHECK(std::adjacent_find(times.begin(), times.end(), std::greater_equal<>()) ==
                     times.end(),
                 "series times not strictly ascending");
  StepProfile p;
  p.kind_ = Kind::Series;
  p.times_ = std::move(times);
  p.values_ = std::move(values);
  return p;
}

double StepProfile::at(SimTime t) const {
  switch (kind_) {
    case Kind::Constant: return value_;
    case Kind::Daily: {
      const std::int64_t hour = floor_div(t + offset_, kHour) % 24;
      return hourly_[static_cast<std::size_t>(hour < 0 ? hour + 24 : hour)];
    }
    case Kind::Series: {
      const auto it = std::upper_bound(times_.begin(), times_.end(), t);
      return it == times_.begin() ? values_.front() : values_[static_cast<std::size_t>(it - times_.begin()) - 1];
    }
  }
  return value_;
}

SimTime StepProfile::next_change(SimTime t) const {
  switch (kind_) {
    case Kind::Constant: return kTimeNever;
    case Kind::Daily: return (floor_div(t + offset_, kHour) + 1) * kHour - offset_;
    case Kind::Series: {
      const auto it = std::upper_bound(times_.begin(), times_.end(), t);
      return it == times_.end() ? kTimeNever : *it;
    }
  }
  return kTimeNever;
}

SimTime StepProfile::next_value_change(SimTime t) const {
  if (kind_ == Kind::Constant) return kTimeNever;
  const double now = at(t);
  if (kind_ == Kind::Daily) {
    for (int step = 0; step < 24; ++step) {
      t = next_change(t);
      if (at(t) != now) return t;
    }
    return kTimeNever;  // 24 equal values
  }
  for (t = next_change(t); t != kTimeNever; t = next_change(t)) {
    if (at(t) != now) return t;
  }
  return kTimeNever;
}

double StepProfile::min_over(SimTime a, SimTime b) const {
  double low = at(a);
  if (kind_ == Kind::Constant) return low;
  // Past a whole day, a daily shape has shown every value.
  if (kind_ == Kind::Daily && b - a >= 24 * kHour) {
    return *std::min_element(hourly_.begin(), hourly_.end());
  }
  for (SimTime t = next_change(a); t < b; t = next_change(t)) low = std::min(low, at(t));
  return low;
}

double StepProfile::max_value() const {
  switch (kind_) {
    case Kind::Constant: return value_;
    case Kind::Daily: return *std::max_element(hourly_.begin(), hourly_.end());
    case Kind::Series: return *std::max_element(values_.begin(), values_.end());
  }
  return value_;
}

double StepProfile::stepped_integral_s(SimTime a, SimTime b) const {
  FLEETSIM_CHECK(a <= b, "integral over [{}, {})", a, b);
  if (kind_ == Kind::Constant) return value_ * to_seconds(b - a);
  double sum = 0;
  for (SimTime t = a; t < b;) {
    const SimTime end = std::min(b, next_change(t));
    sum += at(t) * to_seconds(end - t);
    t = end;
  }
  return sum;
}

}  // namespace fleetsim
