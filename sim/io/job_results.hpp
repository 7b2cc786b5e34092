// The per-job results of a run: jobs.csv's rows and the summary's per-job figures, taken from
// each training job as it finishes and, after the run, from those that did not. Nothing reads
// every record at the end, so the engine may drop finished ones
// (EngineConfig::keep_finished_jobs), and both ways give the same bytes.
#pragma once

#include <cstddef>
#include <optional>

#include "sim/core/engine.hpp"
#include "sim/core/job_table.hpp"
#include "sim/core/run_observer.hpp"
#include "sim/io/jobs_csv.hpp"
#include "sim/metrics/summary.hpp"

namespace fleetsim {

class JobResults : public RunObserver {
 public:
  // `jobs` is the engine's table, to tell each job's id; `expected_jobs` sizes the rows.
  JobResults(const Fleet& fleet, const JobTable& jobs, std::optional<std::size_t> expected_jobs);

  void on_finish(const Job& job, SimTime now) override;
  // After the run: the training jobs that did not finish, by id.
  void add_unfinished();

  JobsCsv take_rows() { return std::move(rows_); }
  // Once, after add_unfinished. `training` covers training jobs only (no replicas).
  Summary summary(const RunTotals& training) { return summary_.finish(training); }

 private:
  void add(JobId id, const Job& job);

  const JobTable* jobs_;
  JobsCsv rows_;
  SummaryAccumulator summary_;
};

}  // namespace fleetsim
