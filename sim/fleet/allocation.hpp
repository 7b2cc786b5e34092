// A set of GPUs given to one job, as (node, bitmask of the node's GPUs) slices: compact for
// large gangs (a 16,384-GPU job is 2,048 slices of 8 GPUs, not 16,384 ids).
#pragma once

#include <cstdint>
// g++ 12 reports a false -Wstringop-overread inside small_vector's copy (a known middle-end
// false positive on Boost.Container's memcpy path); it is not in our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#include <boost/container/small_vector.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "sim/core/bits.hpp"
#include "sim/core/ids.hpp"

namespace fleetsim {

struct NodeSlice {
  NodeId node;
  std::uint64_t gpus = 0;  // bit i = the node's i-th GPU
  friend bool operator==(const NodeSlice&, const NodeSlice&) = default;
};

struct Allocation {
  // Most gangs fit in one or two nodes: keeping those slices inline saves a heap allocation per
  // start and a cache miss per finish (the engine's hottest paths).
  boost::container::small_vector<NodeSlice, 2> slices;

  std::uint32_t gpu_count() const {
    std::uint32_t n = 0;
    for (const NodeSlice& s : slices) n += count_gpus(s.gpus);
    return n;
  }
  bool empty() const { return slices.empty(); }
  friend bool operator==(const Allocation&, const Allocation&) = default;
};

}  // namespace fleetsim
