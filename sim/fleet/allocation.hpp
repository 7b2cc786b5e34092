// A set of GPUs given to one job, as (node, bitmask of the node's GPUs) slices: compact for
// large gangs (a 16,384-GPU job is 2,048 slices of 8 GPUs, not 16,384 ids).
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"

namespace fleetsim {

struct NodeSlice {
  NodeId node;
  std::uint64_t gpus = 0;  // bit i = the node's i-th GPU
  friend bool operator==(const NodeSlice&, const NodeSlice&) = default;
};

struct Allocation {
  std::vector<NodeSlice> slices;

  std::uint32_t gpu_count() const {
    std::uint32_t n = 0;
    for (const NodeSlice& s : slices) n += static_cast<std::uint32_t>(std::popcount(s.gpus));
    return n;
  }
  bool empty() const { return slices.empty(); }
  friend bool operator==(const Allocation&, const Allocation&) = default;
};

}  // namespace fleetsim
