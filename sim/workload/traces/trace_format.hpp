// A public job-trace format: how its file looks (separator, header) and how one row becomes a
// TraceRecord. One file per format in this folder defines one; trace_formats() lists them all.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/workload/traces/trace_options.hpp"
#include "sim/workload/traces/trace_record.hpp"

namespace fleetsim {

// What is wrong with one row: the column and why. `field` is empty for whole-row problems.
struct TraceRowError {
  std::string field;
  std::string message;
};

// Parses rows of one file. Made once per file, so it may hold what the options loaded (Gavel's
// throughput table) and what the file name says (the VC or cluster a file stands for).
class TraceRowParser {
 public:
  virtual ~TraceRowParser() = default;
  // Fills `out` from the cells of one data row, or says what is wrong with it. The caller has
  // already checked the number of cells and set out.line.
  virtual std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                             TraceRecord& out) const = 0;
};

struct TraceFormat {
  std::string name;     // YAML `format:` and `trace-stats --format`
  std::string summary;  // one line: which public trace, which columns are used
  char separator = ',';
  // The header row exactly as the trace ships it; empty when the file has none.
  std::vector<std::string> header;
  std::size_t fields = 0;  // cells per data row
  bool has_status = false;
  // A request-arrival stream (inference), not jobs: trace-stats reads it, workloads do not yet.
  bool request_trace = false;
  // Workload YAML keys this format accepts beyond the common ones (window, tenants, ...).
  std::vector<std::string> extra_options;
  // Builds the row parser for one file; throws ConfigError for unusable options.
  std::function<std::unique_ptr<TraceRowParser>(const TraceOptions&)> make;
};

// Every job-trace format, in name order.
const std::vector<TraceFormat>& trace_formats();
const TraceFormat* find_trace_format(const std::string& name);
// "gavel, itp, ..." for error messages.
std::string trace_format_names();
// Inference request traces (Azure LLM 2023, Mooncake, Alibaba DLRM and GenAI), for trace-stats;
// an inference service replays the arrivals of azure_llm, mooncake or genai as its demand.
const std::vector<TraceFormat>& request_trace_formats();
const TraceFormat* find_request_trace_format(const std::string& name);
std::string request_trace_format_names();

namespace detail {
// Helpers the format files share: strict number parsing with the messages every format uses.
std::optional<TraceRowError> parse_seconds(const std::string& field, const std::string& text,
                                           double& out);
std::optional<TraceRowError> parse_count(const std::string& field, const std::string& text,
                                         std::uint32_t min, std::uint32_t max, std::uint32_t& out);
// "YYYY-MM-DD HH:MM:SS" (optionally with a fraction of a second) as seconds since the Unix
// epoch, reading the time as UTC; nullopt when the text is not such a date-time.
std::optional<double> parse_date_time(const std::string& text);
// The file name without folders and without ".gz" and one more extension ("cluster04.csv.gz"
// -> "cluster04"): the VC or cluster a per-file trace stands for.
std::string file_stem(const std::string& path);
// The Pollux columns; `integer_time` for Pollux's whole seconds (Sia's are floats).
TraceFormat pollux_style_format(std::string name, std::string summary, bool integer_time);
// One function per format file; trace_formats() calls each once.
TraceFormat gavel_format();
TraceFormat itp_format();
TraceFormat openb_format();
TraceFormat philly_format();
TraceFormat pollux_format();
TraceFormat sia_format();
TraceFormat tiresias_format();
TraceFormat azure_llm_format();
TraceFormat dlrm_format();
TraceFormat genai_format();
TraceFormat mooncake_format();
// A number that may be empty (nullopt), else as parse_seconds.
std::optional<TraceRowError> parse_optional_seconds(const std::string& field,
                                                    const std::string& text,
                                                    std::optional<double>& out);
}  // namespace detail

}  // namespace fleetsim
