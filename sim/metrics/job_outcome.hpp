// How a job ended up when the run stopped: finished, or which kind of unfinished. Every job
// gets exactly one outcome, so none is silently lost from the results.
#pragma once

#include <string_view>

#include "sim/workload/job.hpp"

namespace fleetsim {

enum class JobOutcome {
  Finished,
  NeverStarted,   // still queued, never got GPUs
  QueuedAtEnd,    // ran, was preempted, and is waiting again
  RunningAtEnd,   // holds GPUs at the horizon (running or draining)
};

JobOutcome outcome_of(const Job& job);
std::string_view outcome_name(JobOutcome outcome);  // "finished", "never_started", ...

}  // namespace fleetsim
