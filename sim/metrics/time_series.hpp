// The time-series collector: one row per sample instant (allocated GPUs, queue, running jobs).
#pragma once

#include <vector>

#include "sim/core/run_observer.hpp"

namespace fleetsim {

class TimeSeries final : public RunObserver {
 public:
  void on_sample(const SampleState& state) override { rows_.push_back(state); }
  const std::vector<SampleState>& rows() const { return rows_; }

 private:
  std::vector<SampleState> rows_;
};

}  // namespace fleetsim
