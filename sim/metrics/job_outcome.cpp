#include "sim/metrics/job_outcome.hpp"

namespace fleetsim {

JobOutcome outcome_of(const Job& job) {
  switch (job.state) {
    case JobState::Done: return JobOutcome::Finished;
    case JobState::Running:
    case JobState::Draining: return JobOutcome::RunningAtEnd;
    case JobState::Queued:
    case JobState::Held: break;  // held past the end: never started
  }
  return job.first_start == kTimeNever ? JobOutcome::NeverStarted : JobOutcome::QueuedAtEnd;
}

std::string_view outcome_name(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::Finished: return "finished";
    case JobOutcome::NeverStarted: return "never_started";
    case JobOutcome::QueuedAtEnd: return "queued_at_end";
    case JobOutcome::RunningAtEnd: return "running_at_end";
  }
  return "?";
}

}  // namespace fleetsim
