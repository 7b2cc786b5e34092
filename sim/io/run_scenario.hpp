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
#include "sim/io/scenario_config.hpp"
#include "sim/metrics/fragmentation_meter.hpp"
#include "sim/metrics/summary.hpp"

namespace fleetsim {

struct RunResult {
  std::vector<Job> jobs;
  RunTotals totals;
  std::vector<SampleState> samples;
  Summary summary;
  std::uint64_t trace_rows = 0;
  std::uint64_t trace_rows_rejected = 0;
  std::map<std::string, std::uint64_t> trace_rejected_by_reason;
  // Inference services: their serving metrics, and the replica jobs, which are left out of
  // `jobs` (so `summary` is training's: its JCT, utilisation and GPU-hours count training
  // jobs only; `totals` covers both).
  std::vector<ServiceResult> services;
  std::vector<Job> replicas;
  std::optional<CheckReport> check;  // with RunOptions::check
  std::optional<FragmentationSummary> fragmentation;  // with GPU shares in the workload
};

struct RunOptions {
  // Attach the InvariantChecker (fleetsim run --check): slower, same results.
  bool check = false;
};

// Throws ConfigError (bad input found while streaming, e.g. an impossible job) or PolicyError.
RunResult run_scenario(const ScenarioConfig& config, const RunOptions& options = {});

}  // namespace fleetsim
