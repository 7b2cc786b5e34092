// The fleet as written in YAML (GPU catalog + site -> cluster -> rack groups), validated, and
// turned into a Fleet. Kept as a config struct too, so the results folder can write the
// resolved fleet back out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/fleet/topology.hpp"
#include "sim/io/config_node.hpp"

namespace fleetsim {

struct RackGroupConfig {
  std::uint32_t count = 0;
  std::uint32_t nodes = 0;          // per rack
  std::uint32_t gpus_per_node = 0;
  std::string gpu_type;
};

struct ClusterConfig {
  std::string name;
  std::vector<RackGroupConfig> racks;
};

struct SiteConfig {
  std::string name;
  std::string country;
  std::string region;
  std::string provider;
  std::vector<ClusterConfig> clusters;
};

struct FleetConfig {
  std::vector<GpuType> gpu_types;
  std::string reference_type;
  SpanSpeed span_speed;
  std::vector<SiteConfig> sites;
};

// `node` is the scenario's `fleet:` entry: a path to a fleet file (relative to the scenario
// file) or the fleet itself as a map. Throws ConfigError on any bad or unknown entry.
FleetConfig load_fleet_config(const ConfigNode& node);
Fleet build_fleet(const FleetConfig& config);

}  // namespace fleetsim
