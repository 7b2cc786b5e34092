// Parameters of the synthetic training-job generator, as validated by the workload loader.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"

namespace fleetsim {

struct DurationDistribution {
  enum class Kind { Empirical, Lognormal, Exponential, Constant };
  Kind kind = Kind::Constant;
  // Empirical: (quantile, seconds) points, quantiles from 0 to 1 ascending, seconds ascending;
  // sampled by inverse CDF, log-linear between points.
  std::vector<std::pair<double, double>> points;
  double median_s = 0;  // lognormal
  double sigma = 0;     // lognormal: standard deviation of ln(duration)
  double mean_s = 0;    // exponential
  double value_s = 0;   // constant
};

struct SyntheticConfig {
  std::uint64_t jobs = 0;
  double rate_per_hour = 0;  // Poisson arrivals
  std::vector<std::uint32_t> gpu_values;
  std::vector<double> gpu_weights;  // same length; need not sum to 1
  DurationDistribution duration;
  std::uint32_t tenants = 1;
  double preemptible_fraction = 1.0;
  std::vector<std::string> allowed_gpu_types;  // empty = any
  std::string job_class = "default";
  SourcePos origin;      // the workload entry, for errors about generated jobs
  SourcePos gpus_origin;  // the gpus distribution, for "job too large" errors
};

}  // namespace fleetsim
