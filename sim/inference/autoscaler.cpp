#include "sim/inference/autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fleetsim {

std::uint32_t recommended_replicas(double demand_rps, double replica_rps, double target_utilisation,
                                   std::uint32_t min_replicas, std::uint32_t max_replicas) {
  const double exact = demand_rps / (replica_rps * target_utilisation);
  const double wanted = std::ceil(exact * (1.0 - 1e-9));
  const double capped =
      std::clamp(wanted, static_cast<double>(min_replicas), static_cast<double>(max_replicas));
  return static_cast<std::uint32_t>(capped);
}

std::uint32_t Autoscaler::evaluate(SimTime now, std::uint32_t recommended) {
  history_.emplace_back(now, recommended);
  const Duration keep = std::max(config_.scale_up_delay, config_.scale_down_delay);
  while (!history_.empty() && history_.front().first < now - keep) history_.pop_front();
  std::uint32_t up = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t down = 0;
  for (const auto& [at, count] : history_) {
    if (at >= now - config_.scale_up_delay) up = std::min(up, count);
    if (at >= now - config_.scale_down_delay) down = std::max(down, count);
  }
  if (up > target_) {
    target_ = up;
  } else if (down < target_) {
    target_ = down;
  }
  return target_;
}

}  // namespace fleetsim
