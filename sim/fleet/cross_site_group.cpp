#include "sim/fleet/cross_site_group.hpp"

#include <algorithm>

#include "sim/fleet/topology.hpp"

namespace fleetsim {

void cross_site_group(const Fleet& fleet, SiteId anchor, std::uint64_t eligible,
                      std::vector<SiteId>& group) {
  group.assign(1, anchor);
  if (!fleet.cross_site.allowed) return;
  const WanGraph& wan = fleet.wan;
  const double limit = fleet.cross_site.max_rtt_ms;
  const auto near = [&](SiteId a, SiteId b) {
    return wan.reachable(a, b) && wan.rtt_ms(a, b) <= limit;
  };
  const std::size_t first_candidate = group.size();
  for (std::size_t s = 0; s < fleet.topology.sites().size(); ++s) {
    const SiteId site{s};
    if (site != anchor && (eligible >> s & 1U) != 0 && near(anchor, site)) group.push_back(site);
  }
  std::stable_sort(group.begin() + static_cast<std::ptrdiff_t>(first_candidate), group.end(),
                   [&](SiteId a, SiteId b) { return wan.rtt_ms(anchor, a) < wan.rtt_ms(anchor, b); });
  // Greedy, nearest first: keep a candidate only if it is near every site kept so far.
  std::size_t kept = first_candidate;
  for (std::size_t i = first_candidate; i < group.size(); ++i) {
    const SiteId candidate = group[i];
    if (std::all_of(group.begin() + 1, group.begin() + static_cast<std::ptrdiff_t>(kept),
                    [&](SiteId member) { return near(member, candidate); })) {
      group[kept++] = candidate;
    }
  }
  group.resize(kept);
}

}  // namespace fleetsim
