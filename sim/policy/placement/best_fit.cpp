// Best fit (packing): the site with the least free GPUs that holds the gang, then the node
// whose free GPUs fit the rest most tightly, or the fullest-free node when no single node
// holds it: fewest nodes, least fragmentation. Ignores racks (see `topology`).
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement_helpers.hpp"

namespace fleetsim {
namespace {

class BestFit final : public Placement {
 public:
  std::optional<Allocation> place(const PlacementRequest& request,
                                  FreeCapacity& free) const override {
    const CapacityIndex& index = free.index();
    const Topology& topo = index.topology();
    for (GpuTypeId t : detail::candidate_types(request, index)) {
      const SiteId site =
          detail::tightest_site(index, t, request.gpus, detail::sites_of(request, topo));
      if (!site.valid()) continue;
      Allocation out;
      detail::take_nodes_best_fit(free, t, request.gpus,
                                  detail::nodes_of_racks(topo, detail::racks_of_site(topo, site)),
                                  out);
      return out;
    }
    return std::nullopt;
  }
};

const PlacementRegistration kRegistration{{
    .name = "best_fit",
    .summary = "packing: tightest site, then tightest node (or fullest-free nodes for big gangs)",
    .make = [] { return std::make_unique<BestFit>(); },
}};

}  // namespace
}  // namespace fleetsim
