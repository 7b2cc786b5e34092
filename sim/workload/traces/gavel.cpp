// Gavel's per-VC Philly-derived traces (traces README section 8): tab-separated, no header,
// job_type, command, num_steps_arg, needs_data_dir, total_steps, arrival_time (s), scale_factor
// (GPUs). One file per VC, so tenant = the file's VC. As in the Gavel simulator, run time =
// total_steps / throughput[gpu]["('<job_type>', <scale_factor>)"]["null"] (steps/s alone on the
// GPU type) from simulation_throughputs.json, given as `throughputs:`; without it (trace-stats)
// rows have no duration.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/core/error.hpp"
#include "sim/core/time.hpp"
#include "sim/workload/traces/line_reader.hpp"
#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

// (job_type, scale_factor) as the JSON spells it -> steps per second on the chosen GPU type.
std::map<std::string, double> load_throughputs(const TraceOptions& options) {
  std::map<std::string, double> rates;
  if (options.throughputs_path.empty()) return rates;
  LineReader in(options.throughputs_path, options.throughputs_path);
  std::string text, line;
  while (in.next(line)) text += line + "\n";
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError({options.throughputs_path, 0, 0}, "",
                      fmt::format("malformed JSON: {}", e.what()));
  }
  if (!json.contains(options.throughput_gpu)) {
    throw ConfigError::at({options.throughputs_path, 0, 0}, "", "no GPU type \"{}\" in the table",
                          options.throughput_gpu);
  }
  for (const auto& [key, entry] : json.at(options.throughput_gpu).items()) {
    if (entry.is_object() && entry.contains("null") && entry.at("null").is_number()) {
      rates[key] = entry.at("null").get<double>();
    }
  }
  return rates;
}

class GavelParser final : public TraceRowParser {
 public:
  explicit GavelParser(const TraceOptions& options)
      : vc_(file_stem(options.path)),
        gpu_(options.throughput_gpu),
        rates_(load_throughputs(options)) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    if (cells[0].empty()) return TraceRowError{"job_type", "empty job type"};
    out.job_class = cells[0];
    std::uint32_t steps = 0;
    if (auto e = parse_count("total_steps", cells[4], 1, 4'000'000'000u, steps)) return e;
    if (auto e = parse_seconds("arrival_time", cells[5], out.submit_s)) return e;
    if (auto e = parse_count("scale_factor", cells[6], 0, 1u << 20, out.gpus)) return e;
    out.tenant = vc_;
    out.name = fmt::format("{}-{}", vc_, out.line);
    if (rates_.empty()) return std::nullopt;
    const std::string key = fmt::format("('{}', {})", cells[0], out.gpus);
    const auto rate = rates_.find(key);
    // The shipped table lacks some (job type, GPU count) pairs, e.g. every multi-GPU
    // Recommendation entry: such rows are well formed but have no duration.
    if (rate == rates_.end() || !(rate->second > 0)) {
      out.unusable = fmt::format("no {} throughput for the job type at this GPU count", gpu_);
      return std::nullopt;
    }
    out.duration_s = steps / rate->second;
    // A tiny throughput in the table would give a run time beyond what microseconds can hold.
    if (!(*out.duration_s <= kMaxInputSeconds)) {
      return TraceRowError{"total_steps",
                           fmt::format("{} steps at {:g} steps/s ({} throughput) take more than "
                                       "1e11 seconds",
                                       steps, rate->second, gpu_)};
    }
    return std::nullopt;
  }

 private:
  std::string vc_;
  std::string gpu_;
  std::map<std::string, double> rates_;
};

}  // namespace

TraceFormat gavel_format() {
  return {.name = "gavel",
          .summary =
              "Gavel per-VC trace (TSV): arrival s, GPUs, job type; run time = steps / "
              "throughput table",
          .separator = '\t',
          .header = {},
          .fields = 7,
          .has_status = false,
          .extra_options = {"throughputs", "throughput_gpu"},
          .make = [](const TraceOptions& o) { return std::make_unique<GavelParser>(o); }};
}

}  // namespace fleetsim::detail
