#include "sim/inference/demand_curve.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <boost/random/exponential_distribution.hpp>

namespace fleetsim {
namespace {

constexpr Duration kDay = 24 * kMicrosPerHour;

}  // namespace

DemandCurve::DemandCurve(DemandConfig config, SimTime start, const RngStreams& rng,
                         std::string_view name)
    : config_(std::move(config)),
      start_(start),
      burst_rng_(rng.stream("services/" + std::string(name) + "/bursts")) {
  if (config_.bursts_per_day > 0 && config_.burst_duration > 0) next_burst_ = draw_after(start_);
}

SimTime DemandCurve::draw_after(SimTime from) {
  // Gaps are exponential with mean 1 / bursts_per_day days.
  boost::random::exponential_distribution<double> gap_days(config_.bursts_per_day);
  const double gap_us = gap_days(burst_rng_) * static_cast<double>(kDay);
  return gap_us > 1e17 ? kTimeNever : from + std::max<SimTime>(1, static_cast<SimTime>(gap_us));
}

void DemandCurve::draw_bursts_until(SimTime t) {
  while (next_burst_ <= t) {
    burst_starts_.push_back(next_burst_);
    next_burst_ = draw_after(next_burst_);
  }
}

bool DemandCurve::in_burst(SimTime t) const {
  // The last burst starting at or before t covers it if it has not ended yet (every burst
  // lasts the same).
  auto it = std::upper_bound(burst_starts_.begin(), burst_starts_.end(), t);
  if (it == burst_starts_.begin()) return false;
  return t < *std::prev(it) + config_.burst_duration;
}

SimTime DemandCurve::step_start(SimTime t) const {
  return start_ + (t - start_) / config_.step * config_.step;
}

double DemandCurve::base_at(SimTime t) const {
  switch (config_.kind) {
    case DemandConfig::Kind::Constant:
      return config_.rps;
    case DemandConfig::Kind::Steps: {
      double rate = 0;
      for (const auto& [at_s, rps] : config_.points) {
        if (start_ + from_seconds(at_s) > t) break;
        rate = rps;
      }
      return rate;
    }
    case DemandConfig::Kind::Diurnal: {
      const SimTime local = step_start(t) + from_seconds(config_.utc_offset_h * 3600.0);
      const SimTime day = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
      const double hour = to_hours(local - day * kDay);
      const std::int64_t weekday = ((day % 7) + 7) % 7;  // 0 = Monday
      const double weekend = weekday >= 5 ? config_.weekend_factor : 1.0;
      return config_.mean_rps * weekend *
             (1.0 + config_.amplitude *
                        std::cos(2.0 * std::numbers::pi * (hour - config_.peak_hour) / 24.0));
    }
    case DemandConfig::Kind::Trace: {
      const std::size_t bins = config_.trace_rps.size();
      if (bins == 0) return 0;
      const auto bin = static_cast<std::size_t>((t - start_) / config_.step) % bins;
      return config_.trace_rps[bin] * config_.scale;
    }
  }
  return 0;
}

double DemandCurve::rate_at(SimTime t) {
  double rate = base_at(t);
  draw_bursts_until(t);
  if (in_burst(t)) rate *= config_.burst_multiplier;
  return rate;
}

SimTime DemandCurve::next_change(SimTime t) {
  SimTime next = kTimeNever;
  switch (config_.kind) {
    case DemandConfig::Kind::Constant:
      break;
    case DemandConfig::Kind::Steps:
      for (const auto& point : config_.points) {
        const SimTime at = start_ + from_seconds(point.first);
        if (at > t) {
          next = at;
          break;
        }
      }
      break;
    case DemandConfig::Kind::Diurnal:
    case DemandConfig::Kind::Trace:
      next = step_start(t) + config_.step;
      break;
  }
  // The end of the burst covering t, and the next burst start (all starts <= t are drawn, so
  // later ones are in the vector only when t went back, else the next is next_burst_).
  draw_bursts_until(t);
  auto it = std::upper_bound(burst_starts_.begin(), burst_starts_.end(), t);
  if (it != burst_starts_.begin() && t < *std::prev(it) + config_.burst_duration) {
    next = std::min(next, *std::prev(it) + config_.burst_duration);
  }
  return std::min(next, it != burst_starts_.end() ? *it : next_burst_);
}

}  // namespace fleetsim
