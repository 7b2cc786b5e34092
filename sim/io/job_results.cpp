#include "sim/io/job_results.hpp"

#include <algorithm>

namespace fleetsim {

JobResults::JobResults(const Fleet& fleet, const JobTable& jobs,
                       std::optional<std::size_t> expected_jobs)
    : jobs_(&jobs), rows_(fleet) {
  // Capped as the engine's table is (a hint is not a promise); the pages are touched only as
  // rows are written.
  if (expected_jobs) rows_.reserve(std::min<std::size_t>(*expected_jobs, 10'000'000));
}

void JobResults::on_finish(const Job& job, SimTime /*now*/) {
  if (!job.spec.is_replica()) add(jobs_->id_of(job), job);
}

void JobResults::add_unfinished() {
  // In slot order: the rows go out by id and the summary's sums do not depend on the order.
  for (const Job& job : jobs_->slots()) {
    // Done records are finished jobs (added at their finish) or, when finished jobs are
    // dropped, the free slots they left.
    if (job.state != JobState::Done && !job.spec.is_replica()) add(jobs_->id_of(job), job);
  }
}

void JobResults::add(JobId id, const Job& job) {
  rows_.add(id, job);
  summary_.add(job);
}

}  // namespace fleetsim
