// One run of a loaded scenario: build the fleet, open the workload, make the policy and
// placement, run the engine with the metric collectors, and summarise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/run_observer.hpp"
#include "sim/inference/services.hpp"
#include "sim/io/jobs_csv.hpp"
#include "sim/io/scenario_config.hpp"
#include "sim/metrics/fragmentation_meter.hpp"
#include "sim/metrics/summary.hpp"

namespace fleetsim {

struct RunResult {
  // Every training job's record by id; only with RunOptions::keep_jobs.
  std::vector<Job> jobs;
  JobsCsv jobs_csv;  // every training job's row
  RunTotals totals;
  std::vector<SampleState> samples;
  Summary summary;
  std::uint64_t trace_rows = 0;
  std::uint64_t trace_rows_rejected = 0;
  std::map<std::string, std::uint64_t> trace_rejected_by_reason;
  // Inference services: their serving metrics, and the replica jobs (with keep_jobs), which are
  // left out of `jobs` and `jobs_csv` (so `summary` is training's: its JCT, utilisation and
  // GPU-hours count training jobs only; `totals` covers both).
  std::vector<ServiceResult> services;
  std::vector<Job> replicas;
  std::optional<CheckReport> check;  // with RunOptions::check
  std::optional<FragmentationSummary> fragmentation;  // with GPU shares in the workload
};

struct RunOptions {
  // Attach the InvariantChecker (fleetsim run --check): slower, same results. It reads every
  // job's record, so the engine keeps them (as with keep_jobs).
  bool check = false;
  // Return every job's record in RunResult::jobs and ::replicas. Without it the engine drops
  // a finished job's record once the policy has seen the finish: memory follows the jobs in
  // the system, not every job of the run. The results files are the same bytes either way.
  bool keep_jobs = true;
};

// Throws ConfigError (bad input found while streaming, e.g. an impossible job) or PolicyError.
RunResult run_scenario(const ScenarioConfig& config, const RunOptions& options = {});

}  // namespace fleetsim
