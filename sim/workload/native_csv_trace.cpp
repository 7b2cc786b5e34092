#include "sim/workload/native_csv_trace.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include <boost/tokenizer.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "sim/core/error.hpp"
#include "sim/workload/gpu_share.hpp"
#include "sim/workload/traces/line_reader.hpp"

namespace fleetsim {
namespace {

const std::vector<std::string> kRequired = {"job_id", "submit_time_s", "gpus", "duration_s"};
const std::vector<std::string> kOptional = {
    "gpu_type",      "tenant",    "estimate_s", "preemptible",     "priority",
    "job_class",     "data_site", "data_gb",    "residency",       "gpu_utilisation",
    "start_slack_s", "min_gpus",  "max_gpus",   "serial_fraction", "gpu_milli"};

using Tokenizer = boost::tokenizer<boost::escaped_list_separator<char>>;

// A broken row: which column and why. Turned into a ConfigError or a warning by the caller.
struct RowError {
  std::string field;
  std::string message;
};

// The cells of one line, or what is wrong with its quoting.
std::variant<std::vector<std::string>, RowError> split(const std::string& line) {
  try {
    Tokenizer tokens(line);
    return std::vector<std::string>(tokens.begin(), tokens.end());
  } catch (const boost::escaped_list_error& e) {
    return RowError{"", fmt::format("malformed CSV: {}", e.what())};
  }
}

// Seconds in [0, kMaxInputSeconds], or nullopt.
std::optional<double> parse_seconds(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !(v >= 0 && v <= kMaxInputSeconds)) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

class RowParser {
 public:
  RowParser(const std::map<std::string, std::size_t>& columns, const GpuCatalog& catalog,
            const SiteDirectory& sites)
      : columns_(columns), catalog_(catalog), sites_(sites) {}

  // Fills `job` or returns what is wrong with the row.
  std::optional<RowError> parse(const std::vector<std::string>& cells, JobSpec& job) const {
    job.name = cell(cells, "job_id");
    if (job.name.empty()) return RowError{"job_id", "empty job id"};
    const std::string submit = cell(cells, "submit_time_s");
    const auto submit_s = parse_seconds(submit);
    if (!submit_s) {
      return RowError{"submit_time_s", fmt::format("\"{}\" is not a number of seconds in [0, 1e11]", submit)};
    }
    job.submit = from_seconds(*submit_s);
    const std::string gpus = cell(cells, "gpus");
    const auto g = parse_integer(gpus);
    if (!g || *g < 1 || *g > std::int64_t{1} << 31) {
      return RowError{"gpus", fmt::format("\"{}\" is not a positive integer", gpus)};
    }
    job.gpus = static_cast<std::uint32_t>(*g);
    const std::string duration = cell(cells, "duration_s");
    const auto d = parse_seconds(duration);
    if (!d) {
      return RowError{"duration_s", fmt::format("\"{}\" is not a number of seconds in [0, 1e11]", duration)};
    }
    job.duration = from_seconds(*d);
    if (has("gpu_type") && !cell(cells, "gpu_type").empty()) {
      const std::string types = cell(cells, "gpu_type");
      boost::char_separator<char> bar("|");
      for (const std::string& name : boost::tokenizer<boost::char_separator<char>>(types, bar)) {
        const auto id = catalog_.find(name);
        if (!id) {
          std::vector<std::string> known;
          for (const GpuType& t : catalog_.types()) known.push_back(t.name);
          return RowError{"gpu_type", fmt::format("unknown GPU type \"{}\"; the catalog lists: {}",
                                                  name, fmt::join(known, ", "))};
        }
        job.allowed_types.push_back(*id);
      }
    }
    if (has("tenant") && !cell(cells, "tenant").empty()) job.tenant = cell(cells, "tenant");
    if (has("job_class") && !cell(cells, "job_class").empty()) {
      job.job_class = cell(cells, "job_class");
    }
    if (has("estimate_s") && !cell(cells, "estimate_s").empty()) {
      const std::string text = cell(cells, "estimate_s");
      const auto e = parse_seconds(text);
      if (!e) {
        return RowError{"estimate_s", fmt::format("\"{}\" is not a number of seconds in [0, 1e11]", text)};
      }
      job.estimate = from_seconds(*e);
    }
    if (has("preemptible") && !cell(cells, "preemptible").empty()) {
      const std::string text = cell(cells, "preemptible");
      if (text == "true" || text == "1") {
        job.preemptible = true;
      } else if (text == "false" || text == "0") {
        job.preemptible = false;
      } else {
        return RowError{"preemptible", fmt::format("\"{}\" is not true/false/1/0", text)};
      }
    }
    if (has("priority") && !cell(cells, "priority").empty()) {
      const std::string text = cell(cells, "priority");
      const auto p = parse_integer(text);
      if (!p || *p < -1'000'000 || *p > 1'000'000) {
        return RowError{"priority",
                        fmt::format("\"{}\" is not an integer in [-1000000, 1000000]", text)};
      }
      job.priority = static_cast<int>(*p);
    }
    if (has("start_slack_s") && !cell(cells, "start_slack_s").empty()) {
      const std::string text = cell(cells, "start_slack_s");
      const auto slack = parse_seconds(text);
      if (!slack) {
        return RowError{"start_slack_s",
                        fmt::format("\"{}\" is not a number of seconds in [0, 1e11]", text)};
      }
      job.start_slack = from_seconds(*slack);
    }
    if (auto error = parse_elastic(cells, job)) return error;
    if (auto error = parse_gpu_share(cells, job)) return error;
    return parse_sites(cells, job);
  }

 private:
  bool has(const std::string& column) const { return columns_.contains(column); }
  const std::string& cell(const std::vector<std::string>& cells, const std::string& column) const {
    return cells[columns_.at(column)];
  }

  // The multi-site columns: data_site, data_gb, residency ('|'-separated countries or regions),
  // gpu_utilisation.
  std::optional<RowError> parse_sites(const std::vector<std::string>& cells, JobSpec& job) const {
    if (has("data_site") && !cell(cells, "data_site").empty()) {
      const std::string& name = cell(cells, "data_site");
      const std::optional<SiteId> site = sites_.find(name);
      if (!site) {
        return RowError{"data_site", fmt::format("unknown site \"{}\"; the fleet has: {}", name,
                                                 sites_.names())};
      }
      job.data_site = *site;
    }
    if (has("data_gb") && !cell(cells, "data_gb").empty()) {
      const std::string& text = cell(cells, "data_gb");
      const auto gb = parse_seconds(text);  // same range check: a number in [0, 1e11]
      if (!gb) return RowError{"data_gb", fmt::format("\"{}\" is not a number of GB >= 0", text)};
      if (*gb > 0 && !job.data_site.valid()) {
        return RowError{"data_gb", "data_gb without a data_site"};
      }
      job.data_gb = static_cast<float>(*gb);
    }
    if (has("residency") && !cell(cells, "residency").empty()) {
      job.allowed_sites = 0;
      boost::char_separator<char> bar("|");
      const std::string& places = cell(cells, "residency");
      for (const std::string& place : boost::tokenizer<boost::char_separator<char>>(places, bar)) {
        const std::uint64_t mask = sites_.mask_of(place);
        if (mask == 0) {
          return RowError{"residency", fmt::format("no site of the fleet is in \"{}\"; its "
                                                   "countries and regions: {}",
                                                   place, sites_.places())};
        }
        job.allowed_sites |= mask;
      }
    }
    if (has("gpu_utilisation") && !cell(cells, "gpu_utilisation").empty()) {
      const std::string& text = cell(cells, "gpu_utilisation");
      const auto u = parse_seconds(text);
      if (!u || *u <= 0 || *u > 1) {
        return RowError{"gpu_utilisation", fmt::format("\"{}\" is not a share in (0, 1]", text)};
      }
      job.gpu_utilisation = static_cast<float>(*u);
    }
    return std::nullopt;
  }

  // min_gpus <= gpus <= max_gpus (each empty: gpus), serial_fraction in [0, 1].
  std::optional<RowError> parse_elastic(const std::vector<std::string>& cells, JobSpec& job) const {
    for (const char* column : {"min_gpus", "max_gpus"}) {
      if (!has(column) || cell(cells, column).empty()) continue;
      const std::string& text = cell(cells, column);
      const auto g = parse_integer(text);
      const bool is_min = column[1] == 'i';
      const std::int64_t low = is_min ? 1 : job.gpus;
      const std::int64_t high = is_min ? job.gpus : std::int64_t{1} << 31;
      if (!g || *g < low || *g > high) {
        return RowError{column, fmt::format("\"{}\" is not an integer in [{}, {}] ({} gpus)", text,
                                            low, high, is_min ? "at most" : "at least")};
      }
      (is_min ? job.min_gpus : job.max_gpus) = static_cast<std::uint32_t>(*g);
    }
    if (has("serial_fraction") && !cell(cells, "serial_fraction").empty()) {
      const std::string& text = cell(cells, "serial_fraction");
      const auto s = parse_seconds(text);
      if (!s || *s > 1) {
        return RowError{"serial_fraction", fmt::format("\"{}\" is not a fraction in [0, 1]", text)};
      }
      job.serial_fraction = static_cast<float>(*s);
    }
    return std::nullopt;
  }

  // gpu_milli in [1, 1000] (empty: 1000, whole GPUs); a share below 1000 is of one GPU, so only
  // on a rigid 1-GPU row. After parse_elastic: the range decides.
  std::optional<RowError> parse_gpu_share(const std::vector<std::string>& cells,
                                          JobSpec& job) const {
    if (!has("gpu_milli") || cell(cells, "gpu_milli").empty()) return std::nullopt;
    const std::string& text = cell(cells, "gpu_milli");
    const auto milli = parse_integer(text);
    if (!milli || *milli < 1 || *milli > kMilliPerGpu) {
      return RowError{"gpu_milli",
                      fmt::format("\"{}\" is not an integer in [1, {}]", text, kMilliPerGpu)};
    }
    job.gpu_milli = static_cast<std::uint16_t>(*milli);
    if (auto why = gpu_share_problem(job.gpu_milli, job.gpus, job.min_gpus, job.max_gpus)) {
      return RowError{"gpu_milli", *why};
    }
    return std::nullopt;
  }

  const std::map<std::string, std::size_t>& columns_;
  const GpuCatalog& catalog_;
  const SiteDirectory& sites_;
};

}  // namespace

TraceReadResult read_native_csv(const std::string& path, const std::string& display_path,
                                const GpuCatalog& catalog, BadRows bad_rows,
                                const SiteDirectory& sites) {
  LineReader in(path, display_path);  // plain or gzip; bounded lines
  std::string line;
  std::size_t line_no = 0;
  // Header: skip blank lines and '#' comments before it.
  std::vector<std::string> header;
  while (in.next(line)) {
    line_no = in.line_number();
    if (line.empty() || line.front() == '#') continue;
    auto cells = split(line);
    if (const auto* problem = std::get_if<RowError>(&cells)) {
      throw ConfigError({display_path, static_cast<int>(line_no), 0}, "", problem->message);
    }
    header = std::get<std::vector<std::string>>(std::move(cells));
    break;
  }
  if (header.empty()) throw ConfigError({display_path, 0, 0}, "", "no header row");
  const std::size_t header_line = line_no;
  std::map<std::string, std::size_t> columns;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    const bool known = std::find(kRequired.begin(), kRequired.end(), name) != kRequired.end() ||
                       std::find(kOptional.begin(), kOptional.end(), name) != kOptional.end();
    const SourcePos pos{display_path, static_cast<int>(header_line), 0};
    if (!known) {
      throw ConfigError::at(pos, name, "unknown column; expected {} and optionally {}",
                            fmt::join(kRequired, ", "), fmt::join(kOptional, ", "));
    }
    if (!columns.emplace(name, i).second) throw ConfigError::at(pos, name, "column listed twice");
  }
  for (const std::string& name : kRequired) {
    if (!columns.contains(name)) {
      throw ConfigError::at({display_path, static_cast<int>(header_line), 0}, name,
                            "missing required column");
    }
  }

  TraceReadResult result;
  const RowParser parser(columns, catalog, sites);
  std::set<std::string> seen_ids;
  while (in.next(line)) {
    line_no = in.line_number();
    if (line.empty() || line.front() == '#') continue;
    ++result.rows;
    const SourcePos pos{display_path, static_cast<int>(line_no), 0};
    std::optional<RowError> problem;
    JobSpec job;
    auto split_line = split(line);
    if (const auto* malformed = std::get_if<RowError>(&split_line)) {
      problem = *malformed;  // a broken row like any other: with BadRows::Skip, skipped
    } else if (const auto& cells = std::get<std::vector<std::string>>(split_line);
               cells.size() != header.size()) {
      problem = RowError{"", fmt::format("row has {} fields; the header has {}", cells.size(),
                                         header.size())};
    } else {
      problem = parser.parse(cells, job);
      if (!problem && !seen_ids.insert(job.name).second) {
        problem = RowError{"job_id", fmt::format("job id \"{}\" appears twice", job.name)};
      }
    }
    if (problem) {
      const ConfigError error(pos, problem->field, problem->message);
      if (bad_rows == BadRows::Error) throw error;
      ++result.rejected;
      ++result
            .rejected_by_reason[problem->field.empty() ? "malformed row" : "bad " + problem->field];
      // Same text as the error (which leaves out an empty field), plus what happened to the row.
      spdlog::warn("{}; row rejected", error.what());
      continue;
    }
    job.source_line = static_cast<std::uint32_t>(line_no);
    result.jobs.push_back(std::move(job));
  }
  return result;
}

}  // namespace fleetsim
