// A scenario: fleet + workload + policy (+ placement, preemption costs, run limits, output
// settings) + seed. Loading validates everything, so the engine never sees a bad scenario.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sim/core/time.hpp"
#include "sim/failure/failure_config.hpp"
#include "sim/io/config_node.hpp"
#include "sim/io/fleet_config.hpp"
#include "sim/io/workload_config.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {

struct ScenarioConfig {
  std::string file;  // as given on the command line
  std::string name;
  std::uint64_t seed = 1;
  FleetConfig fleet;
  WorkloadConfig workload;
  std::string policy;
  std::map<std::string, ParamValue> policy_params;  // every declared parameter, defaults filled in
  std::string placement = "topology";
  std::string site_selection = "any";
  std::string start = "2026-01-01";  // UTC time of simulated time 0, as written
  std::int64_t start_unix_s = kDefaultStartUnixS;
  Duration preempt_overhead = 0;
  Duration resume_overhead = 0;
  SimTime until = kTimeNever;
  Duration sample_interval = 600 * kMicrosPerSecond;
  FailureConfig failures;
  CheckpointConfig checkpoint;
};

// What the command line may override.
struct ScenarioOverrides {
  std::optional<std::string> policy;  // replaces the policy; its parameters take their defaults
  std::optional<std::uint64_t> seed;
  std::optional<std::string> site_selection;  // replaces the scenario's site_selection
  std::optional<std::string> placement;       // replaces the scenario's placement
};

// The fleet's sites, for resolving the workload's site names and residency places.
SiteDirectory site_directory(const FleetConfig& fleet);

// Throws ConfigError naming file, line and field for anything wrong.
ScenarioConfig load_scenario(const std::string& file, const ScenarioOverrides& overrides = {});

// A value for `param` as written at `node`, of the parameter's type (and one of its choices);
// sweep files give parameter values too.
ParamValue load_param(const ConfigNode& node, const Param& param);

}  // namespace fleetsim
