#include "sim/policy/placement_helpers.hpp"

#include <algorithm>

#include "sim/core/bits.hpp"
#include "sim/core/error.hpp"

namespace fleetsim::detail {

NodeRange nodes_of_rack(const Topology& topo, RackId r) {
  const Rack& rack = topo.rack(r);
  return {rack.first_node, NodeId{rack.first_node.value + rack.node_count}};
}

RackRange racks_of_cluster(const Topology& topo, ClusterId c) {
  const Cluster& cluster = topo.cluster(c);
  return {cluster.first_rack, RackId{cluster.first_rack.value + cluster.rack_count}};
}

NodeRange nodes_of_racks(const Topology& topo, RackRange racks) {
  if (racks.lo == racks.hi) return {NodeId{0}, NodeId{0}};
  const Rack& last = topo.rack(RackId{racks.hi.value - 1});
  return {topo.rack(racks.lo).first_node, NodeId{last.first_node.value + last.node_count}};
}

RackRange racks_of_site(const Topology& topo, SiteId s) {
  const Site& site = topo.site(s);
  if (site.cluster_count == 0) return {RackId{0}, RackId{0}};
  const RackRange first = racks_of_cluster(topo, site.first_cluster);
  const RackRange last =
      racks_of_cluster(topo, ClusterId{site.first_cluster.value + site.cluster_count - 1});
  return {first.lo, last.hi};
}

NodeRange nodes_of_site(const Topology& topo, SiteId s) {
  return nodes_of_racks(topo, racks_of_site(topo, s));
}

SiteRange sites_of(const PlacementRequest& request, const Topology& topo) {
  if (request.site.valid()) return {request.site, SiteId{request.site.value + 1}};
  return {SiteId{0}, SiteId{topo.sites().size()}};
}

RackRange racks_of(const PlacementRequest& request, const Topology& topo) {
  if (request.site.valid()) return racks_of_site(topo, request.site);
  return {RackId{0}, RackId{topo.racks().size()}};
}

ClusterRange clusters_of(const PlacementRequest& request, const Topology& topo) {
  if (!request.site.valid()) return {ClusterId{0}, ClusterId{topo.clusters().size()}};
  const Site& site = topo.site(request.site);
  return {site.first_cluster, ClusterId{site.first_cluster.value + site.cluster_count}};
}

GpuTypeList candidate_types(const PlacementRequest& request, const CapacityIndex& index) {
  GpuTypeList out;
  const auto consider = [&](GpuTypeId t) {
    const std::uint64_t free =
        request.site.valid() ? index.site_free(request.site, t) : index.type_free(t);
    if (free >= request.gpus) out.push_back(t);
  };
  if (!request.allowed_types.empty()) {
    for (GpuTypeId t : request.allowed_types) consider(t);
  } else {
    for (std::size_t t = 0; t < index.type_count(); ++t) consider(GpuTypeId{t});
  }
  return out;
}

SiteId tightest_site(const CapacityIndex& index, GpuTypeId t, std::uint64_t gpus, SiteRange range) {
  SiteId best;
  std::uint64_t best_free = 0;
  for (SiteId s = range.lo; s < range.hi; s = SiteId{s.value + 1}) {
    const std::uint64_t f = index.site_free(s, t);
    if (f >= gpus && (!best.valid() || f < best_free)) {
      best = s;
      best_free = f;
    }
  }
  return best;
}

void take_nodes_best_fit(FreeCapacity& free, GpuTypeId t, std::uint32_t need, NodeRange range,
                         Allocation& out) {
  const CapacityIndex& index = free.index();
  const std::uint32_t max_k = index.topology().max_gpus_per_node();
  while (need > 0) {
    NodeId chosen;
    for (std::uint32_t k = need; k <= max_k && !chosen.valid(); ++k) {
      chosen = index.find_node_with_free(t, k, range.lo, range.hi);
    }
    for (std::uint32_t k = std::min(need, max_k); k >= 1 && !chosen.valid(); --k) {
      chosen = index.find_node_with_free(t, k, range.lo, range.hi);
    }
    FLEETSIM_CHECK(chosen.valid(), "no free GPU of type {} left in nodes [{}, {})", t.value,
                   range.lo.value, range.hi.value);
    const std::uint64_t mask = index.free_mask(chosen);
    const auto available = count_gpus(mask);
    const std::uint64_t taken = lowest_bits(mask, std::min(need, available));
    free.take(chosen, taken);
    out.slices.push_back({chosen, taken});
    need -= count_gpus(taken);
  }
}

void take_racks_best_fit(FreeCapacity& free, GpuTypeId t, std::uint32_t need, RackRange range,
                         Allocation& out) {
  const CapacityIndex& index = free.index();
  const Topology& topo = index.topology();
  const std::uint32_t max_k = topo.max_gpus_per_rack();
  while (need > 0) {
    RackId chosen;
    for (std::uint32_t k = need; k <= max_k && !chosen.valid(); ++k) {
      chosen = index.find_rack_with_free(t, k, range.lo, range.hi);
    }
    for (std::uint32_t k = std::min(need, max_k); k >= 1 && !chosen.valid(); --k) {
      chosen = index.find_rack_with_free(t, k, range.lo, range.hi);
    }
    FLEETSIM_CHECK(chosen.valid(), "no free GPU of type {} left in racks [{}, {})", t.value,
                   range.lo.value, range.hi.value);
    const std::uint32_t take = std::min(need, index.rack_free(chosen));
    take_nodes_best_fit(free, t, take, nodes_of_rack(topo, chosen), out);
    need -= take;
  }
}

}  // namespace fleetsim::detail
