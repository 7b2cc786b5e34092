// Placement: which GPUs a gang gets, separate from which job goes next, so any queue policy
// combines with any placement (`first_fit`, `best_fit`, `topology`, ...). A placement works on
// the pass's FreeCapacity scratch: it takes what it chooses there and returns the allocation,
// or takes nothing and returns nullopt.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/fleet/allocation.hpp"

namespace fleetsim {

class FreeCapacity;

struct PlacementRequest {
  std::uint32_t gpus = 0;
  std::span<const GpuTypeId> allowed_types;  // empty = any type
  // Place within this site only; invalid = the placement chooses the site too. A placement
  // never spans sites: FreeCapacity splits a cross-site gang into one request per site.
  SiteId site;
};

class Placement {
 public:
  virtual ~Placement() = default;
  virtual std::optional<Allocation> place(const PlacementRequest& request,
                                          FreeCapacity& free) const = 0;
};

struct PlacementInfo {
  std::string name;
  std::string summary;
  std::function<std::unique_ptr<Placement>()> make;
};

// Self-registration, as for policies: a placement file defines one of these at namespace scope.
struct PlacementRegistration {
  explicit PlacementRegistration(PlacementInfo info);
};

const std::vector<PlacementInfo>& registered_placements();  // sorted by name
const PlacementInfo* find_placement(const std::string& name);

}  // namespace fleetsim
