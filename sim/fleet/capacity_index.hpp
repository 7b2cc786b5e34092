// Free GPUs of the fleet, indexed so that placement never scans every node: per-node free
// masks, free counts per rack / cluster / site / GPU type, and for each GPU type bitsets of the
// nodes and racks bucketed by their exact free count. Every mutation is O(1) (a handful of
// counter and bit updates); every query is a bitset search over a contiguous id range.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/fleet/id_bitset.hpp"
#include "sim/fleet/topology.hpp"

namespace fleetsim {

class CapacityIndex {
 public:
  explicit CapacityIndex(const Topology& topology);

  const Topology& topology() const { return *topology_; }
  std::uint64_t free_mask(NodeId n) const { return node_free_mask_[n.index()]; }
  std::uint32_t node_free(NodeId n) const;
  std::uint32_t rack_free(RackId r) const { return rack_free_[r.index()]; }
  std::uint64_t cluster_free(ClusterId c, GpuTypeId t) const {
    return cluster_free_[c.index() * types_ + t.index()];
  }
  std::uint64_t site_free(SiteId s, GpuTypeId t) const {
    return site_free_[s.index() * types_ + t.index()];
  }
  std::uint64_t type_free(GpuTypeId t) const { return type_free_[t.index()]; }
  std::uint64_t total_free() const { return total_free_; }
  std::size_t type_count() const { return types_; }

  // Smallest node id in [lo, hi) of type t with exactly k free GPUs (1 <= k), or an invalid id.
  NodeId find_node_with_free(GpuTypeId t, std::uint32_t k, NodeId lo, NodeId hi) const;
  // Smallest node id in [lo, hi) of type t with at least one free GPU, or an invalid id.
  NodeId find_node_with_any_free(GpuTypeId t, NodeId lo, NodeId hi) const;
  // Smallest rack id in [lo, hi) of type t with exactly k free GPUs (1 <= k), or an invalid id.
  RackId find_rack_with_free(GpuTypeId t, std::uint32_t k, RackId lo, RackId hi) const;

  // Precondition (checked): mask is a non-empty subset of the node's free GPUs.
  void take(NodeId n, std::uint64_t mask);
  // Precondition (checked): mask is a non-empty subset of the node's GPUs, none of them free.
  void release(NodeId n, std::uint64_t mask);

  // GPU sharing (fractional jobs, JobSpec::gpu_milli < 1000, as in Alibaba's openb trace). A GPU
  // holding shares is out of the free masks, so no whole-GPU job gets it, and records the
  // milli-GPUs its shares use. Nothing is allocated for it until the first share.
  bool sharing() const { return !share_used_.empty(); }
  // Milli-GPUs the shares on the node's GPU `bit` use (0: none).
  std::uint32_t share_used(NodeId n, std::uint32_t bit) const;
  std::uint64_t shared_mask(NodeId n) const;  // GPUs holding at least one share
  std::uint64_t site_shared(SiteId s, GpuTypeId t) const;  // GPUs holding shares
  std::uint64_t type_shared(GpuTypeId t) const { return type_shared_.empty() ? 0 : type_shared_[t.index()]; }
  std::uint64_t total_shared() const { return total_shared_; }
  // GPUs no new share may go on (failed, or in an offline rack), set by the engine: a GPU that
  // holds shares stays out of the free masks while its holders drain, and must not take more.
  std::uint64_t unshareable_mask(NodeId n) const {
    return unshareable_.empty() ? 0 : unshareable_[n.index()];
  }
  void set_unshareable(NodeId n, std::uint64_t mask);
  // Whether a share of `milli` may go on the node's GPU `bit`: free, or holding shares with room.
  bool share_fits(NodeId n, std::uint32_t bit, std::uint32_t milli) const;
  // Smallest node id in [lo, hi) of type t with a GPU holding shares, or an invalid id.
  NodeId find_node_with_shared(GpuTypeId t, NodeId lo, NodeId hi) const;
  // Adds a share of `milli` (1..999) to a GPU that is not free: the caller takes a free GPU
  // first. Precondition (checked): the shares then use at most 1000 milli-GPUs.
  void add_share(NodeId n, std::uint32_t bit, std::uint32_t milli);
  // Removes a share; returns whether it was the GPU's last. The GPU then holds no share and is
  // still not free: the caller releases it (the engine keeps a failed GPU out).
  bool remove_share(NodeId n, std::uint32_t bit, std::uint32_t milli);

 private:
  // Where a node's free GPUs are tallied, resolved once at construction: take and release run
  // several times per job start, and chasing node -> rack -> cluster -> site through the
  // topology on each cost about as much as the updates themselves.
  struct NodeSlots {
    std::uint32_t rack;
    std::uint32_t type;
    std::uint32_t cluster_type;  // index into cluster_free_
    std::uint32_t site_type;     // index into site_free_
  };
  void move_node(NodeId n, std::uint32_t type, std::uint32_t from_free, std::uint32_t to_free);
  void move_rack(std::uint32_t rack, std::uint32_t type, std::uint32_t from_free,
                 std::uint32_t to_free);
  void add_counts(const NodeSlots& slots, std::int64_t delta);

  const Topology* topology_;
  std::size_t types_;
  std::vector<NodeSlots> node_slots_;
  std::vector<std::uint64_t> node_free_mask_;
  std::vector<std::uint32_t> rack_free_;
  std::vector<std::uint64_t> cluster_free_;  // [cluster * types + type]
  std::vector<std::uint64_t> site_free_;     // [site * types + type]
  std::vector<std::uint64_t> type_free_;
  std::uint64_t total_free_ = 0;
  // [type][k]: nodes (racks) of that type with exactly k free GPUs; k = 0 is not indexed.
  std::vector<std::vector<IdBitset>> nodes_by_free_;
  std::vector<std::vector<IdBitset>> racks_by_free_;
  std::vector<IdBitset> nodes_with_free_;  // [type]: nodes with >= 1 free GPU
  // Sharing, sized at the first share: [GPU] milli-GPUs used, [node] GPUs with shares,
  // [site * types + type] GPUs with shares, [type] nodes with a GPU holding shares.
  std::vector<std::uint16_t> share_used_;
  std::vector<std::uint64_t> node_shared_mask_;
  std::vector<std::uint64_t> site_shared_;
  std::vector<IdBitset> nodes_with_shared_;
  std::vector<std::uint64_t> type_shared_;
  std::uint64_t total_shared_ = 0;
  std::vector<std::uint64_t> unshareable_;  // [node], sized at the first non-empty mask
};

}  // namespace fleetsim
