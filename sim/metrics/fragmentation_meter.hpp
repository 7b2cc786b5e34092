// FGD's fragmentation measure over a run (sim/model/fragmentation.hpp), sampled at each sample
// instant once a fractional job (a GPU share) has arrived: how much of the fleet's unallocated
// GPU capacity the workload mix arrived so far could not use. Reported in summary.json
// ("fragmentation") for workloads with GPU shares; other runs pay nothing for it.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/run_observer.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/model/fragmentation.hpp"

namespace fleetsim {

struct FragmentationSummary {
  std::uint64_t samples = 0;
  double mean_fragmented_gpus = 0;   // mean over samples of sum_n F_n(M), in GPUs
  double mean_unallocated_gpus = 0;  // mean over samples of the unallocated GPU capacity
  // sum of F over sum of unallocated, over the samples: the share of idle GPU capacity that
  // the workload could not have used (0 when nothing was unallocated).
  double fragment_rate = 0;
};

class FragmentationMeter final : public RunObserver {
 public:
  // The index must outlive the meter (the engine's, see Engine::capacity()).
  explicit FragmentationMeter(const CapacityIndex& index) : index_(&index) {}
  void on_arrival(const Job& job, SimTime now) override;
  void on_sample(const SampleState& state) override;
  bool measured() const { return mix_.has_shares(); }
  FragmentationSummary summary() const;

 private:
  const CapacityIndex* index_;
  TaskMix mix_;
  std::uint64_t samples_ = 0;
  double fragmented_milli_ = 0, unallocated_milli_ = 0;  // summed over samples
  std::vector<std::uint32_t> room_;
};

}  // namespace fleetsim
