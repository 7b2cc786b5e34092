// Descriptive statistics for the summary: exact percentiles (no sketches), fixed summation
// order, so the same inputs give the same bits.
#pragma once

#include <vector>

namespace fleetsim {

struct Distribution {
  std::size_t count = 0;
  double mean = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

// Percentile q in [0, 1] of sorted values, linearly interpolated between closest ranks
// (Hyndman & Fan type 7, as numpy's default). Precondition: sorted, non-empty.
double percentile_sorted(const std::vector<double>& sorted, double q);

// Sorts `values` in place and adds them smallest first: the same bits whatever their order.
double sum_ascending(std::vector<double>& values);

// Sorts `values` in place; all zeros when empty.
Distribution describe(std::vector<double>& values);

}  // namespace fleetsim
