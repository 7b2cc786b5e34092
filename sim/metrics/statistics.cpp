#include "sim/metrics/statistics.hpp"

#include <algorithm>
#include <cmath>

#include "sim/core/error.hpp"

namespace fleetsim {

double percentile_sorted(const std::vector<double>& sorted, double q) {
  FLEETSIM_CHECK(!sorted.empty() && q >= 0 && q <= 1, "percentile {} of {} values", q,
                 sorted.size());
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (rank - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double sum_ascending(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;  // ascending order: fixed, and smallest-first is accurate
  return sum;
}

Distribution describe(std::vector<double>& values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  d.mean = sum_ascending(values) / static_cast<double>(values.size());
  d.p50 = percentile_sorted(values, 0.50);
  d.p95 = percentile_sorted(values, 0.95);
  d.p99 = percentile_sorted(values, 0.99);
  d.max = values.back();
  return d;
}

}  // namespace fleetsim
