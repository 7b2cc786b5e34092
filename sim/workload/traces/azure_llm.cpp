// Azure LLM inference trace 2023 (Splitwise; traces README section 14): TIMESTAMP,ContextTokens,
// GeneratedTokens. Arrival = TIMESTAMP (date-time with 100 ns digits, read as UTC); prompt and
// output tokens. A request-arrival stream: trace-stats, and a service's demand (service_config).
#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class AzureLlmParser final : public TraceRowParser {
 public:
  explicit AzureLlmParser(const TraceOptions& options) : stem_(file_stem(options.path)) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    const auto arrival = parse_date_time(cells[0]);
    if (!arrival) {
      return TraceRowError{"TIMESTAMP", fmt::format("\"{}\" is not a date-time "
                                                    "YYYY-MM-DD HH:MM:SS.fffffff",
                                                    cells[0])};
    }
    out.submit_s = *arrival;
    std::uint32_t input = 0, output = 0;
    if (auto e = parse_count("ContextTokens", cells[1], 0, 1u << 24, input)) return e;
    if (auto e = parse_count("GeneratedTokens", cells[2], 0, 1u << 24, output)) return e;
    out.input_tokens = input;
    out.output_tokens = output;
    out.name = fmt::format("{}-{}", stem_, out.line);
    return std::nullopt;
  }

 private:
  std::string stem_;
};

}  // namespace

TraceFormat azure_llm_format() {
  return {.name = "azure_llm",
          .summary = "Azure LLM inference 2023: arrival date-time, prompt and output tokens",
          .separator = ',',
          .header = {"TIMESTAMP", "ContextTokens", "GeneratedTokens"},
          .fields = 3,
          .has_status = false,
          .request_trace = true,
          .extra_options = {},
          .make = [](const TraceOptions& o) { return std::make_unique<AzureLlmParser>(o); }};
}

}  // namespace fleetsim::detail
