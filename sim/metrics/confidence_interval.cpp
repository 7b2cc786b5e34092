#include "sim/metrics/confidence_interval.hpp"

#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

#include "sim/core/error.hpp"

namespace fleetsim {

Interval mean_interval(const std::vector<double>& values, double level) {
  FLEETSIM_CHECK(!values.empty() && level > 0 && level < 1, "mean_interval of {} values at {}",
                 values.size(), level);
  Interval out;
  out.n = values.size();
  double sum = 0;
  for (double v : values) sum += v;
  out.mean = sum / static_cast<double>(out.n);
  if (out.n < 2) {
    out.half_width = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  double squares = 0;
  for (double v : values) squares += (v - out.mean) * (v - out.mean);
  const double sd = std::sqrt(squares / static_cast<double>(out.n - 1));
  const boost::math::students_t t(static_cast<double>(out.n - 1));
  const double t_crit = boost::math::quantile(boost::math::complement(t, (1 - level) / 2));
  out.half_width = t_crit * sd / std::sqrt(static_cast<double>(out.n));
  return out;
}

Interval paired_difference_interval(const std::vector<double>& a, const std::vector<double>& b,
                                    double level) {
  FLEETSIM_CHECK(a.size() == b.size() && !a.empty(), "paired samples of sizes {} and {}",
                 a.size(), b.size());
  std::vector<double> diff(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) diff[i] = b[i] - a[i];
  return mean_interval(diff, level);
}

}  // namespace fleetsim
