#include "sim/workload/synthetic_generator.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

namespace fleetsim {

SyntheticGenerator::SyntheticGenerator(SyntheticConfig config, const GpuCatalog& catalog,
                                       const RngStreams& rng)
    : config_(std::move(config)),
      arrivals_(rng.stream("arrivals")),
      sizes_(rng.stream("job_sizes")),
      durations_(rng.stream("durations")),
      tenants_(rng.stream("tenants")),
      preemptible_(rng.stream("preemptible")),
      data_(rng.stream("data")),
      flexible_(rng.stream("flexible")),
      elastic_(rng.stream("elastic")),
      fractional_(rng.stream("fractional")),
      size_index_(config_.gpu_weights.begin(), config_.gpu_weights.end()) {
  if (!config_.data.empty()) {
    data_site_index_ = boost::random::discrete_distribution<std::size_t>(
        config_.data.front().weights.begin(), config_.data.front().weights.end());
  }
  for (const std::string& name : config_.allowed_gpu_types) allowed_.push_back(*catalog.find(name));
}

bool SyntheticGenerator::read_next(JobSpec& out) {
  if (made_ == config_.jobs) return false;
  // Inter-arrival gaps are exponential with mean 1/rate; times accumulate in seconds (double)
  // and are rounded once per job, so rounding never accumulates.
  clock_s_ += boost::random::exponential_distribution<double>(config_.rate_per_hour / 3600.0)(
      arrivals_);
  if (clock_s_ > kMaxInputSeconds) {
    throw ConfigError::at(config_.rate_origin, config_.rate_field,
                          "job {} would arrive after {:g} seconds; raise the rate", made_,
                          kMaxInputSeconds);
  }
  JobSpec job;
  job.name = fmt::format("job-{}", made_);
  job.submit = from_seconds(clock_s_);
  job.gpus = config_.gpu_values[size_index_(sizes_)];
  // Heavy tails (lognormal, exponential) are capped where microseconds would overflow.
  job.duration =
      std::max<Duration>(1, from_seconds(std::min(draw_duration_s(), kMaxInputSeconds)));
  job.tenant = fmt::format("t{}", boost::random::uniform_int_distribution<std::uint32_t>(
                                      0, config_.tenants - 1)(tenants_));
  job.preemptible =
      boost::random::bernoulli_distribution<double>(config_.preemptible_fraction)(preemptible_);
  job.allowed_types = allowed_;
  job.job_class = config_.job_class;
  job.allowed_sites = config_.residency_sites;
  job.gpu_utilisation = static_cast<float>(config_.gpu_utilisation);
  if (!config_.data.empty()) draw_data(job);
  if (config_.flexible.fraction > 0 &&
      boost::random::bernoulli_distribution<double>(config_.flexible.fraction)(flexible_)) {
    job.start_slack = from_seconds(config_.flexible.slack_h * 3600.0);
  }
  const ElasticConfig& e = config_.elastic;
  if (e.fraction > 0 && boost::random::bernoulli_distribution<double>(e.fraction)(elastic_)) {
    const double gpus = job.gpus;
    job.min_gpus = static_cast<std::uint32_t>(std::max(1.0, std::floor(gpus * e.min_factor)));
    job.max_gpus = static_cast<std::uint32_t>(std::min(std::floor(gpus * e.max_factor), 0x1p31));
    job.serial_fraction = static_cast<float>(e.serial_fraction);
  }
  const FractionalConfig& f = config_.fractional;
  if (f.fraction > 0) {
    // Both draws for every job, used or not: job n's share depends only on (seed, n), never on
    // its size or on the elastic draws (which change which jobs may take one).
    const bool chosen = boost::random::bernoulli_distribution<double>(f.fraction)(fractional_);
    const std::size_t pick =
        boost::random::uniform_int_distribution<std::size_t>(0, f.milli.size() - 1)(fractional_);
    if (chosen && job.gpus == 1 && !job.elastic()) job.gpu_milli = f.milli[pick];
  }
  ++made_;
  out = std::move(job);
  return true;
}

void SyntheticGenerator::draw_data(JobSpec& job) {
  const DataConfig& d = config_.data.front();
  const std::size_t i = data_site_index_(data_);
  job.data_site = d.sites[i];
  job.data_gb = static_cast<float>(
      d.sigma > 0 ? boost::random::lognormal_distribution<double>(std::log(d.median_gb), d.sigma)(data_)
                  : d.median_gb);
  // Sovereign data keeps the job in its data's country (within any residency all jobs share).
  if (boost::random::bernoulli_distribution<double>(d.sovereign_fraction)(data_)) {
    job.allowed_sites &= d.home_country[i];
  }
}

double SyntheticGenerator::draw_duration_s() {
  const DurationDistribution& d = config_.duration;
  switch (d.kind) {
    case DurationDistribution::Kind::Constant: return d.value_s;
    case DurationDistribution::Kind::Exponential:
      return boost::random::exponential_distribution<double>(1.0 / d.mean_s)(durations_);
    case DurationDistribution::Kind::Lognormal:
      // boost::random's (m, s) are the mean and sd of ln(x): median = exp(m).
      return boost::random::lognormal_distribution<double>(std::log(d.median_s), d.sigma)(
          durations_);
    case DurationDistribution::Kind::Empirical: {
      const double u = boost::random::uniform_01<double>()(durations_);
      const auto& p = d.points;
      auto hi = std::upper_bound(p.begin(), p.end(), u,
                                 [](double x, const auto& pt) { return x < pt.first; });
      if (hi == p.begin()) return p.front().second;
      if (hi == p.end()) return p.back().second;
      const auto lo = hi - 1;
      const double f = (u - lo->first) / (hi->first - lo->first);
      return std::exp(std::log(lo->second) + f * (std::log(hi->second) - std::log(lo->second)));
    }
  }
  return d.value_s;
}

SourcePos SyntheticGenerator::origin(const JobSpec&) const { return config_.gpus_origin; }

}  // namespace fleetsim
