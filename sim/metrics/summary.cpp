#include "sim/metrics/summary.hpp"

#include <algorithm>

#include "sim/metrics/job_outcome.hpp"

namespace fleetsim {

Summary summarize(const std::vector<Job>& jobs, const RunTotals& totals) {
  Summary s;
  s.jobs = jobs.size();
  s.arrivals_after_horizon = totals.arrivals_after_horizon;
  s.total_gpus = totals.total_gpus;
  s.events = totals.events;
  s.scheduling_passes = totals.scheduling_passes;
  s.allocated_gpu_hours = totals.allocated_gpu_seconds / 3600.0;
  std::vector<double> jct, delay;
  jct.reserve(jobs.size());
  delay.reserve(jobs.size());
  constexpr Duration kLongJob = 24 * 3600 * kMicrosPerSecond;
  double recovery_s = 0;
  double hold_s = 0;
  double ettr_sum = 0;
  std::uint64_t recovered = 0;
  SimTime first_submit = kTimeNever;
  SimTime last_end = 0;
  for (const Job& job : jobs) {
    first_submit = std::min(first_submit, job.spec.submit);
    switch (outcome_of(job)) {
      case JobOutcome::Finished:
        ++s.finished;
        jct.push_back(to_seconds(job.end - job.spec.submit));
        last_end = std::max(last_end, job.end);
        break;
      case JobOutcome::NeverStarted: ++s.never_started; break;
      case JobOutcome::QueuedAtEnd: ++s.queued_at_end; break;
      case JobOutcome::RunningAtEnd: ++s.running_at_end; break;
    }
    if (job.first_start != kTimeNever) delay.push_back(to_seconds(job.first_start - job.spec.submit));
    s.preemptions += job.preemptions;
    if (job.preemptions > 0) ++s.jobs_preempted;
    s.interruptions += job.interruptions;
    if (job.interruptions > 0) ++s.jobs_interrupted;
    if (job.spec.elastic()) {
      ++s.elastic_jobs;
      s.elastic_gpu_hours += job.gpu_seconds / 3600.0;
    }
    // An elastic job's overheads are weighted by the gang it held at each one (below).
    const double gpus = job.spec.elastic() ? 0.0 : job.spec.gpus;
    s.lost_gpu_hours += gpus * to_seconds(job.lost_time) / 3600.0;
    s.staging_gpu_hours += gpus * to_seconds(job.staging_time) / 3600.0;
    if (job.spec.start_slack > 0) ++s.flexible_jobs;
    if (job.held > 0) {
      ++s.held_jobs;
      s.held_work_gpu_hours += job.spec.work_gpu_s() / 3600.0;
      hold_s += to_seconds(job.held);
      s.max_hold_s = std::max(s.max_hold_s, to_seconds(job.held));
    }
    s.checkpoint_gpu_hours += gpus * to_seconds(job.checkpoint_time) / 3600.0;
    s.restart_gpu_hours += gpus * to_seconds(job.restart_time) / 3600.0;
    recovery_s += to_seconds(job.recovery_time);
    // An interruption still waiting at the end has not recovered.
    recovered += job.interruptions - (job.restarting ? 1 : 0);
    if (outcome_of(job) == JobOutcome::Finished && job.spec.duration >= kLongJob) {
      const Duration wasted = job.lost_time + job.checkpoint_time + job.restart_time;
      ettr_sum += to_seconds(job.run_time - wasted) / to_seconds(job.end - job.first_start);
      ++s.long_jobs;
    }
  }
  s.resizes = totals.elastic.resizes;
  s.lost_gpu_hours += totals.elastic.lost_gpu_seconds / 3600.0;
  s.staging_gpu_hours += totals.elastic.staging_gpu_seconds / 3600.0;
  s.checkpoint_gpu_hours += totals.elastic.checkpoint_gpu_seconds / 3600.0;
  s.restart_gpu_hours += totals.elastic.restart_gpu_seconds / 3600.0;
  if (s.long_jobs > 0) s.long_job_ettr = ettr_sum / static_cast<double>(s.long_jobs);
  if (s.held_jobs > 0) s.mean_hold_s = hold_s / static_cast<double>(s.held_jobs);
  if (recovered > 0) s.mean_recovery_s = recovery_s / static_cast<double>(recovered);
  const double wasted_gpu_hours = s.lost_gpu_hours + s.checkpoint_gpu_hours + s.restart_gpu_hours;
  if (s.allocated_gpu_hours > 0) {
    s.goodput = (s.allocated_gpu_hours - wasted_gpu_hours) / s.allocated_gpu_hours;
    s.interruptions_per_1000_gpu_days =
        static_cast<double>(s.interruptions) / (s.allocated_gpu_hours / 24.0 / 1000.0);
  }
  s.down_gpu_hours = totals.failures.down_gpu_seconds / 3600.0;
  s.failures_while_offline = totals.failures.failures_while_offline;
  for (std::size_t p = 0; p < totals.failures.process_names.size(); ++p) {
    s.failures_by_process.emplace_back(totals.failures.process_names[p],
                                       totals.failures.failures_by_process[p]);
    s.interruptions_by_process.emplace_back(totals.failures.process_names[p],
                                            totals.failures.interruptions_by_process[p]);
  }
  s.jct_s = describe(jct);
  s.queue_delay_s = describe(delay);
  if (!jobs.empty()) {
    const SimTime end = s.finished == s.jobs ? last_end : totals.end_time;
    s.makespan_s = to_seconds(end - first_submit);
    if (s.makespan_s > 0 && s.total_gpus > 0) {
      s.gpu_utilisation =
          totals.allocated_gpu_seconds / (static_cast<double>(s.total_gpus) * s.makespan_s);
    }
    const double window_s = to_seconds(totals.last_arrival - first_submit);
    if (window_s > 0 && s.total_gpus > 0) {
      s.gpu_utilisation_during_arrivals = totals.allocated_gpu_seconds_at_last_arrival /
                                          (static_cast<double>(s.total_gpus) * window_s);
    }
  }
  return s;
}

}  // namespace fleetsim
