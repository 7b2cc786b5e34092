// The fleet as written in YAML (GPU catalog + site -> cluster -> rack groups), validated, and
// turned into a Fleet. Kept as a config struct too, so the results folder can write the
// resolved fleet back out.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
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

// A carbon-intensity, electricity-price or power-cap profile as written: a constant, 24 hourly
// values in the site's local time, or a CSV series of (utc, value) rows.
struct ProfileConfig {
  enum class Kind { Constant, Daily, Series };
  Kind kind = Kind::Constant;
  double value = 0;
  std::array<double, 24> hourly{};
  std::string csv_path;  // Series: the file as resolved
  std::vector<std::int64_t> series_unix_s;
  std::vector<double> series_values;
  std::vector<int> series_lines;  // Series: the CSV line of each value (for errors)
};

// `racks` more racks of `cluster` (in id order; 0 = all the rest) come online at `online`.
struct BuildOutConfig {
  std::string cluster;
  std::uint32_t racks = 0;
  std::string online;  // as written
  std::int64_t online_unix_s = 0;
};

// The first `racks` racks of `cluster` (0 = all) are offline for `hours` from `start`.
struct MaintenanceConfig {
  std::string cluster;
  std::uint32_t racks = 0;
  std::string start;  // as written
  std::int64_t start_unix_s = 0;
  double hours = 0;
};

struct SiteConfig {
  std::string name;
  std::string country;
  std::string region;
  std::string provider;
  std::vector<ClusterConfig> clusters;
  std::optional<ProfileConfig> power_cap_mw;  // IT power cap; nullopt = none
  double pue = 1.0;
  double utc_offset_h = 0;  // local time of the daily profiles
  ProfileConfig carbon_g_per_kwh;
  ProfileConfig price_usd_per_mwh;
  std::vector<BuildOutConfig> build_out;
  std::vector<MaintenanceConfig> maintenance;
};

struct WanLinkConfig {
  std::string a, b;
  double rtt_ms = 0;
  double bandwidth_gbps = 0;
};

struct FleetConfig {
  std::vector<GpuType> gpu_types;
  std::string reference_type;
  SpanSpeed span_speed;
  std::vector<SiteConfig> sites;
  std::vector<WanLinkConfig> wan;
  CrossSiteGangs cross_site;
};

// 2026-01-01T00:00Z: simulated time 0 when a scenario names no start.
constexpr std::int64_t kDefaultStartUnixS = 1'767'225'600;

// `node` is the scenario's `fleet:` entry: a path to a fleet file (relative to the scenario
// file) or the fleet itself as a map. Throws ConfigError on any bad or unknown entry.
FleetConfig load_fleet_config(const ConfigNode& node);
// `start_unix_s` is the UTC time of simulated time 0: dates and daily profiles hang on it.
Fleet build_fleet(const FleetConfig& config, std::int64_t start_unix_s = kDefaultStartUnixS);

}  // namespace fleetsim
