// Tiresias 60-job testbed trace (traces README section 11):
// job_id,num_gpu,submit_time,iterations,model_name,duration,interval, times in s.
// Job class = model_name. `iterations` and `interval` (gap to the next submit) are not needed.
#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class TiresiasParser final : public TraceRowParser {
 public:
  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    if (cells[0].empty()) return TraceRowError{"job_id", "empty job id"};
    out.name = cells[0];
    if (auto e = parse_count("num_gpu", cells[1], 0, 1u << 20, out.gpus)) return e;
    if (auto e = parse_seconds("submit_time", cells[2], out.submit_s)) return e;
    if (cells[4].empty()) return TraceRowError{"model_name", "empty model name"};
    out.job_class = cells[4];
    double duration = 0;
    if (auto e = parse_seconds("duration", cells[5], duration)) return e;
    out.duration_s = duration;
    return std::nullopt;
  }
};

}  // namespace

TraceFormat tiresias_format() {
  return {.name = "tiresias",
          .summary = "Tiresias testbed trace: submit s, duration s, GPUs, model (job class)",
          .separator = ',',
          .header = {"job_id", "num_gpu", "submit_time", "iterations", "model_name", "duration",
                     "interval"},
          .fields = 7,
          .has_status = false,
          .extra_options = {},
          .make = [](const TraceOptions&) { return std::make_unique<TiresiasParser>(); }};
}

}  // namespace fleetsim::detail
