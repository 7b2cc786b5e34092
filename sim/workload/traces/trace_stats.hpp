// What a researcher checks first about a trace, over every row the format reader accepted (no
// filter): job count, time span, arrivals by hour of day, GPU-count distribution, duration
// percentiles (nearest value, as the traces README computes them), status and tenant counts.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/workload/traces/trace_reader.hpp"

namespace fleetsim {

struct TraceStats {
  std::string file;
  std::string format;
  std::uint64_t rows = 0;                                   // data rows read
  std::map<std::string, std::uint64_t> rejected_by_reason;  // broken rows (bad_rows: skip)
  std::uint64_t jobs = 0;                                   // rows parsed
  double first_submit_s = 0;                                // trace clock
  double last_submit_s = 0;
  std::array<std::uint64_t, 24> arrivals_by_hour{};  // hour of day on the trace clock
  std::map<std::int64_t, std::uint64_t> arrivals_per_hour;  // floor(submit / 3600 s) -> jobs
  std::map<std::uint32_t, std::uint64_t> gpus;       // GPU count -> jobs
  std::uint64_t shared_gpu_jobs = 0;                 // asking for part of a GPU
  std::vector<double> durations_s;                   // sorted; empty when the trace has none
  double gpu_hours = 0;                              // sum of GPUs x duration
  std::map<std::string, std::uint64_t> statuses;     // empty when the trace has none
  std::map<std::string, std::uint64_t> tenants;
  std::vector<double> input_tokens;   // sorted; request traces only
  std::vector<double> output_tokens;  // sorted; request traces only
};

TraceStats compute_trace_stats(const TraceFormat& format, const TraceOptions& options);

// Percentile p of sorted values as the traces README computes it ("nearest rank"): the value at
// 0-based index round(p/100 x (n - 1)), ties to even. (The textbook nearest rank, the
// ceil(p/100 x n)-th value, gives Philly's p90 as 11,266 s instead of the README's 11,264 s.)
// Precondition: `sorted` is not empty and 0 <= p <= 100.
double nearest_rank(const std::vector<double>& sorted, double p);

// The report `fleetsim trace-stats` prints.
std::string format_trace_stats(const TraceStats& stats);

}  // namespace fleetsim
