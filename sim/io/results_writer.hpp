// Writes a run's results folder: summary.json, jobs.csv, timeseries.csv and
// scenario.resolved.yaml (every default filled in, fleet and workload inline, fleetsim version
// and seed), from which `fleetsim run` reproduces the run. Only simulated quantities go in:
// no wall-clock time, host or path of the machine, so the same run writes the same bytes.
#pragma once

#include <string>

#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"

namespace fleetsim {

std::string fleetsim_version();

void write_results(const std::string& dir, const ScenarioConfig& config, const RunResult& result);

// The resolved scenario as YAML text. Trace paths are written relative to `dir`.
std::string resolved_scenario_yaml(const ScenarioConfig& config, const std::string& dir);

}  // namespace fleetsim
