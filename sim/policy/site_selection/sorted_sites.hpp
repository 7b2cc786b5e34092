// The one thing every ranking does: all sites, ordered by a key (smaller first), ties by id.
#pragma once

#include <algorithm>
#include <vector>

#include "sim/fleet/topology.hpp"
#include "sim/policy/site_selection.hpp"

namespace fleetsim::detail {

template <class Key>
void sites_sorted_by(const SiteContext& context, std::vector<SiteId>& order, Key key) {
  for (std::size_t s = 0; s < context.fleet->topology.sites().size(); ++s) order.push_back(SiteId{s});
  std::stable_sort(order.begin(), order.end(),
                   [&](SiteId a, SiteId b) { return key(a) < key(b); });
}

}  // namespace fleetsim::detail
