// Microsoft Philly (2017) job table as flattened by Pollux (traces README section 6):
// timestamp,duration,num_gpus,gpu_time,cluster. Submit = timestamp (date-time, read as UTC),
// run time = duration (s), gang = num_gpus, tenant = cluster (the VC). No status, no GPU type.
#include <cmath>

#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class PhillyParser final : public TraceRowParser {
 public:
  explicit PhillyParser(const TraceOptions& options) : stem_(file_stem(options.path)) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    const auto submit = parse_date_time(cells[0]);
    if (!submit) {
      return TraceRowError{"timestamp",
                           fmt::format("\"{}\" is not a date-time YYYY-MM-DD HH:MM:SS", cells[0])};
    }
    out.submit_s = *submit;
    double duration = 0;
    if (auto e = parse_seconds("duration", cells[1], duration)) return e;
    out.duration_s = duration;
    if (auto e = parse_count("num_gpus", cells[2], 0, 1u << 20, out.gpus)) return e;
    double gpu_time = 0;
    if (auto e = parse_seconds("gpu_time", cells[3], gpu_time)) return e;
    // gpu_time is redundant (duration x num_gpus in every row); a row where it disagrees by
    // more than rounding is corrupt, and which of the two columns is wrong cannot be known.
    const double expected = duration * out.gpus;
    if (std::abs(gpu_time - expected) > 0.5 + 1e-9 * expected) {
      return TraceRowError{"gpu_time",
                           fmt::format("{} is not duration x num_gpus = {}", cells[3], expected)};
    }
    if (cells[4].empty()) return TraceRowError{"cluster", "empty VC"};
    out.tenant = cells[4];
    out.name = fmt::format("{}-{}", stem_, out.line);
    return std::nullopt;
  }

 private:
  std::string stem_;
};

}  // namespace

TraceFormat philly_format() {
  return {.name = "philly",
          .summary =
              "Philly 2017 job table (Pollux flattening): submit date-time, duration s, "
              "GPUs, VC",
          .separator = ',',
          .header = {"timestamp", "duration", "num_gpus", "gpu_time", "cluster"},
          .fields = 5,
          .has_status = false,
          .extra_options = {},
          .make = [](const TraceOptions& o) { return std::make_unique<PhillyParser>(o); }};
}

}  // namespace fleetsim::detail
