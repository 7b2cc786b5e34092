// Topology-aware: keep a gang in one NVLink domain (rack) if any holds it, else in one cluster
// (one non-blocking fabric), else in one site; at each level choose the tightest container that
// holds the gang, and fill it with the fewest racks and nodes. Spread gangs run slower
// (fleet span_speed), so this trades packing for speed.
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement_helpers.hpp"

namespace fleetsim {
namespace {

class TopologyAware final : public Placement {
 public:
  std::optional<Allocation> place(const PlacementRequest& request,
                                  FreeCapacity& free) const override {
    const CapacityIndex& index = free.index();
    const Topology& topo = index.topology();
    const std::uint32_t g = request.gpus;
    const detail::RackRange all_racks = detail::racks_of(request, topo);
    const detail::ClusterRange clusters = detail::clusters_of(request, topo);
    for (GpuTypeId t : detail::candidate_types(request, index)) {
      // One rack: the tightest rack of this type that holds the whole gang.
      for (std::uint32_t k = g; k <= topo.max_gpus_per_rack(); ++k) {
        const RackId r = index.find_rack_with_free(t, k, all_racks.lo, all_racks.hi);
        if (!r.valid()) continue;
        Allocation out;
        detail::take_nodes_best_fit(free, t, g, detail::nodes_of_rack(topo, r), out);
        return out;
      }
      // One cluster: the tightest that holds it, filled with the fewest racks.
      ClusterId cluster;
      std::uint64_t cluster_free = 0;
      for (ClusterId c = clusters.lo; c < clusters.hi; c = ClusterId{c.value + 1}) {
        const std::uint64_t f = index.cluster_free(c, t);
        if (f >= g && (!cluster.valid() || f < cluster_free)) {
          cluster = c;
          cluster_free = f;
        }
      }
      if (cluster.valid()) {
        Allocation out;
        detail::take_racks_best_fit(free, t, g, detail::racks_of_cluster(topo, cluster), out);
        return out;
      }
      // One site: its clusters' racks, fewest racks first.
      const SiteId site = detail::tightest_site(index, t, g, detail::sites_of(request, topo));
      if (site.valid()) {
        Allocation out;
        detail::take_racks_best_fit(free, t, g, detail::racks_of_site(topo, site), out);
        return out;
      }
    }
    return std::nullopt;
  }
};

const PlacementRegistration kRegistration{{
    .name = "topology",
    .summary = "one NVLink domain if possible, else one cluster, else one site; fewest racks",
    .make = [] { return std::make_unique<TopologyAware>(); },
}};

}  // namespace
}  // namespace fleetsim
