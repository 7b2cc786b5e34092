// The static shape of a fleet: site -> cluster (one non-blocking fabric) -> rack (one NVLink
// domain) -> node -> GPUs. Stored as flat arrays with contiguous id ranges (a cluster's racks,
// a rack's nodes and a node's GPUs are consecutive ids), so a 2,000,000-GPU fleet costs a few
// bytes per GPU and "the GPUs of rack r" is a range, not a list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/fleet/capacity_window.hpp"
#include "sim/fleet/gpu_catalog.hpp"
#include "sim/fleet/site_energy.hpp"
#include "sim/fleet/wan_graph.hpp"

namespace fleetsim {

constexpr int kMaxGpusPerNode = 64;  // a node's free GPUs are one 64-bit mask
constexpr int kMaxSites = 64;        // a job's allowed sites are one 64-bit mask
// GPU and node ids are 32-bit; 100 M is 50 x the largest fleet benchmarked (2 M GPUs), and its
// per-GPU state alone is about 1 GB.
constexpr std::uint64_t kMaxFleetGpus = 100'000'000;

struct Node {
  RackId rack;
  GpuTypeId type;
  GpuId first_gpu;
  std::uint32_t gpu_count = 0;
};

struct Rack {
  ClusterId cluster;
  GpuTypeId type;  // racks are homogeneous
  NodeId first_node;
  std::uint32_t node_count = 0;
  std::uint32_t gpu_count = 0;
};

struct Cluster {
  std::string name;
  SiteId site;
  RackId first_rack;
  std::uint32_t rack_count = 0;
  std::uint64_t gpu_count = 0;
};

struct Site {
  std::string name;
  std::string country;
  std::string region;
  std::string provider;
  ClusterId first_cluster;
  std::uint32_t cluster_count = 0;
  std::uint64_t gpu_count = 0;
};

// Placement slowdowns: a gang inside one NVLink domain runs at full speed; spread over racks or
// clusters its rate is multiplied by these factors (1.0 = no slowdown).
struct SpanSpeed {
  double cross_rack = 1.0;
  double cross_cluster = 1.0;
};

class Topology {
 public:
  // `type_count` = the catalog's size, so per-type tables cover types with no racks too.
  explicit Topology(std::size_t type_count = 0) : gpus_by_type_(type_count, 0) {}

  // Builders, called in hierarchy order by the loader. Return the new id.
  SiteId add_site(Site site);
  ClusterId add_cluster(SiteId site, std::string name);
  // Adds `count` identical racks of `nodes_per_rack` nodes x `gpus_per_node` GPUs to `cluster`.
  void add_racks(ClusterId cluster, std::uint32_t count, std::uint32_t nodes_per_rack,
                 std::uint32_t gpus_per_node, GpuTypeId type);

  const std::vector<Site>& sites() const { return sites_; }
  const std::vector<Cluster>& clusters() const { return clusters_; }
  const std::vector<Rack>& racks() const { return racks_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Site& site(SiteId id) const { return sites_[id.index()]; }
  const Cluster& cluster(ClusterId id) const { return clusters_[id.index()]; }
  const Rack& rack(RackId id) const { return racks_[id.index()]; }
  const Node& node(NodeId id) const { return nodes_[id.index()]; }
  std::uint64_t gpu_count() const { return gpu_count_; }
  // GPUs of each type, indexed by GpuTypeId.
  const std::vector<std::uint64_t>& gpus_by_type() const { return gpus_by_type_; }
  // GPUs of one type at one site (built or not yet).
  std::uint64_t site_gpus(SiteId site, GpuTypeId type) const {
    const std::vector<std::uint64_t>& by_type = site_gpus_by_type_[site.index()];
    return type.index() < by_type.size() ? by_type[type.index()] : 0;
  }
  // Nodes at one site (built or not yet).
  std::uint64_t site_node_count(SiteId site) const { return site_node_counts_[site.index()]; }
  std::uint32_t max_gpus_per_node() const { return max_gpus_per_node_; }
  std::uint32_t max_gpus_per_rack() const { return max_gpus_per_rack_; }

 private:
  std::vector<Site> sites_;
  std::vector<Cluster> clusters_;
  std::vector<Rack> racks_;
  std::vector<Node> nodes_;
  std::vector<std::uint64_t> gpus_by_type_;
  std::vector<std::vector<std::uint64_t>> site_gpus_by_type_;  // [site][type]
  std::vector<std::uint64_t> site_node_counts_;                // [site]
  std::uint64_t gpu_count_ = 0;
  std::uint32_t max_gpus_per_node_ = 0;
  std::uint32_t max_gpus_per_rack_ = 0;
};

// Whether one gang may span sites, and what it pays: its rate is divided by
// 1 + RTT / half_speed_rtt_ms, RTT being the largest between its sites (so at half_speed_rtt_ms
// it runs at half speed). Every two of its sites are within max_rtt_ms of each other.
struct CrossSiteGangs {
  // When the built-in placements split a gang (a policy's own starts may split any gang):
  // Oversized, only a gang of a GPU type that no single allowed site has enough of; WhenBlocked,
  // also a gang that no single site can take in this pass (it runs now, slower, instead of
  // waiting for one site).
  enum class Split { Oversized, WhenBlocked };
  bool allowed = false;
  double max_rtt_ms = 0;
  double half_speed_rtt_ms = 0;
  Split split = Split::Oversized;
};

// Everything static about the fleet: its GPU catalog, shape, span slowdowns, the sites'
// electricity, the WAN between sites and the capacity that comes and goes on known dates.
// Invariant: topology was built with Topology(catalog.size()).
struct Fleet {
  GpuCatalog catalog;
  Topology topology;
  SpanSpeed span_speed;
  std::vector<SiteEnergy> site_energy;  // [site]; empty = every site uncapped, PUE 1, no prices
  WanGraph wan;
  CrossSiteGangs cross_site;
  std::vector<CapacityWindow> capacity_windows;

  const SiteEnergy& energy(SiteId s) const {
    static const SiteEnergy kDefault;
    return s.index() < site_energy.size() ? site_energy[s.index()] : kDefault;
  }
  SiteId site_of(NodeId n) const {
    return topology.cluster(topology.rack(topology.node(n).rack).cluster).site;
  }
};

}  // namespace fleetsim
