// The one thing every ranking does: all sites, ordered by a key (smaller first), ties by id.
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/fleet/topology.hpp"
#include "sim/policy/site_selection.hpp"

namespace fleetsim::detail {

// Each key is computed once (a ranking runs for every job a pass tries to place); the scratch
// is per thread because sweeps run scenarios on several threads.
template <class Key>
void sites_sorted_by(const SiteContext& context, std::vector<SiteId>& order, Key key) {
  using K = std::decay_t<decltype(key(SiteId{}))>;
  thread_local std::vector<std::pair<K, std::size_t>> keyed;
  keyed.clear();
  const std::size_t sites = context.fleet->topology.sites().size();
  for (std::size_t s = 0; s < sites; ++s) keyed.emplace_back(key(SiteId{s}), s);
  std::sort(keyed.begin(), keyed.end());
  for (const auto& [k, s] : keyed) order.push_back(SiteId{s});
}

}  // namespace fleetsim::detail
