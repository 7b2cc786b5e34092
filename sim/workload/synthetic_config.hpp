// Parameters of the synthetic training-job generator, as validated by the workload loader.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/ids.hpp"

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

// Where generated jobs' input data lives, how big it is (lognormal, or constant when sigma is 0),
// and which share of jobs must stay in their data's country (sovereign data).
struct DataConfig {
  std::vector<SiteId> sites;   // drawn by weight
  std::vector<std::string> site_names;  // as written, for the results' resolved config
  std::vector<double> weights;
  double median_gb = 0;
  double sigma = 0;
  double sovereign_fraction = 0;
  std::vector<std::uint64_t> home_country;  // [i]: the sites in sites[i]'s country
};

// Which share of jobs is flexible (may start up to slack_h hours after submit; see
// JobSpec::start_slack). Drawn from its own RNG stream, so turning it on changes no other draw.
struct FlexibleConfig {
  double fraction = 0;
  double slack_h = 0;
};

// Which share of jobs is elastic (JobSpec::min_gpus..max_gpus around the drawn gang, scaling by
// Amdahl's law with serial_fraction). Drawn from its own RNG stream, so turning it on changes no
// other draw.
struct ElasticConfig {
  double fraction = 0;
  double min_factor = 0.5;  // min_gpus = max(1, floor(gpus x min_factor))
  double max_factor = 2;    // max_gpus = floor(gpus x max_factor)
  double serial_fraction = 0;
};

// Which share of 1-GPU jobs asks for a fraction of its GPU (JobSpec::gpu_milli, FGD / openb GPU
// sharing), drawn uniformly from `milli`. Only rigid 1-GPU jobs (drawn gang 1, not made elastic)
// take one: a share is of one GPU. Drawn from its own RNG stream, so turning it on changes no
// other draw.
struct FractionalConfig {
  double fraction = 0;
  std::vector<std::uint16_t> milli;  // each in [1, 999]; not empty when fraction > 0
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
  std::vector<DataConfig> data;             // 0 or 1 entries
  std::vector<std::string> residency;       // every job's (countries / regions); empty = any
  std::uint64_t residency_sites = ~std::uint64_t{0};
  double gpu_utilisation = 1.0;
  FlexibleConfig flexible;  // fraction 0: no job is flexible
  ElasticConfig elastic;    // fraction 0: no job is elastic
  FractionalConfig fractional;  // fraction 0: every job asks for whole GPUs
  SourcePos origin;      // the workload entry, for errors about generated jobs
  SourcePos gpus_origin;  // the gpus distribution, for "job too large" errors
  SourcePos rate_origin;  // the arrival rate, for "would arrive too late" errors
  std::string rate_field = "arrival.rate_per_hour";
};

}  // namespace fleetsim
