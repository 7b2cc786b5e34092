// A `residency:` list (countries or regions) resolved to the fleet's sites, shared by training
// workloads and inference services.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/config_node.hpp"
#include "sim/workload/site_directory.hpp"

namespace fleetsim {

// Returns the mask of allowed sites and appends the names to `names`. Each place must hold at
// least one site; an empty list is an error.
std::uint64_t load_residency(const ConfigNode& list, const SiteDirectory& sites,
                             std::vector<std::string>& names);

}  // namespace fleetsim
