// The multi-site part of a fleet file: each site's power cap, PUE, carbon and price profiles,
// build-out and maintenance windows; the WAN links between sites; whether a gang may span sites.
// Loaded into FleetConfig, then turned into the Fleet's SiteEnergy, WanGraph and
// CapacityWindow tables.
#pragma once

#include <cstdint>

#include "sim/fleet/topology.hpp"
#include "sim/io/config_node.hpp"
#include "sim/io/fleet_config.hpp"

namespace fleetsim {

// The electricity / build-out / maintenance keys of one `sites:` entry. `out.clusters` must be
// loaded already (build-out and maintenance name its clusters).
void load_site_energy(const ConfigNode& site, SiteConfig& out);
// The fleet file's `wan:` and `cross_site_gangs:` entries. `out.sites` must be loaded already.
void load_wan(const ConfigNode& root, FleetConfig& out);
// Fills fleet.site_energy, wan, cross_site and capacity_windows; dates are relative to
// `start_unix_s` (simulated time 0). Precondition: fleet.topology was built from `config`.
void build_site_energy(const FleetConfig& config, std::int64_t start_unix_s, Fleet& fleet);

}  // namespace fleetsim
