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
