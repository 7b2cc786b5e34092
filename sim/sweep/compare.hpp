// The comparison a paper needs, from results folders (a sweep's or single runs'): per scenario,
// variant (policy, policy+site_selection, or policy/param=value in a sweep) and metric, the mean and 95% confidence
// interval across seeds, and the paired difference against a baseline variant on the seeds both
// ran.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/metrics/confidence_interval.hpp"

namespace fleetsim {

// The metrics compared, in this order; names carry their unit.
const std::vector<std::string>& compared_metrics();

// One results folder: where it is, what it ran, and compared_metrics() from its summary.json.
struct RunRecord {
  std::string dir;
  std::string scenario;
  std::string variant;
  std::uint64_t seed = 0;
  std::vector<double> metrics;
};

struct MetricComparison {
  Interval value;
  std::optional<Interval> vs_baseline;  // variant - baseline, paired by seed
};

struct VariantComparison {
  std::string scenario;
  std::string variant;
  std::vector<std::uint64_t> seeds;      // ascending
  std::vector<MetricComparison> metrics;  // as compared_metrics()
};

struct Comparison {
  std::string baseline;                  // empty: no paired differences
  std::vector<VariantComparison> rows;   // by scenario, then baseline first, then variant
};

// Every folder holding a summary.json under `dirs` (folders starting with '.' are a sweep's
// unfinished cells and are skipped). Throws ConfigError for an unreadable summary, the same
// (scenario, variant, seed) twice, or nothing found.
std::vector<RunRecord> find_runs(const std::vector<std::string>& dirs);

// Throws ConfigError when `baseline` is given but a scenario has no runs of it.
Comparison compare_runs(const std::vector<RunRecord>& runs, const std::string& baseline);

}  // namespace fleetsim
