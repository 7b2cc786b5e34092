// Synthetic training jobs: Poisson arrivals, categorical gang sizes, and a configurable duration
// distribution. Each attribute draws from its own RNG stream, so changing the size mix does not
// move the arrival times, and no policy choice can change the jobs drawn.
#pragma once

#include <cstdint>
#include <random>

#include <boost/random/discrete_distribution.hpp>

#include "sim/core/rng_streams.hpp"
#include "sim/fleet/gpu_catalog.hpp"
#include "sim/workload/synthetic_config.hpp"
#include "sim/workload/workload_source.hpp"

namespace fleetsim {

class SyntheticGenerator final : public WorkloadSource {
 public:
  // Precondition: `config` was validated by the loader (types exist in `catalog`).
  SyntheticGenerator(SyntheticConfig config, const GpuCatalog& catalog, const RngStreams& rng);

  bool read_next(JobSpec& out) override;
  SourcePos origin(const JobSpec& job) const override;
  std::optional<std::size_t> size_hint() const override {
    return static_cast<std::size_t>(config_.jobs - made_);
  }

 private:
  double draw_duration_s();
  void draw_data(JobSpec& job);  // data site, size and residency

  SyntheticConfig config_;
  std::vector<GpuTypeId> allowed_;
  std::mt19937_64 arrivals_, sizes_, durations_, tenants_, preemptible_;
  std::mt19937_64 data_;  // its own stream: adding data to a workload changes no other draw
  std::mt19937_64 flexible_;  // its own stream, as data_
  std::mt19937_64 elastic_;   // its own stream, as data_
  std::mt19937_64 fractional_;  // its own stream, as data_
  boost::random::discrete_distribution<std::size_t> size_index_;
  boost::random::discrete_distribution<std::size_t> data_site_index_;
  std::uint64_t made_ = 0;
  double clock_s_ = 0;
};

}  // namespace fleetsim
