// What a run that drops finished jobs (EngineConfig::keep_finished_jobs = false) leaves of
// them: each job's record as its on_finish saw it. The property tests compare these with a
// run that keeps every record.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "sim/core/job_table.hpp"
#include "sim/core/run_observer.hpp"

namespace fleetsim::test {

class FinishedRecords : public RunObserver {
 public:
  explicit FinishedRecords(const JobTable& table) : table_(&table) {}
  void on_finish(const Job& job, SimTime /*now*/) override {
    records_.emplace(table_->id_of(job).index(), job);
  }
  // Every job by id: the retired ones as they were at their finish, the rest from the table.
  std::vector<Job> all_jobs() const {
    std::vector<Job> jobs;
    for (std::size_t id = 0; id < table_->size(); ++id) {
      const Job* live = table_->find(JobId{id});
      jobs.push_back(live != nullptr ? *live : records_.at(id));
    }
    return jobs;
  }

 private:
  const JobTable* table_;
  std::map<std::size_t, Job> records_;
};

}  // namespace fleetsim::test
