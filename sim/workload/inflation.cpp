#include "sim/workload/inflation.hpp"

#include <random>

#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

namespace fleetsim {
namespace {
constexpr std::size_t kMaxDraws = 100'000'000;  // about 20 GB of jobs
}  // namespace

double gpu_demand(const JobSpec& job) {
  return static_cast<double>(job.gpus) * static_cast<double>(job.gpu_milli) / 1000.0;
}

std::vector<JobSpec> inflate(const std::vector<JobSpec>& pool, const InflationConfig& config,
                             std::uint64_t fleet_gpus, const RngStreams& rng) {
  if (pool.empty()) {
    throw ConfigError::at(config.pos, config.field,
                          "no job to draw from: the trace gave none (every row left out)");
  }
  const double target = config.demand * static_cast<double>(fleet_gpus);
  boost::random::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  std::mt19937_64 draws = rng.stream("inflate");
  std::vector<JobSpec> out;
  double drawn = 0;
  while (drawn < target) {
    if (out.size() == kMaxDraws) {
      throw ConfigError::at(config.pos, config.field,
                            "demand {} would draw more than {} jobs from this trace", config.demand,
                            kMaxDraws);
    }
    JobSpec job = pool[pick(draws)];
    job.name += fmt::format("#{}", out.size());
    job.submit = static_cast<SimTime>(out.size()) * config.interval;
    if (!config.departures) {
      job.duration = kNeverEnds;
      job.estimate.reset();
    }
    drawn += gpu_demand(job);
    out.push_back(std::move(job));
  }
  return out;
}

}  // namespace fleetsim
