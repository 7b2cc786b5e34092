// Brute-force model of a CapacityIndex for tests: recounts every level from per-node free masks
// and answers the bucket queries by scanning, so an index can be compared with it exactly.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/fleet/capacity_index.hpp"

namespace fleetsim::test {

// The index's free masks, copied out node by node.
inline std::vector<std::uint64_t> free_masks(const CapacityIndex& index) {
  std::vector<std::uint64_t> masks;
  for (std::size_t n = 0; n < index.topology().nodes().size(); ++n) {
    masks.push_back(index.free_mask(NodeId{n}));
  }
  return masks;
}

// Checks every counter and every bucket query of `index` against a recount from `masks`.
// Returns a description of the first difference, or "" when they agree.
inline std::string recount_mismatch(const CapacityIndex& index,
                                    const std::vector<std::uint64_t>& masks) {
  const Topology& topo = index.topology();
  const std::size_t types = index.type_count();
  const std::size_t nodes = topo.nodes().size();
  const std::size_t racks = topo.racks().size();
  std::vector<std::uint32_t> rack_free(racks, 0);
  std::vector<std::uint64_t> cluster_free(topo.clusters().size() * types, 0);
  std::vector<std::uint64_t> site_free(topo.sites().size() * types, 0);
  std::vector<std::uint64_t> type_free(types, 0);
  std::uint64_t total = 0;
  for (std::size_t n = 0; n < nodes; ++n) {
    const Node& node = topo.nodes()[n];
    if (index.free_mask(NodeId{n}) != masks[n]) return "free_mask of node " + std::to_string(n);
    const auto f = static_cast<std::uint32_t>(std::popcount(masks[n]));
    if (index.node_free(NodeId{n}) != f) return "node_free of node " + std::to_string(n);
    const Rack& rack = topo.rack(node.rack);
    rack_free[node.rack.index()] += f;
    cluster_free[rack.cluster.index() * types + node.type.index()] += f;
    site_free[topo.cluster(rack.cluster).site.index() * types + node.type.index()] += f;
    type_free[node.type.index()] += f;
    total += f;
  }
  for (std::size_t r = 0; r < racks; ++r) {
    if (index.rack_free(RackId{r}) != rack_free[r]) return "rack_free of rack " + std::to_string(r);
  }
  for (std::size_t t = 0; t < types; ++t) {
    for (std::size_t c = 0; c < topo.clusters().size(); ++c) {
      if (index.cluster_free(ClusterId{c}, GpuTypeId{t}) != cluster_free[c * types + t]) {
        return "cluster_free of cluster " + std::to_string(c) + " type " + std::to_string(t);
      }
    }
    for (std::size_t s = 0; s < topo.sites().size(); ++s) {
      if (index.site_free(SiteId{s}, GpuTypeId{t}) != site_free[s * types + t]) {
        return "site_free of site " + std::to_string(s) + " type " + std::to_string(t);
      }
    }
    if (index.type_free(GpuTypeId{t}) != type_free[t]) return "type_free " + std::to_string(t);
  }
  if (index.total_free() != total) return "total_free";
  // Bucket queries over the whole id range: walk each bucket with find_*(lo = last + 1) and
  // compare with the ids a scan finds.
  for (std::size_t t = 0; t < types; ++t) {
    const GpuTypeId type{t};
    for (std::uint32_t k = 0; k <= topo.max_gpus_per_node() + 1; ++k) {
      std::vector<std::size_t> want, got;
      for (std::size_t n = 0; n < nodes; ++n) {
        if (k > 0 && topo.nodes()[n].type == type &&
            std::popcount(masks[n]) == static_cast<int>(k)) {
          want.push_back(n);
        }
      }
      for (NodeId n = index.find_node_with_free(type, k, NodeId{0}, NodeId{nodes}); n.valid();
           n = index.find_node_with_free(type, k, NodeId{n.value + 1}, NodeId{nodes})) {
        got.push_back(n.index());
      }
      if (want != got) {
        return "nodes with " + std::to_string(k) + " free of type " + std::to_string(t);
      }
    }
    std::vector<std::size_t> want_any, got_any;
    for (std::size_t n = 0; n < nodes; ++n) {
      if (topo.nodes()[n].type == type && masks[n] != 0) want_any.push_back(n);
    }
    for (NodeId n = index.find_node_with_any_free(type, NodeId{0}, NodeId{nodes}); n.valid();
         n = index.find_node_with_any_free(type, NodeId{n.value + 1}, NodeId{nodes})) {
      got_any.push_back(n.index());
    }
    if (want_any != got_any) return "nodes with any free of type " + std::to_string(t);
    for (std::uint32_t k = 0; k <= topo.max_gpus_per_rack() + 1; ++k) {
      std::vector<std::size_t> want, got;
      for (std::size_t r = 0; r < racks; ++r) {
        if (k > 0 && topo.racks()[r].type == type && rack_free[r] == k) want.push_back(r);
      }
      for (RackId r = index.find_rack_with_free(type, k, RackId{0}, RackId{racks}); r.valid();
           r = index.find_rack_with_free(type, k, RackId{r.value + 1}, RackId{racks})) {
        got.push_back(r.index());
      }
      if (want != got) {
        return "racks with " + std::to_string(k) + " free of type " + std::to_string(t);
      }
    }
  }
  return "";
}

}  // namespace fleetsim::test
