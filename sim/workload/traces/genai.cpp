// Alibaba GenAI (Stable Diffusion / LoRA) serving requests, 2026 (traces README section 5).
// Arrival = gmt_create (date-time, 1 s resolution, read as UTC); service time =
// exec_time_seconds; status = predict_status; tenant = groupId; job class = predict_type; one
// serving container per request (GPUs = 1). trace-stats, and a service's demand.
#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class GenaiParser final : public TraceRowParser {
 public:
  explicit GenaiParser(const TraceOptions& options) : stem_(file_stem(options.path)) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    const auto arrival = parse_date_time(cells[0]);
    if (!arrival) {
      return TraceRowError{"gmt_create",
                           fmt::format("\"{}\" is not a date-time YYYY-MM-DD HH:MM:SS", cells[0])};
    }
    out.submit_s = *arrival;
    out.job_class = cells[1];
    out.status = cells[2];
    if (auto e = parse_optional_seconds("exec_time_seconds", cells[3], out.duration_s)) return e;
    out.tenant = cells[4];
    out.gpus = 1;
    out.name = fmt::format("{}-{}", stem_, out.line);
    return std::nullopt;
  }

 private:
  std::string stem_;
};

}  // namespace

TraceFormat genai_format() {
  return {.name = "genai",
          .summary = "Alibaba GenAI LoRA serving 2026: arrival date-time, exec time s, status",
          .separator = ',',
          .header = {"gmt_create", "predict_type", "predict_status", "exec_time_seconds", "groupId",
                     "prompt_length", "negative_prompt_length", "num_images_per_prompt",
                     "num_inference_steps", "checkpoint_model_version_id", "num_lora"},
          .fields = 11,
          .has_status = true,
          .request_trace = true,
          .extra_options = {},
          .make = [](const TraceOptions& o) { return std::make_unique<GenaiParser>(o); }};
}

}  // namespace fleetsim::detail
