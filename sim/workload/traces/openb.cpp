// Alibaba GPU-sharing cluster pods, openb 2023 (traces README section 1): name,cpu_milli,
// memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time.
// Submit = creation_time; GPUs = num_gpu with the per-GPU share gpu_milli/1000 kept; allowed GPU
// models = gpu_spec ('|'-separated, empty = any); status = pod_phase; tenant = qos. Duration is
// deletion - scheduled (deletion - creation for pods never scheduled), or deletion - creation
// with `duration_from: creation`. Pods with num_gpu 0 are CPU-only: counted, never replayed.
// A share below 1000 is of one GPU: trace_reader rejects it with num_gpu > 1 (the published
// pod lists in traces/ have none: each one's 75 multi-GPU pods all ask for 1000).
#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class OpenbParser final : public TraceRowParser {
 public:
  explicit OpenbParser(const TraceOptions& options) : from_(options.duration_from) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    if (cells[0].empty()) return TraceRowError{"name", "empty pod name"};
    out.name = cells[0];
    if (auto e = parse_count("num_gpu", cells[3], 0, 1024, out.gpus)) return e;
    std::uint32_t milli = 0;
    if (auto e = parse_count("gpu_milli", cells[4], 0, 1000, milli)) return e;
    if (out.gpus > 0 && milli == 0) {
      return TraceRowError{"gpu_milli", "0 for a pod that asks for GPUs"};
    }
    out.gpu_milli = out.gpus > 0 ? milli : 1000;
    for (std::size_t start = 0; !cells[5].empty() && start <= cells[5].size();) {
      const std::size_t bar = std::min(cells[5].find('|', start), cells[5].size());
      out.gpu_types.push_back(cells[5].substr(start, bar - start));
      start = bar + 1;
    }
    out.tenant = cells[6];
    out.status = cells[7];
    if (auto e = parse_seconds("creation_time", cells[8], out.submit_s)) return e;
    double deletion = 0;
    if (auto e = parse_seconds("deletion_time", cells[9], deletion)) return e;
    double start = out.submit_s;
    if (!cells[10].empty()) {
      if (auto e = parse_seconds("scheduled_time", cells[10], start)) return e;
      if (start < out.submit_s) {
        return TraceRowError{"scheduled_time",
                             fmt::format("{} is before creation_time {}", cells[10], cells[8])};
      }
    }
    if (from_ == DurationFrom::Creation) start = out.submit_s;
    if (deletion < start) {
      return TraceRowError{"deletion_time",
                           fmt::format("{} is before the start {}", cells[9], start)};
    }
    out.duration_s = deletion - start;
    return std::nullopt;
  }

 private:
  DurationFrom from_;
};

}  // namespace

TraceFormat openb_format() {
  return {.name = "openb",
          .summary =
              "Alibaba openb 2023 pods: creation/scheduled/deletion s, GPUs, GPU share, "
              "GPU models, QoS, phase",
          .separator = ',',
          .header = {"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "qos",
                     "pod_phase", "creation_time", "deletion_time", "scheduled_time"},
          .fields = 11,
          .has_status = true,
          .extra_options = {"duration_from"},
          .make = [](const TraceOptions& o) { return std::make_unique<OpenbParser>(o); }};
}

}  // namespace fleetsim::detail
