// Microsoft ITP clusters (2021, ElasticFlow raw traces; traces README section 7), one file per
// cluster: job_id,submission_time,duration,num_gpu, times in s from the collection start.
// Tenant = the file's cluster (cluster01 ... cluster10). No status, no GPU type.
#include <fmt/format.h>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {
namespace {

class ItpParser final : public TraceRowParser {
 public:
  explicit ItpParser(const TraceOptions& options) : cluster_(file_stem(options.path)) {}

  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    if (cells[0].empty()) return TraceRowError{"job_id", "empty job id"};
    out.name = cells[0];
    if (auto e = parse_seconds("submission_time", cells[1], out.submit_s)) return e;
    double duration = 0;
    if (auto e = parse_seconds("duration", cells[2], duration)) return e;
    out.duration_s = duration;
    if (auto e = parse_count("num_gpu", cells[3], 0, 1u << 20, out.gpus)) return e;
    out.tenant = cluster_;
    return std::nullopt;
  }

 private:
  std::string cluster_;
};

}  // namespace

TraceFormat itp_format() {
  return {.name = "itp",
          .summary =
              "Microsoft ITP 2021 cluster (ElasticFlow raw trace): submit s, duration s, "
              "GPUs; tenant = file's cluster",
          .separator = ',',
          .header = {"job_id", "submission_time", "duration", "num_gpu"},
          .fields = 4,
          .has_status = false,
          .extra_options = {},
          .make = [](const TraceOptions& o) { return std::make_unique<ItpParser>(o); }};
}

}  // namespace fleetsim::detail
