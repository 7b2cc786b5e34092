// The `services:` list of a workload file: inference services beside the training jobs, loaded
// and checked (every error one line naming file, line and field), and written back into
// scenario.resolved.yaml with every default filled in.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/fleet/gpu_catalog.hpp"
#include "sim/inference/service_spec.hpp"
#include "sim/io/config_node.hpp"
#include "sim/workload/site_directory.hpp"

namespace fleetsim {

// `list` is the workload's `services:` node. GPU type names are checked against `catalog`,
// residency against `sites` (empty: names kept, not resolved); a demand trace is read now (so
// a broken trace fails at load, like a job trace).
std::vector<ServiceSpec> load_services(const ConfigNode& list, const GpuCatalog& catalog,
                                       const SiteDirectory& sites = {});

// Emits the services as a YAML list the loader reads back, for a file in folder `dir` (trace
// paths are written relative to it).
void emit_services(YAML::Emitter& y, const std::vector<ServiceSpec>& services,
                   const std::string& dir);

}  // namespace fleetsim
