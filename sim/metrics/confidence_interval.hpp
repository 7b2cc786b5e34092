// Mean and confidence interval across seeds (Student t: the seeds are a small sample of
// independent runs), and the same for paired differences between two policies on the same
// seeds, which cancels the workload's own seed-to-seed variation.
#pragma once

#include <cstddef>
#include <vector>

namespace fleetsim {

struct Interval {
  std::size_t n = 0;
  double mean = 0;
  double half_width = 0;  // NaN when n < 2: one seed says nothing about the spread
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};

// mean +- t(1 - (1 - level) / 2, n - 1) * s / sqrt(n), s the sample standard deviation.
// Precondition: values non-empty, 0 < level < 1. Sums in the given order.
Interval mean_interval(const std::vector<double>& values, double level = 0.95);

// The interval of b[i] - a[i]. Precondition: same non-zero size (pairs by index).
Interval paired_difference_interval(const std::vector<double>& a, const std::vector<double>& b,
                                    double level = 0.95);

}  // namespace fleetsim
