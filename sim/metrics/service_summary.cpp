#include "sim/metrics/service_summary.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim {

ServiceSummary summarize_service(const ServiceResult& service) {
  ServiceSummary s;
  double latency_sum_s = 0, stable_served = 0, worst_p99_s = 0;
  bool any_served = false;
  for (const ServiceHour& h : service.hours) {
    ++s.hours;
    s.demand += h.demand;
    s.served += h.served;
    s.dropped += h.dropped;
    s.within_slo += h.within_slo;
    latency_sum_s += h.latency_sum_s;
    stable_served += h.stable_served;
    s.replica_hours_serving += h.serving_replica_s / 3600.0;
    s.gpu_hours += h.gpu_s / 3600.0;
    if (h.demand > 0) {
      ++s.hours_with_demand;
      if (h.within_slo / h.demand >= service.slo_goal) ++s.hours_meeting_goal;
    }
    if (h.served > 0) {
      any_served = true;
      if (std::isinf(h.p99_s)) s.worst_hour_p99_unbounded = true;
      worst_p99_s = std::max(worst_p99_s, h.p99_s);
    }
  }
  if (s.demand > 0) {
    s.slo_attainment = s.within_slo / s.demand;
    s.served_fraction = s.served / s.demand;
  }
  if (stable_served > 0) s.latency_mean_ms = 1000.0 * latency_sum_s / stable_served;
  if (any_served && !s.worst_hour_p99_unbounded) s.worst_hour_p99_ms = 1000.0 * worst_p99_s;
  return s;
}

}  // namespace fleetsim
