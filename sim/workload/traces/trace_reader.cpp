#include "sim/workload/traces/trace_reader.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "sim/core/error.hpp"
#include "sim/workload/gpu_share.hpp"
#include "sim/workload/traces/line_reader.hpp"

namespace fleetsim {
namespace {

// Splits on `separator`; the public traces quote nothing, so a quote is just a character.
void split(const std::string& line, char separator, std::vector<std::string>& cells) {
  cells.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(separator, start);
    cells.emplace_back(line, start, end == std::string::npos ? std::string::npos : end - start);
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

// Rows left out on purpose or because they describe no runnable job: warned about with their
// line for the first few of each reason (all of them at debug level), and always counted.
class Exclusions {
 public:
  Exclusions(const std::string& file, std::map<std::string, std::uint64_t>& counts)
      : file_(file), counts_(counts) {}

  void add(const std::string& reason, std::uint32_t line, bool warn) {
    const std::uint64_t n = ++counts_[reason];
    if (warn && n <= kWarnings) {
      spdlog::warn("{}:{}: {}; row rejected{}", file_, line, reason,
                   n == kWarnings ? " (further rows rejected for this reason: debug log)" : "");
    } else {
      spdlog::debug("{}:{}: {}; row rejected", file_, line, reason);
    }
  }

 private:
  static constexpr std::uint64_t kWarnings = 5;
  const std::string& file_;
  std::map<std::string, std::uint64_t>& counts_;
};

}  // namespace

void read_trace_records(const TraceFormat& format, const TraceOptions& options,
                        const std::function<void(TraceRecord&&)>& sink, TraceRowCounts& counts) {
  const std::unique_ptr<TraceRowParser> parser = format.make(options);
  LineReader in(options.path, options.display_path);
  std::string line;
  std::vector<std::string> cells;
  bool header_seen = format.header.empty();
  while (in.next(line)) {
    if (line.empty()) continue;  // Philly's table ends with a blank line
    const SourcePos pos{options.display_path, static_cast<int>(in.line_number()), 0};
    split(line, format.separator, cells);
    if (!header_seen) {
      if (cells != format.header) {
        throw ConfigError::at(pos, "header", "expected \"{}\" for format {}, got \"{}\"",
                              fmt::join(format.header, std::string(1, format.separator)),
                              format.name, line);
      }
      header_seen = true;
      continue;
    }
    ++counts.rows;
    TraceRecord record;
    record.line = static_cast<std::uint32_t>(in.line_number());
    std::optional<TraceRowError> problem;
    if (cells.size() != format.fields) {
      problem = TraceRowError{
          "", fmt::format("row has {} fields; the format has {}", cells.size(), format.fields)};
    } else {
      problem = parser->parse(cells, record);
    }
    // Whatever the format, a GPU share is of one GPU (openb could say 2 GPUs at 500 each).
    if (!problem && record.gpus > 0) {
      if (auto why = gpu_share_problem(record.gpu_milli, record.gpus)) {
        problem = TraceRowError{"gpu_milli", std::move(*why)};
      }
    }
    if (problem) {
      const ConfigError error(pos, problem->field, problem->message);
      if (options.bad_rows == BadRows::Error) throw error;
      spdlog::warn("{}; row rejected", error.what());
      ++counts
            .rejected_by_reason[problem->field.empty() ? "malformed row" : "bad " + problem->field];
      continue;
    }
    sink(std::move(record));
  }
  if (!header_seen) throw ConfigError({options.display_path, 0, 0}, "", "no header row");
}

TraceReadResult read_trace(const TraceOptions& options, const GpuCatalog& catalog,
                           const SiteDirectory& sites) {
  if (options.format == "native" || options.format == "native_csv") {
    return read_native_csv(options.path, options.display_path, catalog, options.bad_rows, sites);
  }
  const TraceFormat* format = find_trace_format(options.format);
  FLEETSIM_CHECK(format != nullptr, "the workload loader let through format {}", options.format);
  TraceReadResult result;
  TraceRowCounts counts;
  Exclusions excluded(options.display_path, counts.rejected_by_reason);
  std::vector<double> submit_s;  // on the trace clock, shifted once the origin is known
  const auto use = [&](TraceRecord&& r) {
    if (!options.tenants.empty() && !options.tenants.contains(r.tenant)) {
      return excluded.add("tenant not selected", r.line, false);
    }
    if (!options.statuses.empty() && !options.statuses.contains(r.status)) {
      return excluded.add("status not selected", r.line, false);
    }
    if ((options.window_start_s && r.submit_s < *options.window_start_s) ||
        (options.window_end_s && r.submit_s >= *options.window_end_s)) {
      return excluded.add("outside the time window", r.line, false);
    }
    if (r.gpus == 0) return excluded.add("no GPU requested", r.line, true);
    if (!r.unusable.empty()) return excluded.add(r.unusable, r.line, true);
    if (!r.duration_s) return excluded.add("no duration", r.line, true);
    JobSpec job;
    for (const std::string& model : r.gpu_types) {
      const auto mapped = options.gpu_types.find(model);
      const std::string& name = mapped == options.gpu_types.end() ? model : mapped->second;
      const auto id = catalog.find(name);
      if (!id) {
        const std::string why =
            mapped == options.gpu_types.end()
                ? fmt::format("GPU model \"{}\" is neither mapped (gpu_types:) nor a catalog type",
                              model)
                : fmt::format("GPU model \"{}\" maps to \"{}\", which is not a catalog type", model,
                              name);
        const ConfigError error({options.display_path, static_cast<int>(r.line), 0}, "gpu_type",
                                why);
        if (options.bad_rows == BadRows::Error) throw error;
        spdlog::warn("{}; row rejected", error.what());
        ++counts.rejected_by_reason["bad gpu_type"];
        return;
      }
      if (std::find(job.allowed_types.begin(), job.allowed_types.end(), *id) ==
          job.allowed_types.end()) {
        job.allowed_types.push_back(*id);
      }
    }
    job.name = std::move(r.name);
    job.gpus = r.gpus;
    job.gpu_milli = static_cast<std::uint16_t>(r.gpu_milli);
    job.duration = from_seconds(*r.duration_s);
    if (!r.tenant.empty()) job.tenant = std::move(r.tenant);
    if (!r.job_class.empty()) job.job_class = std::move(r.job_class);
    job.source_line = r.line;
    submit_s.push_back(r.submit_s);
    result.jobs.push_back(std::move(job));
  };
  read_trace_records(*format, options, use, counts);

  double origin = options.window_start_s.value_or(std::numeric_limits<double>::infinity());
  if (!options.window_start_s) {
    for (const double s : submit_s) origin = std::min(origin, s);
  }
  if (submit_s.empty()) origin = 0;
  for (std::size_t i = 0; i < result.jobs.size(); ++i) {
    result.jobs[i].submit = from_seconds(submit_s[i] - origin);
  }
  result.time_origin_s = origin;
  result.rows = counts.rows;
  result.rejected_by_reason = std::move(counts.rejected_by_reason);
  for (const auto& [reason, n] : result.rejected_by_reason) result.rejected += n;
  return result;
}

std::string describe_rows(const TraceReadResult& result) {
  std::string text = fmt::format("rows read {}, used {}, rejected {}", result.rows,
                                 result.jobs.size(), result.rejected);
  std::string reasons;
  for (const auto& [reason, n] : result.rejected_by_reason) {
    reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : "; ", reason, n);
  }
  return reasons.empty() ? text : text + " (" + reasons + ")";
}

}  // namespace fleetsim
