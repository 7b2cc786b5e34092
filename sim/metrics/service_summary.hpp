// A service's serving metrics over the whole run, from its hourly rows: what summary.json
// reports per service, and what the sharing-policy trade-off is read from.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/inference/services.hpp"

namespace fleetsim {

struct ServiceSummary {
  double demand = 0;  // requests (expected counts)
  double served = 0;
  double dropped = 0;
  double within_slo = 0;
  double slo_attainment = 1;   // within_slo / demand (1 with no demand)
  double served_fraction = 1;  // served / demand (1 with no demand)
  // Mean latency of the requests served while the pool kept up; nullopt when there were none.
  std::optional<double> latency_mean_ms;
  std::uint64_t hours = 0;  // hourly rows
  std::uint64_t hours_with_demand = 0;
  std::uint64_t hours_meeting_goal = 0;  // with demand and slo_attainment >= slo_goal
  // The largest hourly p99; nullopt when infinite (an hour with over 1 % served in overload)
  // or when nothing was served.
  std::optional<double> worst_hour_p99_ms;
  bool worst_hour_p99_unbounded = false;
  double replica_hours_serving = 0;
  double gpu_hours = 0;
};

ServiceSummary summarize_service(const ServiceResult& service);

}  // namespace fleetsim
