// Alibaba GPU-disaggregated DLRM inference instances, 2025 (traces README section 3). Arrival =
// creation_time (empty: the instance existed before the trace, so t=0); GPUs = gpu_request (0 or
// 1); duration = deletion_time - scheduled_time, unknown (right-censored) when either is empty;
// tenant = app_name; job class = role (HN GPU-node / CN CPU-node instance). trace-stats only.
#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class DlrmParser final : public TraceRowParser {
 public:
  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    if (cells[0].empty()) return TraceRowError{"instance_sn", "empty instance id"};
    out.name = cells[0];
    if (cells[1] != "HN" && cells[1] != "CN") {
      return TraceRowError{"role", fmt::format("\"{}\" is neither HN nor CN", cells[1])};
    }
    out.job_class = cells[1];
    out.tenant = cells[2];
    if (auto e = parse_count("gpu_request", cells[5], 0, 64, out.gpus)) return e;
    std::optional<double> created, scheduled, deleted;
    if (auto e = parse_optional_seconds("creation_time", cells[14], created)) return e;
    if (auto e = parse_optional_seconds("scheduled_time", cells[15], scheduled)) return e;
    if (auto e = parse_optional_seconds("deletion_time", cells[16], deleted)) return e;
    out.submit_s = created.value_or(0);
    if (scheduled && deleted) {
      if (*deleted < *scheduled) {
        return TraceRowError{"deletion_time",
                             fmt::format("{} is before scheduled_time {}", cells[16], cells[15])};
      }
      out.duration_s = *deleted - *scheduled;
    }
    return std::nullopt;
  }
};

}  // namespace

TraceFormat dlrm_format() {
  return {
      .name = "dlrm",
      .summary = "Alibaba DLRM inference instances 2025: create/schedule/delete s, GPU 0/1, app",
      .separator = ',',
      .header = {"instance_sn", "role", "app_name", "cpu_request", "cpu_limit", "gpu_request",
                 "gpu_limit", "rdma_request", "rdma_limit", "memory_request", "memory_limit",
                 "disk_request", "disk_limit", "max_instance_per_node", "creation_time",
                 "scheduled_time", "deletion_time"},
      .fields = 17,
      .has_status = false,
      .request_trace = true,
      .extra_options = {},
      .make = [](const TraceOptions&) { return std::make_unique<DlrmParser>(); }};
}

}  // namespace fleetsim::detail
