// The Gittins index of a job that has attained service `a`, for job sizes drawn from a known
// distribution, with a fixed service quantum delta (Tiresias' "static delta", NSDI 2019):
//   G(a) = P(S - a <= delta | S > a) / E[min(S - a, delta) | S > a]
// i.e. the chance to finish within the next quantum per unit of service it costs. The
// distribution is held as sorted samples (given, or quantiles of a parametric distribution), so
// G is exact for the empirical distribution and costs O(log samples) via prefix sums.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <boost/math/distributions/normal.hpp>

namespace fleetsim::detail {

class GittinsIndex {
 public:
  // Precondition: samples non-empty, finite, >= 0; delta > 0. Units are the caller's (service).
  GittinsIndex(std::vector<double> samples, double delta)
      : sorted_(std::move(samples)), delta_(delta) {
    std::sort(sorted_.begin(), sorted_.end());
    prefix_.assign(sorted_.size() + 1, 0.0);
    for (std::size_t i = 0; i < sorted_.size(); ++i) prefix_[i + 1] = prefix_[i] + sorted_[i];
  }

  // `count` quantiles at (i + 0.5) / count of a lognormal with this median and sigma of ln(x).
  static std::vector<double> lognormal_quantiles(double median, double sigma, std::size_t count) {
    const boost::math::normal standard;
    std::vector<double> out(count);
    for (std::size_t i = 0; i < count; ++i) {
      const double q = (static_cast<double>(i) + 0.5) / static_cast<double>(count);
      out[i] = median * std::exp(sigma * boost::math::quantile(standard, q));
    }
    return out;
  }

  // The same for an exponential distribution with this mean.
  static std::vector<double> exponential_quantiles(double mean, std::size_t count) {
    std::vector<double> out(count);
    for (std::size_t i = 0; i < count; ++i) {
      const double q = (static_cast<double>(i) + 0.5) / static_cast<double>(count);
      out[i] = -mean * std::log1p(-q);
    }
    return out;
  }

  // G(a); 0 once `a` reaches the largest sample (no sample says when such a job ends).
  double operator()(double a) const {
    const auto n = sorted_.size();
    const std::size_t alive = static_cast<std::size_t>(
        std::upper_bound(sorted_.begin(), sorted_.end(), a) - sorted_.begin());  // first s > a
    if (alive == n) return 0.0;
    const std::size_t beyond = static_cast<std::size_t>(
        std::upper_bound(sorted_.begin(), sorted_.end(), a + delta_) - sorted_.begin());
    const double survivors = static_cast<double>(n - alive);
    const double finishing = static_cast<double>(beyond - alive);
    // Service spent by survivors in the next quantum: (s - a) for those that finish in it,
    // delta for those that do not.
    const double spent = (prefix_[beyond] - prefix_[alive]) - finishing * a +
                         static_cast<double>(n - beyond) * delta_;
    if (spent <= 0) return 0.0;
    return (finishing / survivors) / (spent / survivors);
  }

 private:
  std::vector<double> sorted_;
  std::vector<double> prefix_;  // prefix_[i] = sum of the i smallest samples
  double delta_;
};

}  // namespace fleetsim::detail
