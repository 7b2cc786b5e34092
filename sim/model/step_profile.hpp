// A quantity that changes over simulated time in steps: a site's carbon intensity, electricity
// price or IT power cap. Either constant, a 24-value daily shape in the site's local time, or a
// series of (time, value) steps for the whole run. Pure: no I/O; the loader builds it.
#pragma once

#include <array>
#include <vector>

#include "sim/core/time.hpp"

namespace fleetsim {

class StepProfile {
 public:
  StepProfile() = default;  // constant 0
  static StepProfile constant(double value);
  // `hourly[h]` holds from local hour h to h+1. `offset` = the local time of day at simulated
  // time 0, in [0, 24 h).
  static StepProfile daily(const std::array<double, 24>& hourly, Duration offset);
  // values[i] holds from times[i] until times[i+1]; before times[0] the first value holds.
  // Precondition: times strictly ascending, same length as values, not empty.
  static StepProfile series(std::vector<SimTime> times, std::vector<double> values);

  double at(SimTime t) const;
  // The first instant after t at which the value may change, or kTimeNever.
  SimTime next_change(SimTime t) const;
  // The first instant after t at which the value differs from at(t), or kTimeNever (steps to an
  // equal value are skipped). Daily: at most 24 steps; series: a scan from t's step.
  SimTime next_value_change(SimTime t) const;
  // Integral of the value over [a, b), in value x seconds. Precondition: a <= b. A constant's is
  // inline: the power ledger integrates carbon and price at every start and finish.
  double integral_s(SimTime a, SimTime b) const {
    if (kind_ == Kind::Constant && a <= b) return value_ * to_seconds(b - a);
    return stepped_integral_s(a, b);
  }
  // The smallest value over [a, b) (at(a) when a >= b). Daily: at most 24 steps.
  double min_over(SimTime a, SimTime b) const;
  // The largest value the profile ever takes (a series' first value holds before its first step).
  double max_value() const;
  bool is_constant() const { return kind_ == Kind::Constant; }
  bool is_daily() const { return kind_ == Kind::Daily; }

 private:
  enum class Kind { Constant, Daily, Series };
  double stepped_integral_s(SimTime a, SimTime b) const;
  Kind kind_ = Kind::Constant;
  double value_ = 0;
  std::array<double, 24> hourly_{};
  Duration offset_ = 0;
  std::vector<SimTime> times_;
  std::vector<double> values_;
};

}  // namespace fleetsim
