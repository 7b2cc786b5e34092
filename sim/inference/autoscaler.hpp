// One service's autoscaler: from the demand at each evaluation, how many replicas it asks for.
// Kubernetes-HPA stabilisation windows (see AutoscalerConfig); pure logic, no engine state, so
// a step in demand gives replica targets a person can work out by hand.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include "sim/inference/service_spec.hpp"

namespace fleetsim {

// ceil(demand / (replica_rps x target_utilisation)) within [min, max] (a relative 1e-9 of
// slack before the ceiling, so 40 / (10 x 0.5) is 8, not 9). Precondition: replica_rps > 0,
// target in (0, 1].
std::uint32_t recommended_replicas(double demand_rps, double replica_rps, double target_utilisation,
                                   std::uint32_t min_replicas, std::uint32_t max_replicas);

class Autoscaler {
 public:
  Autoscaler(AutoscalerConfig config, std::uint32_t min_replicas)
      : config_(config), target_(min_replicas) {}

  // Records the recommendation made at `now` (times non-decreasing) and returns the new target:
  // up to the smallest recommendation in [now - scale_up_delay, now] if that is above the
  // target, else down to the largest in [now - scale_down_delay, now] if that is below.
  // O(recommendations in the longer window).
  std::uint32_t evaluate(SimTime now, std::uint32_t recommended);
  std::uint32_t target() const { return target_; }

 private:
  AutoscalerConfig config_;
  std::uint32_t target_;
  std::deque<std::pair<SimTime, std::uint32_t>> history_;  // (time, recommendation), ascending
};

}  // namespace fleetsim
