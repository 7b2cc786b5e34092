// Capacity that is not there for a while: racks not yet built (a build-out) or taken down for
// planned maintenance. The engine takes them out of service at `offline_from` and brings them
// back at `online_at`; offline racks draw no power.
#pragma once

#include <cstdint>

#include "sim/core/ids.hpp"
#include "sim/core/time.hpp"

namespace fleetsim {

struct CapacityWindow {
  enum class Cause : std::uint8_t { BuildOut, Maintenance };
  Cause cause = Cause::BuildOut;
  SimTime offline_from = 0;  // build-outs: 0
  SimTime online_at = 0;     // kTimeNever: never back within the run
  RackId first_rack;
  std::uint32_t rack_count = 0;
};

}  // namespace fleetsim
