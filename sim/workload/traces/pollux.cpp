// Pollux OSDI'21 evaluation workloads (traces README section 9): name,time,application,
// num_replicas,batch_size, time in s from the workload start. They carry no run time: upstream
// derives it from each model's throughput. Here the workload YAML gives the work per application
// (gpu_s_by_application, GPU-seconds) and run time = work / num_replicas. Sia's workloads have
// the same columns (sia.cpp).
#include <cmath>

#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class PolluxParser final : public TraceRowParser {
 public:
  PolluxParser(const TraceOptions& options, bool integer_time)
      : work_(options.gpu_s_by_application), integer_time_(integer_time) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    if (cells[0].empty()) return TraceRowError{"name", "empty job name"};
    out.name = cells[0];
    if (auto e = parse_seconds("time", cells[1], out.submit_s)) return e;
    if (integer_time_ && out.submit_s != std::floor(out.submit_s)) {
      return TraceRowError{"time",
                           fmt::format("\"{}\" is not a whole number of seconds", cells[1])};
    }
    if (cells[2].empty()) return TraceRowError{"application", "empty application"};
    out.job_class = cells[2];
    if (auto e = parse_count("num_replicas", cells[3], 0, 1u << 20, out.gpus)) return e;
    std::uint32_t batch = 0;
    if (auto e = parse_count("batch_size", cells[4], 1, 1u << 30, batch)) return e;
    if (work_.empty()) return std::nullopt;  // trace-stats without durations
    const auto work = work_.find(cells[2]);
    if (work == work_.end()) {
      return TraceRowError{"application",
                           fmt::format("\"{}\" has no gpu_s_by_application entry", cells[2])};
    }
    if (out.gpus > 0) out.duration_s = work->second / out.gpus;
    return std::nullopt;
  }

 private:
  const std::map<std::string, double>& work_;
  bool integer_time_;
};

}  // namespace

TraceFormat pollux_style_format(std::string name, std::string summary, bool integer_time) {
  return {.name = std::move(name),
          .summary = std::move(summary),
          .separator = ',',
          .header = {"name", "time", "application", "num_replicas", "batch_size"},
          .fields = 5,
          .has_status = false,
          .extra_options = {"gpu_s_by_application"},
          .make = [integer_time](const TraceOptions& o) {
            return std::make_unique<PolluxParser>(o, integer_time);
          }};
}

TraceFormat pollux_format() {
  return pollux_style_format("pollux",
                             "Pollux OSDI'21 workload: submit s (integer), application, initial "
                             "GPUs; run time = gpu_s_by_application / GPUs",
                             true);
}

}  // namespace fleetsim::detail
