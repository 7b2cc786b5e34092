#include "sim/fleet/topology.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace fleetsim {

SiteId Topology::add_site(Site site) {
  site.first_cluster = ClusterId(clusters_.size());
  site.cluster_count = 0;
  site.gpu_count = 0;
  sites_.push_back(std::move(site));
  site_gpus_by_type_.emplace_back(gpus_by_type_.size(), 0);
  site_node_counts_.push_back(0);
  return SiteId(sites_.size() - 1);
}

ClusterId Topology::add_cluster(SiteId site, std::string name) {
  FLEETSIM_CHECK(site.index() + 1 == sites_.size(), "clusters must be added to the last site");
  Cluster c;
  c.name = std::move(name);
  c.site = site;
  c.first_rack = RackId(racks_.size());
  clusters_.push_back(std::move(c));
  sites_[site.index()].cluster_count++;
  return ClusterId(clusters_.size() - 1);
}

void Topology::add_racks(ClusterId cluster, std::uint32_t count, std::uint32_t nodes_per_rack,
                         std::uint32_t gpus_per_node, GpuTypeId type) {
  FLEETSIM_CHECK(cluster.index() + 1 == clusters_.size(), "racks must go to the last cluster");
  FLEETSIM_CHECK(gpus_per_node >= 1 && gpus_per_node <= kMaxGpusPerNode, "gpus_per_node={}",
                 gpus_per_node);
  if (gpus_by_type_.size() <= type.index()) gpus_by_type_.resize(type.index() + 1, 0);
  Cluster& c = clusters_[cluster.index()];
  Site& s = sites_[c.site.index()];
  racks_.reserve(racks_.size() + count);
  nodes_.reserve(nodes_.size() + std::size_t{count} * nodes_per_rack);
  for (std::uint32_t r = 0; r < count; ++r) {
    Rack rack{cluster, type, NodeId(nodes_.size()), nodes_per_rack, nodes_per_rack * gpus_per_node};
    RackId rack_id(racks_.size());
    for (std::uint32_t n = 0; n < nodes_per_rack; ++n) {
      nodes_.push_back(Node{rack_id, type, GpuId(gpu_count_), gpus_per_node});
      gpu_count_ += gpus_per_node;
    }
    racks_.push_back(rack);
  }
  const std::uint64_t added = std::uint64_t{count} * nodes_per_rack * gpus_per_node;
  c.rack_count += count;
  c.gpu_count += added;
  s.gpu_count += added;
  gpus_by_type_[type.index()] += added;
  std::vector<std::uint64_t>& site_types = site_gpus_by_type_[c.site.index()];
  if (site_types.size() <= type.index()) site_types.resize(type.index() + 1, 0);
  site_types[type.index()] += added;
  site_node_counts_[c.site.index()] += std::uint64_t{count} * nodes_per_rack;
  max_gpus_per_node_ = std::max(max_gpus_per_node_, gpus_per_node);
  max_gpus_per_rack_ = std::max(max_gpus_per_rack_, nodes_per_rack * gpus_per_node);
}

}  // namespace fleetsim
