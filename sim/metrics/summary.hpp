// The run summary researchers compare policies on: job counts by outcome, JCT and queueing
// delay distributions, makespan, utilisation, preemptions.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

struct Summary {
  std::uint64_t jobs = 0;
  std::uint64_t finished = 0;
  std::uint64_t never_started = 0;
  std::uint64_t queued_at_end = 0;
  std::uint64_t running_at_end = 0;
  std::uint64_t arrivals_after_horizon = 0;
  Distribution jct_s;          // finished jobs: end - submit
  Distribution queue_delay_s;  // started jobs: first start - submit
  double makespan_s = 0;       // first submit to last finish (or to the run's end if unfinished)
  double gpu_utilisation = 0;  // allocated GPU-seconds / (GPUs x makespan)
  // The same from the first to the last arrival: closer to steady state when a heavy tail of
  // long jobs drains for weeks after the last arrival.
  double gpu_utilisation_during_arrivals = 0;
  double allocated_gpu_hours = 0;
  std::uint64_t preemptions = 0;
  std::uint64_t jobs_preempted = 0;
  std::uint64_t total_gpus = 0;
  std::uint64_t events = 0;
  std::uint64_t scheduling_passes = 0;
};

Summary summarize(const std::vector<Job>& jobs, const RunTotals& totals);

}  // namespace fleetsim
