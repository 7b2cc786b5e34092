// Strong integer ids that index into the engine's and fleet's vectors: a JobId cannot be passed
// where a GpuId is expected, and ids order by value, never by address.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>

namespace fleetsim {

template <class Tag>
struct Id {
  static constexpr std::uint32_t kInvalid = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t value = kInvalid;

  constexpr Id() = default;
  constexpr explicit Id(std::uint32_t v) : value(v) {}
  constexpr explicit Id(std::size_t v) : value(static_cast<std::uint32_t>(v)) {}
  constexpr explicit Id(int v) : value(static_cast<std::uint32_t>(v)) {}
  constexpr bool valid() const { return value != kInvalid; }
  constexpr std::size_t index() const { return value; }
  friend constexpr auto operator<=>(Id, Id) = default;
};

using JobId = Id<struct JobTag>;
using GpuId = Id<struct GpuTag>;
using NodeId = Id<struct NodeTag>;
using RackId = Id<struct RackTag>;
using ClusterId = Id<struct ClusterTag>;
using SiteId = Id<struct SiteTag>;
using GpuTypeId = Id<struct GpuTypeTag>;
using ServiceId = Id<struct ServiceTag>;  // an inference service of the workload

}  // namespace fleetsim

template <class Tag>
struct std::hash<fleetsim::Id<Tag>> {
  std::size_t operator()(fleetsim::Id<Tag> id) const noexcept { return id.value; }
};
