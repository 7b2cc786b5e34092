// Building blocks shared by the placement strategies: id ranges of the hierarchy, the GPU
// types a request may use, and node filling over a range using the capacity index's buckets.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/fleet/allocation.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement.hpp"

namespace fleetsim::detail {

struct NodeRange {
  NodeId lo, hi;  // [lo, hi)
};
struct RackRange {
  RackId lo, hi;
};

NodeRange nodes_of_rack(const Topology& topo, RackId r);
RackRange racks_of_cluster(const Topology& topo, ClusterId c);
NodeRange nodes_of_racks(const Topology& topo, RackRange racks);
RackRange racks_of_site(const Topology& topo, SiteId s);
NodeRange nodes_of_site(const Topology& topo, SiteId s);

struct SiteRange {
  SiteId lo, hi;
};
struct ClusterRange {
  ClusterId lo, hi;
};

// The sites a request may be placed in: its one site, or all of them.
SiteRange sites_of(const PlacementRequest& request, const Topology& topo);
// The racks / clusters of those sites.
RackRange racks_of(const PlacementRequest& request, const Topology& topo);
ClusterRange clusters_of(const PlacementRequest& request, const Topology& topo);

// The types a request may use that have at least request.gpus free GPUs fleet-wide, in the
// request's own order (or catalog order when it allows any). Skipping the others up front keeps
// a placement from probing the bucket indexes of types the fleet lacks or has no room in. Inline
// for up to 8 types: this runs once per placement, and a heap allocation here was a measurable
// share of the engine loop.
using GpuTypeList = boost::container::small_vector<GpuTypeId, 8>;
GpuTypeList candidate_types(const PlacementRequest& request, const CapacityIndex& index);

// The site in `range` with the least free GPUs of type t that still holds `gpus` (ties: lowest
// id), or an invalid id. O(sites).
SiteId tightest_site(const CapacityIndex& index, GpuTypeId t, std::uint64_t gpus, SiteRange range);

// Takes `need` GPUs of type t from nodes in `range`: while the rest fits in one node, the node
// with the fewest free GPUs that holds it (best fit); otherwise the node with the most free GPUs
// (fewest nodes). Appends to `out`. Precondition: the range has >= need free GPUs of type t.
void take_nodes_best_fit(FreeCapacity& free, GpuTypeId t, std::uint32_t need, NodeRange range,
                         Allocation& out);

// Takes `need` GPUs of type t from the racks in `range`: the tightest single rack that holds the
// rest, else the rack with the most free GPUs (fewest racks); nodes within a rack best fit.
// Precondition: the range has >= need free GPUs of type t.
void take_racks_best_fit(FreeCapacity& free, GpuTypeId t, std::uint32_t need, RackRange range,
                         Allocation& out);

}  // namespace fleetsim::detail
