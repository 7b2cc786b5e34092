// The run summary researchers compare policies on: job counts by outcome, JCT and queueing
// delay distributions, makespan, utilisation, preemptions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
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
  // Failures and checkpointing. Wasted GPU time = GPUs x (lost + checkpoint + restart time);
  // goodput = (allocated - wasted) / allocated GPU time (preemption overheads not counted).
  std::uint64_t interruptions = 0;
  std::uint64_t jobs_interrupted = 0;
  double interruptions_per_1000_gpu_days = 0;  // per 1,000 allocated GPU-days
  double lost_gpu_hours = 0;
  double checkpoint_gpu_hours = 0;
  double restart_gpu_hours = 0;
  double goodput = 1;
  double down_gpu_hours = 0;
  double mean_recovery_s = 0;  // interruption to progress resuming, over recovered interruptions
  // Effective training time ratio of finished jobs of at least a day: productive time over
  // wall time from first start to end. 0 when there are none.
  std::uint64_t long_jobs = 0;
  double long_job_ettr = 0;
  double staging_gpu_hours = 0;  // GPUs held while input data came over the WAN
  // Flexible jobs (start slack > 0) and those their site selection held back before queueing
  // (carbon_aware: to a greener hour). Work = reference GPU-hours; holds in seconds.
  std::uint64_t flexible_jobs = 0;
  std::uint64_t held_jobs = 0;
  double held_work_gpu_hours = 0;
  double mean_hold_s = 0;  // over held jobs
  double max_hold_s = 0;
  // Elastic jobs (min_gpus < max_gpus): how many, the GPU-hours they held, and how often a job
  // restarted on another GPU count.
  std::uint64_t elastic_jobs = 0;
  double elastic_gpu_hours = 0;
  std::uint64_t resizes = 0;
  std::vector<std::pair<std::string, std::uint64_t>> failures_by_process;
  std::uint64_t failures_while_offline = 0;  // no effect: the component's racks were offline
  std::vector<std::pair<std::string, std::uint64_t>> interruptions_by_process;
  std::uint64_t events = 0;
  std::uint64_t scheduling_passes = 0;
};

// Builds a Summary one job at a time: as jobs finish, then the unfinished ones at the end of the
// run, so nothing has to keep every job's record to the end. Any order gives the same bits: the
// integer figures (microseconds, times GPUs) are summed exactly, and the others sorted first.
class SummaryAccumulator {
 public:
  // A training job, once: finished, or as it stands at the end of the run.
  void add(const Job& job);
  // Once, after every job was added: the summary with the run's totals. Starts over.
  Summary finish(const RunTotals& totals);

 private:
  // 128 bits: a million GPUs for a year is 3e19 GPU-microseconds, past 64.
  __extension__ typedef __int128 ExactSum;

  Summary s_;
  std::vector<double> jct_s_;
  std::vector<double> queue_delay_s_;
  std::vector<double> elastic_gpu_s_;  // per elastic job
  std::vector<double> long_job_ettr_;  // per finished job of at least a day
  // GPU-microseconds of rigid jobs (an elastic job's are in RunTotals::elastic).
  ExactSum lost_gpu_us_ = 0;
  ExactSum staging_gpu_us_ = 0;
  ExactSum checkpoint_gpu_us_ = 0;
  ExactSum restart_gpu_us_ = 0;
  ExactSum held_work_gpu_us_ = 0;  // reference work of held jobs
  ExactSum hold_us_ = 0;
  ExactSum recovery_us_ = 0;
  std::uint64_t recovered_ = 0;
  SimTime first_submit_ = kTimeNever;
  SimTime last_end_ = 0;
};

// The summary of `jobs`.
Summary summarize(const std::vector<Job>& jobs, const RunTotals& totals);

}  // namespace fleetsim
