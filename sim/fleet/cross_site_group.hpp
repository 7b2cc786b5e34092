// The sites one cross-site gang may span. The engine accepts a gang whose every two sites are
// within the RTT limit; the built-in placements and the load-time feasibility check both form
// such groups with this one rule, so a job the loader accepts is one they can place.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"

namespace fleetsim {

struct Fleet;

// Writes to `group` the sites a gang anchored at `anchor` may span among `eligible` (bit s =
// site s; the anchor must be one): the anchor first, then each eligible site in order of RTT
// from the anchor (ties: lower id) that is within the limit of every site already in. Just the
// anchor when the fleet does not allow cross-site gangs. O(sites^2).
void cross_site_group(const Fleet& fleet, SiteId anchor, std::uint64_t eligible,
                      std::vector<SiteId>& group);

}  // namespace fleetsim
