#include "sim/workload/traces/trace_stats.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace fleetsim {

TraceStats compute_trace_stats(const TraceFormat& format, const TraceOptions& options) {
  TraceStats s;
  s.file = options.display_path;
  s.format = format.name;
  TraceRowCounts counts;
  double gpu_s = 0;  // summed in file order, so the total is the same on every run
  read_trace_records(
      format, options,
      [&](TraceRecord&& r) {
        if (s.jobs == 0 || r.submit_s < s.first_submit_s) s.first_submit_s = r.submit_s;
        if (s.jobs == 0 || r.submit_s > s.last_submit_s) s.last_submit_s = r.submit_s;
        ++s.jobs;
        const auto hour = static_cast<std::int64_t>(std::floor(r.submit_s / 3600.0));
        ++s.arrivals_by_hour[static_cast<std::size_t>(((hour % 24) + 24) % 24)];
        ++s.arrivals_per_hour[hour];
        ++s.gpus[r.gpus];
        if (r.gpus > 0 && r.gpu_milli < 1000) ++s.shared_gpu_jobs;
        if (r.duration_s) {
          s.durations_s.push_back(*r.duration_s);
          gpu_s += *r.duration_s * r.gpus;
        }
        if (format.has_status) ++s.statuses[r.status];
        ++s.tenants[r.tenant];
        if (r.input_tokens) s.input_tokens.push_back(*r.input_tokens);
        if (r.output_tokens) s.output_tokens.push_back(*r.output_tokens);
      },
      counts);
  std::sort(s.durations_s.begin(), s.durations_s.end());
  std::sort(s.input_tokens.begin(), s.input_tokens.end());
  std::sort(s.output_tokens.begin(), s.output_tokens.end());
  s.rows = counts.rows;
  s.rejected_by_reason = std::move(counts.rejected_by_reason);
  s.gpu_hours = gpu_s / 3600.0;
  return s;
}

namespace {

// The 0-based index nearest_rank takes from n sorted values.
std::size_t nearest_rank_index(std::size_t n, double p) {
  // Round half to even (nearbyint in the default rounding mode), as Python's round() does.
  const auto index =
      static_cast<std::size_t>(std::nearbyint(p / 100.0 * static_cast<double>(n - 1)));
  return std::min(index, n - 1);
}

}  // namespace

double nearest_rank(const std::vector<double>& sorted, double p) {
  return sorted[nearest_rank_index(sorted.size(), p)];
}

std::string format_trace_stats(const TraceStats& s) {
  std::string out = fmt::format("trace {} (format {})\n", s.file, s.format);
  std::uint64_t rejected = 0;
  for (const auto& [reason, n] : s.rejected_by_reason) rejected += n;
  out +=
      fmt::format("  rows              {} read, {} jobs, {} rejected\n", s.rows, s.jobs, rejected);
  for (const auto& [reason, n] : s.rejected_by_reason) {
    out += fmt::format("    rejected        {}: {}\n", reason, n);
  }
  if (s.jobs == 0) return out;
  const double span_s = s.last_submit_s - s.first_submit_s;
  out += fmt::format("  submit span       {:.0f} s .. {:.0f} s on the trace clock ({:.1f} h)\n",
                     s.first_submit_s, s.last_submit_s, span_s / 3600.0);
  // Every clock hour from the first submit's to the last's, empty hours included. The empty
  // ones are counted, not stored: a span can be millions of hours (1e11 s is 28 million).
  const auto hours = static_cast<std::size_t>(s.arrivals_per_hour.rbegin()->first -
                                              s.arrivals_per_hour.begin()->first + 1);
  std::vector<double> busy;  // arrivals in each hour that has some, sorted below
  std::int64_t busiest = 0;  // the first busiest hour
  std::uint64_t most = 0;
  for (const auto& [hour, n] : s.arrivals_per_hour) {
    if (n > most) {
      most = n;
      busiest = hour;
    }
    busy.push_back(static_cast<double>(n));
  }
  std::sort(busy.begin(), busy.end());
  const std::size_t empty = hours - busy.size();  // sorted, the empty hours come first
  const auto per_hour = [&](double p) {
    const std::size_t i = nearest_rank_index(hours, p);
    return i < empty ? 0.0 : busy[i - empty];
  };
  out += fmt::format(
      "  arrival rate      {:.2f} jobs/h over the span; per clock hour p50 {:.0f}, p90 {:.0f}, "
      "max {:.0f} (the hour from {} s)\n",
      span_s > 0 ? static_cast<double>(s.jobs) / (span_s / 3600.0) : 0.0, per_hour(50),
      per_hour(90), busy.back(), busiest * 3600);
  out += "  arrivals by hour of day (trace clock; UTC for date-time traces)\n";
  for (std::size_t h = 0; h < 24; h += 6) {
    out += "   ";
    for (std::size_t k = h; k < h + 6; ++k)
      out += fmt::format(" {:02}h {:>7}", k, s.arrivals_by_hour[k]);
    out += "\n";
  }
  // Request traces without a GPU column (Azure LLM, Mooncake) would show only "0:n".
  if (s.gpus.size() > 1 || s.gpus.begin()->first > 0) {
    out += "  GPUs per job     ";
    for (const auto& [gpus, n] : s.gpus) out += fmt::format(" {}:{}", gpus, n);
    out += "\n";
  }
  const auto percentiles = [&](const char* label, const std::vector<double>& v) {
    if (v.empty()) return;
    out += fmt::format("  {:<17} p50 {:.0f}  p90 {:.0f}  p99 {:.0f}  max {:.0f}\n", label,
                       nearest_rank(v, 50), nearest_rank(v, 90), nearest_rank(v, 99), v.back());
  };
  percentiles("input tokens", s.input_tokens);
  percentiles("output tokens", s.output_tokens);
  if (s.shared_gpu_jobs > 0) {
    out += fmt::format("  sharing a GPU     {} jobs ask for part of one GPU\n", s.shared_gpu_jobs);
  }
  if (s.durations_s.empty()) {
    out += "  duration          none in this trace (or no duration inputs given)\n";
  } else {
    const auto& d = s.durations_s;
    out += fmt::format(
        "  duration s        p50 {:.0f}  p90 {:.0f}  p99 {:.0f}  max {:.0f}  "
        "(nearest, {} jobs)\n",
        nearest_rank(d, 50), nearest_rank(d, 90), nearest_rank(d, 99), d.back(), d.size());
    out += fmt::format("  GPU-hours         {:.1f}\n", s.gpu_hours);
  }
  if (!s.statuses.empty()) {
    out += "  status           ";
    for (const auto& [status, n] : s.statuses) {
      out += fmt::format(" {}:{}", status.empty() ? "(empty)" : status, n);
    }
    out += "\n";
  }
  // Tenants by job count (most first, then by name), at most ten.
  std::vector<std::pair<std::string, std::uint64_t>> tenants(s.tenants.begin(), s.tenants.end());
  std::stable_sort(tenants.begin(), tenants.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out += fmt::format("  tenants           {}:", tenants.size());
  for (std::size_t i = 0; i < tenants.size() && i < 10; ++i) {
    out += fmt::format(" {}:{}", tenants[i].first.empty() ? "(none)" : tenants[i].first,
                       tenants[i].second);
  }
  out += tenants.size() > 10 ? " ...\n" : "\n";
  return out;
}

}  // namespace fleetsim
