// Where jobs come from: a stream in submit-time order, so a million-job trace is never all in
// the calendar at once. Generators and trace readers implement this.
#pragma once

#include <optional>
#include <string>

#include "sim/core/error.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class WorkloadSource {
 public:
  virtual ~WorkloadSource() = default;
  // Writes the next job, with submit >= the previous one's, into `job` and returns true; false
  // (`job` untouched) when exhausted. Into the caller's JobSpec, because the engine reuses one:
  // a value returned would cost a move of the whole spec per arrival.
  virtual bool read_next(JobSpec& job) = 0;
  // The same as a value; nullopt when exhausted.
  std::optional<JobSpec> next() {
    JobSpec job;
    if (!read_next(job)) return std::nullopt;
    return job;
  }
  // How many jobs the source will give, if it knows (lets the engine size its job table once).
  virtual std::optional<std::size_t> size_hint() const { return std::nullopt; }
  // Where a job came from, for error messages: the trace row, or the generator's config entry.
  virtual SourcePos origin(const JobSpec& job) const = 0;
};

}  // namespace fleetsim
