// The free GPUs as a policy sees them during one scheduling pass: a scratch it may take from
// (and release running jobs' GPUs into, to plan preemptions) without changing the fleet.
// Every change is journaled on the engine's index and undone when the pass ends, so a pass
// costs what it touches, not a copy of a 2,000,000-GPU index.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/fleet/allocation.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/policy/placement.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class FreeCapacity {
 public:
  FreeCapacity(CapacityIndex& index, const Placement& placement);
  ~FreeCapacity() { rollback(0); }
  FreeCapacity(const FreeCapacity&) = delete;
  FreeCapacity& operator=(const FreeCapacity&) = delete;

  const CapacityIndex& index() const { return *index_; }
  const Topology& topology() const { return index_->topology(); }
  std::uint64_t total_free() const { return index_->total_free(); }
  // Free GPUs the job could use (of its allowed types), fleet-wide. O(types).
  std::uint64_t free_for(const JobSpec& job) const;

  // Places the job with the scenario's placement strategy and takes its GPUs here.
  std::optional<Allocation> take(const JobSpec& job);
  // The same with another placement strategy.
  std::optional<Allocation> take_with(const Placement& placement, const JobSpec& job);
  // Returns a running job's GPUs to the scratch (to plan its preemption).
  void release(const Allocation& allocation);

  // Primitives for placement strategies. Preconditions as CapacityIndex::take/release.
  void take(NodeId node, std::uint64_t mask);
  void release(NodeId node, std::uint64_t mask);
  std::size_t mark() const { return journal_.size(); }
  void rollback(std::size_t mark);

 private:
  struct Change {
    NodeId node;
    std::uint64_t mask;
    bool taken;
  };
  CapacityIndex* index_;
  const Placement* placement_;
  std::vector<Change> journal_;
};

// Takes the `count` lowest set bits of `mask`. Precondition: popcount(mask) >= count.
std::uint64_t lowest_bits(std::uint64_t mask, std::uint32_t count);

}  // namespace fleetsim
