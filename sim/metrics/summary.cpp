#include "sim/metrics/summary.hpp"

#include <algorithm>

#include "sim/metrics/job_outcome.hpp"

namespace fleetsim {

void SummaryAccumulator::add(const Job& job) {
  constexpr Duration kLongJob = 24 * 3600 * kMicrosPerSecond;
  Summary& s = s_;
  ++s.jobs;
  first_submit_ = std::min(first_submit_, job.spec.submit);
  const JobOutcome outcome = outcome_of(job);
  switch (outcome) {
    case JobOutcome::Finished:
      ++s.finished;
      jct_s_.push_back(to_seconds(job.end - job.spec.submit));
      last_end_ = std::max(last_end_, job.end);
      break;
    case JobOutcome::NeverStarted: ++s.never_started; break;
    case JobOutcome::QueuedAtEnd: ++s.queued_at_end; break;
    case JobOutcome::RunningAtEnd: ++s.running_at_end; break;
  }
  if (job.first_start != kTimeNever) {
    queue_delay_s_.push_back(to_seconds(job.first_start - job.spec.submit));
  }
  s.preemptions += job.preemptions;
  if (job.preemptions > 0) ++s.jobs_preempted;
  s.interruptions += job.interruptions;
  if (job.interruptions > 0) ++s.jobs_interrupted;
  if (job.spec.elastic()) {
    ++s.elastic_jobs;
    elastic_gpu_s_.push_back(job.gpu_seconds);
  }
  // An elastic job's overheads are weighted by the gang it held at each one (RunTotals::elastic).
  const ExactSum gpus = job.spec.elastic() ? 0 : job.spec.gpus;
  lost_gpu_us_ += gpus * job.lost_time;
  staging_gpu_us_ += gpus * job.staging_time;
  checkpoint_gpu_us_ += gpus * job.checkpoint_time;
  restart_gpu_us_ += gpus * job.restart_time;
  if (job.spec.start_slack > 0) ++s.flexible_jobs;
  if (job.held > 0) {
    ++s.held_jobs;
    held_work_gpu_us_ += static_cast<ExactSum>(job.spec.duration) * job.spec.gpus;
    hold_us_ += job.held;
    s.max_hold_s = std::max(s.max_hold_s, to_seconds(job.held));
  }
  recovery_us_ += job.recovery_time;
  // An interruption still waiting at the end has not recovered.
  recovered_ += job.interruptions - (job.restarting ? 1 : 0);
  if (outcome == JobOutcome::Finished && job.spec.duration >= kLongJob) {
    const Duration wasted = job.lost_time + job.checkpoint_time + job.restart_time;
    long_job_ettr_.push_back(to_seconds(job.run_time - wasted) /
                             to_seconds(job.end - job.first_start));
    ++s.long_jobs;
  }
}

Summary SummaryAccumulator::finish(const RunTotals& totals) {
  Summary s = std::move(s_);
  const auto hours = [](ExactSum gpu_us) {
    return static_cast<double>(gpu_us) / static_cast<double>(kMicrosPerHour);
  };
  const auto seconds = [](ExactSum us) { return static_cast<double>(us) / kMicrosPerSecond; };
  s.arrivals_after_horizon = totals.arrivals_after_horizon;
  s.total_gpus = totals.total_gpus;
  s.events = totals.events;
  s.scheduling_passes = totals.scheduling_passes;
  s.allocated_gpu_hours = totals.allocated_gpu_seconds / 3600.0;
  s.elastic_gpu_hours = sum_ascending(elastic_gpu_s_) / 3600.0;
  s.resizes = totals.elastic.resizes;
  s.lost_gpu_hours = hours(lost_gpu_us_) + totals.elastic.lost_gpu_seconds / 3600.0;
  s.staging_gpu_hours = hours(staging_gpu_us_) + totals.elastic.staging_gpu_seconds / 3600.0;
  s.checkpoint_gpu_hours =
      hours(checkpoint_gpu_us_) + totals.elastic.checkpoint_gpu_seconds / 3600.0;
  s.restart_gpu_hours = hours(restart_gpu_us_) + totals.elastic.restart_gpu_seconds / 3600.0;
  s.held_work_gpu_hours = hours(held_work_gpu_us_);
  if (s.long_jobs > 0) {
    s.long_job_ettr = sum_ascending(long_job_ettr_) / static_cast<double>(s.long_jobs);
  }
  if (s.held_jobs > 0) s.mean_hold_s = seconds(hold_us_) / static_cast<double>(s.held_jobs);
  if (recovered_ > 0) s.mean_recovery_s = seconds(recovery_us_) / static_cast<double>(recovered_);
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
  s.jct_s = describe(jct_s_);
  s.queue_delay_s = describe(queue_delay_s_);
  if (s.jobs > 0) {
    const SimTime end = s.finished == s.jobs ? last_end_ : totals.end_time;
    s.makespan_s = to_seconds(end - first_submit_);
    if (s.makespan_s > 0 && s.total_gpus > 0) {
      s.gpu_utilisation =
          totals.allocated_gpu_seconds / (static_cast<double>(s.total_gpus) * s.makespan_s);
    }
    const double window_s = to_seconds(totals.last_arrival - first_submit_);
    if (window_s > 0 && s.total_gpus > 0) {
      s.gpu_utilisation_during_arrivals = totals.allocated_gpu_seconds_at_last_arrival /
                                          (static_cast<double>(s.total_gpus) * window_s);
    }
  }
  *this = SummaryAccumulator{};
  return s;
}

Summary summarize(const std::vector<Job>& jobs, const RunTotals& totals) {
  SummaryAccumulator summary;
  for (const Job& job : jobs) summary.add(job);
  return summary.finish(totals);
}

}  // namespace fleetsim
