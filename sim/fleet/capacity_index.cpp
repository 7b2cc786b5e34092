#include "sim/fleet/capacity_index.hpp"

#include "sim/core/bits.hpp"
#include "sim/core/error.hpp"

namespace fleetsim {
namespace {
std::uint64_t all_gpus_mask(std::uint32_t count) {
  return count >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
}
}  // namespace

CapacityIndex::CapacityIndex(const Topology& topology)
    : topology_(&topology), types_(topology.gpus_by_type().size()) {
  const std::size_t nodes = topology.nodes().size();
  const std::size_t racks = topology.racks().size();
  node_free_mask_.resize(nodes);
  rack_free_.resize(racks);
  cluster_free_.assign(topology.clusters().size() * types_, 0);
  site_free_.assign(topology.sites().size() * types_, 0);
  type_free_.assign(types_, 0);
  nodes_by_free_.resize(types_);
  racks_by_free_.resize(types_);
  nodes_with_free_.reserve(types_);
  for (std::size_t t = 0; t < types_; ++t) {
    // Only types present in the fleet get bitsets; the others stay empty vectors.
    const bool present = topology.gpus_by_type()[t] > 0;
    nodes_by_free_[t].assign(present ? topology.max_gpus_per_node() + 1 : 0, IdBitset(nodes));
    racks_by_free_[t].assign(present ? topology.max_gpus_per_rack() + 1 : 0, IdBitset(racks));
    nodes_with_free_.emplace_back(present ? nodes : 0);
  }
  node_slots_.reserve(nodes);
  for (std::size_t i = 0; i < nodes; ++i) {
    const Node& node = topology.nodes()[i];
    const ClusterId cluster = topology.rack(node.rack).cluster;
    node_slots_.push_back(
        {node.rack.value, node.type.value,
         static_cast<std::uint32_t>(cluster.index() * types_ + node.type.index()),
         static_cast<std::uint32_t>(topology.cluster(cluster).site.index() * types_ +
                                    node.type.index())});
    node_free_mask_[i] = all_gpus_mask(node.gpu_count);
    nodes_by_free_[node.type.index()][node.gpu_count].set(i);
    nodes_with_free_[node.type.index()].set(i);
    const Rack& rack = topology.rack(node.rack);
    const std::size_t t = node.type.index();
    cluster_free_[rack.cluster.index() * types_ + t] += node.gpu_count;
    site_free_[topology.cluster(rack.cluster).site.index() * types_ + t] += node.gpu_count;
    type_free_[t] += node.gpu_count;
    total_free_ += node.gpu_count;
  }
  for (std::size_t r = 0; r < racks; ++r) {
    const Rack& rack = topology.racks()[r];
    rack_free_[r] = rack.gpu_count;
    racks_by_free_[rack.type.index()][rack.gpu_count].set(r);
  }
}

std::uint32_t CapacityIndex::node_free(NodeId n) const {
  return count_gpus(node_free_mask_[n.index()]);
}

NodeId CapacityIndex::find_node_with_free(GpuTypeId t, std::uint32_t k, NodeId lo,
                                          NodeId hi) const {
  const auto& buckets = nodes_by_free_[t.index()];
  if (k == 0 || k >= buckets.size()) return NodeId{};
  std::size_t i = buckets[k].find_next(lo.index());
  return (i != IdBitset::npos && i < hi.index()) ? NodeId(i) : NodeId{};
}

NodeId CapacityIndex::find_node_with_any_free(GpuTypeId t, NodeId lo, NodeId hi) const {
  const IdBitset& set = nodes_with_free_[t.index()];
  std::size_t i = set.find_next(lo.index());
  return (i != IdBitset::npos && i < hi.index()) ? NodeId(i) : NodeId{};
}

RackId CapacityIndex::find_rack_with_free(GpuTypeId t, std::uint32_t k, RackId lo,
                                          RackId hi) const {
  const auto& buckets = racks_by_free_[t.index()];
  if (k == 0 || k >= buckets.size()) return RackId{};
  std::size_t i = buckets[k].find_next(lo.index());
  return (i != IdBitset::npos && i < hi.index()) ? RackId(i) : RackId{};
}

void CapacityIndex::take(NodeId n, std::uint64_t mask) {
  std::uint64_t& free = node_free_mask_[n.index()];
  FLEETSIM_CHECK(mask != 0 && (mask & ~free) == 0, "take node={} mask={:#x} free={:#x}", n.value,
                 mask, free);
  const auto before = count_gpus(free);
  free &= ~mask;
  const auto count = count_gpus(mask);
  const NodeSlots& slots = node_slots_[n.index()];
  move_node(n, slots.type, before, before - count);
  add_counts(slots, -static_cast<std::int64_t>(count));
}

void CapacityIndex::release(NodeId n, std::uint64_t mask) {
  std::uint64_t& free = node_free_mask_[n.index()];
  const std::uint64_t all = all_gpus_mask(topology_->node(n).gpu_count);
  FLEETSIM_CHECK(mask != 0 && (mask & ~all) == 0 && (mask & free) == 0,
                 "release node={} mask={:#x} free={:#x}", n.value, mask, free);
  const auto before = count_gpus(free);
  free |= mask;
  const auto count = count_gpus(mask);
  const NodeSlots& slots = node_slots_[n.index()];
  move_node(n, slots.type, before, before + count);
  add_counts(slots, count);
}

std::uint32_t CapacityIndex::share_used(NodeId n, std::uint32_t bit) const {
  return share_used_.empty() ? 0 : share_used_[topology_->node(n).first_gpu.index() + bit];
}

std::uint64_t CapacityIndex::shared_mask(NodeId n) const {
  return node_shared_mask_.empty() ? 0 : node_shared_mask_[n.index()];
}

std::uint64_t CapacityIndex::site_shared(SiteId s, GpuTypeId t) const {
  return site_shared_.empty() ? 0 : site_shared_[s.index() * types_ + t.index()];
}

NodeId CapacityIndex::find_node_with_shared(GpuTypeId t, NodeId lo, NodeId hi) const {
  if (nodes_with_shared_.empty()) return NodeId{};
  const IdBitset& set = nodes_with_shared_[t.index()];
  std::size_t i = set.find_next(lo.index());
  return (i != IdBitset::npos && i < hi.index()) ? NodeId(i) : NodeId{};
}

void CapacityIndex::add_share(NodeId n, std::uint32_t bit, std::uint32_t milli) {
  if (share_used_.empty()) {
    share_used_.assign(topology_->gpu_count(), 0);
    node_shared_mask_.assign(topology_->nodes().size(), 0);
    site_shared_.assign(topology_->sites().size() * types_, 0);
    nodes_with_shared_.assign(types_, IdBitset(topology_->nodes().size()));
    type_shared_.assign(types_, 0);
  }
  const Node& node = topology_->node(n);
  const std::uint64_t gpu = std::uint64_t{1} << bit;
  std::uint16_t& used = share_used_[node.first_gpu.index() + bit];
  FLEETSIM_CHECK(bit < node.gpu_count && (node_free_mask_[n.index()] & gpu) == 0 && milli > 0 &&
                     used + milli <= 1000,
                 "add_share node={} gpu={} milli={} used={}", n.value, bit, milli, used);
  if (used == 0) {
    std::uint64_t& shared = node_shared_mask_[n.index()];
    if (shared == 0) nodes_with_shared_[node.type.index()].set(n.index());
    shared |= gpu;
    const SiteId site = topology_->cluster(topology_->rack(node.rack).cluster).site;
    ++site_shared_[site.index() * types_ + node.type.index()];
    ++type_shared_[node.type.index()];
    ++total_shared_;
  }
  used = static_cast<std::uint16_t>(used + milli);
}

bool CapacityIndex::remove_share(NodeId n, std::uint32_t bit, std::uint32_t milli) {
  const Node& node = topology_->node(n);
  FLEETSIM_CHECK(!share_used_.empty() && bit < node.gpu_count &&
                     share_used_[node.first_gpu.index() + bit] >= milli && milli > 0,
                 "remove_share node={} gpu={} milli={}", n.value, bit, milli);
  std::uint16_t& used = share_used_[node.first_gpu.index() + bit];
  used = static_cast<std::uint16_t>(used - milli);
  if (used > 0) return false;
  std::uint64_t& shared = node_shared_mask_[n.index()];
  shared &= ~(std::uint64_t{1} << bit);
  if (shared == 0) nodes_with_shared_[node.type.index()].reset(n.index());
  const SiteId site = topology_->cluster(topology_->rack(node.rack).cluster).site;
  --site_shared_[site.index() * types_ + node.type.index()];
  --type_shared_[node.type.index()];
  --total_shared_;
  return true;
}

void CapacityIndex::set_unshareable(NodeId n, std::uint64_t mask) {
  if (unshareable_.empty()) {
    if (mask == 0) return;
    unshareable_.assign(topology_->nodes().size(), 0);
  }
  unshareable_[n.index()] = mask;
}

bool CapacityIndex::share_fits(NodeId n, std::uint32_t bit, std::uint32_t milli) const {
  const std::uint64_t gpu = std::uint64_t{1} << bit;
  if ((unshareable_mask(n) & gpu) != 0) return false;
  if ((node_free_mask_[n.index()] & gpu) != 0) return true;
  return (shared_mask(n) & gpu) != 0 && share_used(n, bit) + milli <= 1000;
}

void CapacityIndex::move_node(NodeId n, std::uint32_t type, std::uint32_t from_free,
                              std::uint32_t to_free) {
  auto& buckets = nodes_by_free_[type];
  if (from_free > 0) buckets[from_free].reset(n.index());
  if (to_free > 0) buckets[to_free].set(n.index());
  if (from_free == 0 && to_free > 0) nodes_with_free_[type].set(n.index());
  if (from_free > 0 && to_free == 0) nodes_with_free_[type].reset(n.index());
}

void CapacityIndex::move_rack(std::uint32_t rack, std::uint32_t type, std::uint32_t from_free,
                              std::uint32_t to_free) {
  auto& buckets = racks_by_free_[type];
  if (from_free > 0) buckets[from_free].reset(rack);
  if (to_free > 0) buckets[to_free].set(rack);
}

void CapacityIndex::add_counts(const NodeSlots& slots, std::int64_t delta) {
  const std::uint32_t rack_before = rack_free_[slots.rack];
  const auto rack_after = static_cast<std::uint32_t>(rack_before + delta);
  rack_free_[slots.rack] = rack_after;
  move_rack(slots.rack, slots.type, rack_before, rack_after);  // racks are homogeneous
  cluster_free_[slots.cluster_type] += static_cast<std::uint64_t>(delta);
  site_free_[slots.site_type] += static_cast<std::uint64_t>(delta);
  type_free_[slots.type] += static_cast<std::uint64_t>(delta);
  total_free_ += static_cast<std::uint64_t>(delta);
}

}  // namespace fleetsim
