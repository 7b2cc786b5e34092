// First fit: the first GPU type and site (in id order) with enough free GPUs, then nodes in id
// order, lowest free GPUs first. Cheap and predictable; fragments the fleet.
#include <algorithm>

#include "sim/core/bits.hpp"
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement_helpers.hpp"

namespace fleetsim {
namespace {

class FirstFit final : public Placement {
 public:
  std::optional<Allocation> place(const PlacementRequest& request,
                                  FreeCapacity& free) const override {
    const CapacityIndex& index = free.index();
    const Topology& topo = index.topology();
    for (GpuTypeId t : detail::candidate_types(request, index)) {
      const detail::SiteRange sites = detail::sites_of(request, topo);
      for (SiteId s = sites.lo; s < sites.hi; s = SiteId{s.value + 1}) {
        if (index.site_free(s, t) < request.gpus) continue;
        const detail::NodeRange range = detail::nodes_of_site(topo, s);
        Allocation out;
        std::uint32_t need = request.gpus;
        // The site holds the GPUs, so each search finds a node; none after the last take.
        NodeId n = index.find_node_with_any_free(t, range.lo, range.hi);
        while (need > 0) {
          const std::uint64_t mask = index.free_mask(n);
          const auto available = count_gpus(mask);
          const std::uint64_t taken = lowest_bits(mask, std::min(need, available));
          free.take(n, taken);
          out.slices.push_back({n, taken});
          need -= count_gpus(taken);
          if (need > 0) n = index.find_node_with_any_free(t, NodeId{n.value + 1}, range.hi);
        }
        return out;
      }
    }
    return std::nullopt;
  }
};

const PlacementRegistration kRegistration{{
    .name = "first_fit",
    .summary = "first site with room, then nodes in id order (lowest GPUs first)",
    .make = [] { return std::make_unique<FirstFit>(); },
}};

}  // namespace
}  // namespace fleetsim
