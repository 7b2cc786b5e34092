#include "sim/policy/free_capacity.hpp"

namespace fleetsim {

FreeCapacity::FreeCapacity(CapacityIndex& index, const Placement& placement)
    : index_(&index), placement_(&placement) {}

std::uint64_t FreeCapacity::free_for(const JobSpec& job) const {
  if (job.allowed_types.empty()) return index_->total_free();
  std::uint64_t n = 0;
  for (GpuTypeId t : job.allowed_types) n += index_->type_free(t);
  return n;
}

std::optional<Allocation> FreeCapacity::take(const JobSpec& job) {
  return take_with(*placement_, job);
}

std::optional<Allocation> FreeCapacity::take_with(const Placement& placement,
                                                  const JobSpec& job) {
  if (free_for(job) < job.gpus) return std::nullopt;  // the common "does not fit" case: O(types)
  PlacementRequest request{job.gpus, job.allowed_types};
  return placement.place(request, *this);
}

void FreeCapacity::release(const Allocation& allocation) {
  for (const NodeSlice& s : allocation.slices) release(s.node, s.gpus);
}

void FreeCapacity::take(NodeId node, std::uint64_t mask) {
  index_->take(node, mask);
  journal_.push_back({node, mask, true});
}

void FreeCapacity::release(NodeId node, std::uint64_t mask) {
  index_->release(node, mask);
  journal_.push_back({node, mask, false});
}

void FreeCapacity::rollback(std::size_t mark) {
  while (journal_.size() > mark) {
    const Change& c = journal_.back();
    if (c.taken) {
      index_->release(c.node, c.mask);
    } else {
      index_->take(c.node, c.mask);
    }
    journal_.pop_back();
  }
}

std::uint64_t lowest_bits(std::uint64_t mask, std::uint32_t count) {
  std::uint64_t out = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t bit = mask & (~mask + 1);
    out |= bit;
    mask &= mask - 1;
  }
  return out;
}

}  // namespace fleetsim
