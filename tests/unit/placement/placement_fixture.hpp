// Shared helpers for placement tests: a fleet with its own CapacityIndex, gang requests,
// allocations written as {node, mask} lists, and readable failure output for allocations.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sim/fleet/allocation.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement.hpp"
#include "sim/workload/job.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {

inline void PrintTo(const Allocation& a, std::ostream* os) {
  *os << "{";
  for (const NodeSlice& s : a.slices) *os << fmt::format(" n{}:{:#x}", s.node.value, s.gpus);
  *os << " }";
}

namespace test {

constexpr GpuTypeId kH100{0};
constexpr GpuTypeId kA100{1};

// A fleet and the index placements work on. Not movable: the index points into the fleet.
class PlacementBed {
 public:
  explicit PlacementBed(Fleet fleet) : fleet_(std::move(fleet)), index_(fleet_.topology) {}
  PlacementBed(const PlacementBed&) = delete;
  PlacementBed& operator=(const PlacementBed&) = delete;

  const Fleet& fleet() const { return fleet_; }
  const Topology& topology() const { return fleet_.topology; }
  CapacityIndex& index() { return index_; }
  // Marks GPUs busy outside any FreeCapacity (as running jobs would be).
  void occupy(std::uint32_t node, std::uint64_t mask) { index_.take(NodeId{node}, mask); }

 private:
  Fleet fleet_;
  CapacityIndex index_;
};

inline std::unique_ptr<Placement> make_placement(const std::string& name) {
  const PlacementInfo* info = find_placement(name);
  if (info == nullptr) {
    ADD_FAILURE() << "placement " << name << " is not registered";
    return nullptr;
  }
  return info->make();
}

inline JobSpec gang(std::uint32_t gpus, std::vector<GpuTypeId> allowed = {}) {
  JobSpec spec = job("gang", 0, gpus, 60);
  spec.allowed_types = std::move(allowed);
  return spec;
}

inline Allocation slices(std::initializer_list<std::pair<std::uint32_t, std::uint64_t>> parts) {
  Allocation a;
  for (const auto& [node, mask] : parts) a.slices.push_back({NodeId{node}, mask});
  return a;
}

}  // namespace test
}  // namespace fleetsim
