// Kimi / Mooncake FAST'25 request traces (traces README section 15), JSON Lines:
// {"timestamp": ms, "input_length": tokens, "output_length": tokens, "hash_ids": [...]}.
// Arrival = timestamp / 1000 s. hash_ids are the prompt's 512-token prefix blocks, so a row is
// checked to have ceil(input_length / 512) of them. trace-stats, and a service's demand.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

constexpr std::uint64_t kTokensPerBlock = 512;  // traces README: "512 tokens per block"

class MooncakeParser final : public TraceRowParser {
 public:
  explicit MooncakeParser(const TraceOptions& options) : stem_(file_stem(options.path)) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    const nlohmann::json row = nlohmann::json::parse(cells[0], nullptr, false);
    if (row.is_discarded() || !row.is_object()) return TraceRowError{"", "not a JSON object"};
    for (const char* key : {"timestamp", "input_length", "output_length"}) {
      if (!row.contains(key) || !row.at(key).is_number_unsigned()) {
        return TraceRowError{key, "missing or not a non-negative integer"};
      }
    }
    if (!row.contains("hash_ids") || !row.at("hash_ids").is_array()) {
      return TraceRowError{"hash_ids", "missing or not a list"};
    }
    const auto ms = row.at("timestamp").get<std::uint64_t>();
    const auto input = row.at("input_length").get<std::uint64_t>();
    const std::uint64_t blocks = (input + kTokensPerBlock - 1) / kTokensPerBlock;
    if (row.at("hash_ids").size() != blocks) {
      return TraceRowError{"hash_ids", fmt::format("{} blocks for input_length {} (expected {})",
                                                   row.at("hash_ids").size(), input, blocks)};
    }
    out.submit_s = static_cast<double>(ms) / 1000.0;  // milliseconds -> seconds
    out.input_tokens = static_cast<double>(input);
    out.output_tokens = static_cast<double>(row.at("output_length").get<std::uint64_t>());
    out.name = fmt::format("{}-{}", stem_, out.line);
    return std::nullopt;
  }

 private:
  std::string stem_;
};

}  // namespace

TraceFormat mooncake_format() {
  // '\x1f' (unit separator) never occurs in the JSON, so each line arrives as one cell.
  return {.name = "mooncake",
          .summary = "Mooncake FAST'25 JSON Lines: arrival ms, input and output tokens",
          .separator = '\x1f',
          .header = {},
          .fields = 1,
          .has_status = false,
          .request_trace = true,
          .extra_options = {},
          .make = [](const TraceOptions& o) { return std::make_unique<MooncakeParser>(o); }};
}

}  // namespace fleetsim::detail
