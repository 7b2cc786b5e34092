#include "sim/io/service_results.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "sim/metrics/service_summary.hpp"

namespace fleetsim {
namespace {

// A latency in ms with 6 decimals, "inf" when unbounded.
std::string ms_cell(double seconds) {
  return std::isinf(seconds) ? "inf" : fmt::format("{:.6f}", 1000.0 * seconds);
}

nlohmann::ordered_json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string services_csv(const RunResult& result) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "service,hour_start_s,seconds,demand_rps,served_rps,dropped_rps,slo_attainment,"
                 "latency_mean_ms,latency_p50_ms,latency_p99_ms,replicas_target,replicas_serving,"
                 "replicas_held,gpus\n");
  for (const ServiceResult& service : result.services) {
    for (const ServiceHour& h : service.hours) {
      const double s = h.seconds;
      fmt::format_to(it, "{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},", service.name,
                     to_seconds(h.start), s, h.demand / s, h.served / s, h.dropped / s);
      if (h.demand > 0) fmt::format_to(it, "{:.6f}", h.within_slo / h.demand);
      out.push_back(',');
      if (h.stable_served > 0) {
        fmt::format_to(it, "{:.6f}", 1000.0 * h.latency_sum_s / h.stable_served);
      }
      out.push_back(',');
      if (h.served > 0) fmt::format_to(it, "{},{}", ms_cell(h.p50_s), ms_cell(h.p99_s));
      if (h.served <= 0) out.push_back(',');
      fmt::format_to(it, ",{:.6f},{:.6f},{:.6f},{:.6f}\n", h.target_replica_s / s,
                     h.serving_replica_s / s, h.held_replica_s / s, h.gpu_s / s);
    }
  }
  return fmt::to_string(out);
}

nlohmann::ordered_json services_json(const RunResult& result) {
  nlohmann::ordered_json j;
  const RunTotals& t = result.totals;
  j["inference_gpu_hours"] = t.replica_gpu_seconds / 3600.0;
  j["training_gpu_hours"] = (t.allocated_gpu_seconds - t.replica_gpu_seconds) / 3600.0;
  const double end_s = to_seconds(t.end_time);
  j["fleet_gpu_utilisation"] =
      end_s > 0 && t.total_gpus > 0
          ? t.allocated_gpu_seconds / (static_cast<double>(t.total_gpus) * end_s)
          : 0.0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ServiceResult& service : result.services) {
    const ServiceSummary s = summarize_service(service);
    nlohmann::ordered_json e;
    e["name"] = service.name;
    e["model"] = service.model;
    e["slo_ms"] = service.slo_ms;
    e["slo_goal"] = service.slo_goal;
    e["demand_requests"] = s.demand;
    e["served_requests"] = s.served;
    e["dropped_requests"] = s.dropped;
    e["within_slo_requests"] = s.within_slo;
    e["slo_attainment"] = s.slo_attainment;
    e["served_fraction"] = s.served_fraction;
    e["latency_mean_ms"] = optional_number(s.latency_mean_ms);
    e["hours"] = s.hours;
    e["hours_with_demand"] = s.hours_with_demand;
    e["hours_meeting_goal"] = s.hours_meeting_goal;
    e["worst_hour_p99_ms"] = optional_number(s.worst_hour_p99_ms);
    e["worst_hour_p99_unbounded"] = s.worst_hour_p99_unbounded;
    e["replica_hours_serving"] = s.replica_hours_serving;
    e["gpu_hours"] = s.gpu_hours;
    e["replicas_created"] = service.replicas_created;
    e["replica_starts"] = service.replica_starts;
    e["replica_preemptions"] = service.replica_preemptions;
    e["replica_interruptions"] = service.replica_interruptions;
    list.push_back(std::move(e));
  }
  j["list"] = std::move(list);
  return j;
}

}  // namespace fleetsim
