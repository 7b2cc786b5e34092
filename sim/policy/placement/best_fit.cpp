// Best fit (packing): the site with the least free GPUs that holds the gang, then the node
// whose free GPUs fit the rest most tightly, or the fullest-free node when no single node
// holds it: fewest nodes, least fragmentation. Ignores racks (see `topology`).
//
// With several GPU types allowed, the type is part of the fit: the type whose tightest site has
// the tightest node for the whole gang wins (ties, and gangs no node holds: the request's order,
// or the catalog's), as a Kubernetes-style best-fit scorer ranks every feasible node regardless
// of its GPU model. Taking types in a fixed order instead would make the baseline depend on how
// the catalog is sorted.
#include <limits>

#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement_helpers.hpp"

namespace fleetsim {
namespace {

constexpr std::uint32_t kNoNodeHoldsIt = std::numeric_limits<std::uint32_t>::max();

// The fewest free GPUs of type t on a node in `range` that still holds `gpus`, or
// kNoNodeHoldsIt. O(max GPUs per node) index lookups.
std::uint32_t tightest_node_fit(const CapacityIndex& index, GpuTypeId t, std::uint32_t gpus,
                                detail::NodeRange range) {
  const std::uint32_t max_k = index.topology().max_gpus_per_node();
  for (std::uint32_t k = gpus; k <= max_k; ++k) {
    if (index.find_node_with_free(t, k, range.lo, range.hi).valid()) return k;
  }
  return kNoNodeHoldsIt;
}

class BestFit final : public Placement {
 public:
  std::optional<Allocation> place(const PlacementRequest& request,
                                  FreeCapacity& free) const override {
    const CapacityIndex& index = free.index();
    const Topology& topo = index.topology();
    const detail::GpuTypeList types = detail::candidate_types(request, index);
    GpuTypeId best_type;
    detail::NodeRange best_nodes{};
    std::uint32_t best_fit = kNoNodeHoldsIt;
    for (GpuTypeId t : types) {
      const SiteId site =
          detail::tightest_site(index, t, request.gpus, detail::sites_of(request, topo));
      if (!site.valid()) continue;
      const detail::NodeRange nodes = detail::nodes_of_site(topo, site);
      // One candidate (the usual case): nothing to compare, skip the probe.
      const std::uint32_t fit =
          types.size() == 1 ? 0 : tightest_node_fit(index, t, request.gpus, nodes);
      if (!best_type.valid() || fit < best_fit) {
        best_type = t;
        best_nodes = nodes;
        best_fit = fit;
      }
    }
    if (!best_type.valid()) return std::nullopt;
    Allocation out;
    detail::take_nodes_best_fit(free, best_type, request.gpus, best_nodes, out);
    return out;
  }
};

const PlacementRegistration kRegistration{{
    .name = "best_fit",
    .summary = "packing: tightest site, then tightest node over every allowed GPU type (or "
               "fullest-free nodes for big gangs)",
    .make = [] { return std::make_unique<BestFit>(); },
}};

}  // namespace
}  // namespace fleetsim
