// The contract every registered placement keeps, on random fleets and random occupancy: a gang
// gets exactly its size in free GPUs of one allowed type in one site, or nothing at all; and it
// gets something whenever some site has enough free GPUs of an allowed type.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/fleet/capacity_recount.hpp"
#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

class PlacementContract : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> placement_names() {
  std::vector<std::string> names;
  for (const PlacementInfo& info : registered_placements()) names.push_back(info.name);
  return names;
}

TEST(PlacementRegistry, ListsTheBuiltInsSortedByName) {
  const std::vector<std::string> names = placement_names();
  for (const char* builtin : {"best_fit", "first_fit", "topology"}) {
    EXPECT_NE(find_placement(builtin), nullptr) << builtin;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(find_placement("worst_fit"), nullptr);
}

TEST_P(PlacementContract, GivesExactlyTheGangOrNothingAndNeverSpansTypesOrSites) {
  using Int = boost::random::uniform_int_distribution<std::uint32_t>;
  const auto placement = test::make_placement(GetParam());
  ASSERT_NE(placement, nullptr);
  std::mt19937_64 rng(1234);
  for (int fleet_no = 0; fleet_no < 30; ++fleet_no) {
    std::vector<test::ClusterShape> shapes;
    const std::uint32_t sites = Int(1, 3)(rng);
    for (std::uint32_t s = 0; s < sites; ++s) {
      for (std::uint32_t c = Int(1, 2)(rng); c > 0; --c) {
        shapes.push_back({s, Int(1, 3)(rng), Int(1, 4)(rng), Int(0, 1)(rng) ? 8u : 4u,
                          Int(0, 2)(rng) == 0 ? "A100" : "H100"});
      }
    }
    test::PlacementBed bed(test::fleet_of(shapes));
    const Topology& topo = bed.topology();
    const std::size_t nodes = topo.nodes().size();
    // Random occupancy: each GPU busy with probability 0.4.
    boost::random::bernoulli_distribution<> busy(0.4);
    for (std::size_t n = 0; n < nodes; ++n) {
      std::uint64_t mask = 0;
      for (std::uint32_t g = 0; g < topo.nodes()[n].gpu_count; ++g) {
        if (busy(rng)) mask |= std::uint64_t{1} << g;
      }
      if (mask != 0) bed.occupy(static_cast<std::uint32_t>(n), mask);
    }
    const std::vector<std::uint64_t> start = test::free_masks(bed.index());
    FreeCapacity free(bed.index(), *placement);
    for (int request = 0; request < 40; ++request) {
      std::vector<GpuTypeId> allowed;
      switch (Int(0, 3)(rng)) {
        case 0:
          allowed = {test::kA100};
          break;
        case 1:
          allowed = {test::kH100};
          break;
        case 2:
          allowed = {test::kA100, test::kH100};
          break;
        default:
          break;  // any
      }
      const JobSpec spec = test::gang(Int(1, 40)(rng), allowed);
      const std::vector<std::uint64_t> before = test::free_masks(bed.index());
      const std::size_t mark = free.mark();
      // Could some site hold it in one allowed type?
      bool fits = false;
      for (std::size_t t = 0; t < 2; ++t) {
        if (!allowed.empty() &&
            std::find(allowed.begin(), allowed.end(), GpuTypeId{t}) == allowed.end()) {
          continue;
        }
        for (std::size_t s = 0; s < topo.sites().size(); ++s) {
          fits = fits || bed.index().site_free(SiteId{s}, GpuTypeId{t}) >= spec.gpus;
        }
      }
      const std::optional<Allocation> got = free.take(spec);
      const std::string where = "fleet " + std::to_string(fleet_no) + " request " +
                                std::to_string(request) + " gpus " + std::to_string(spec.gpus);
      ASSERT_EQ(got.has_value(), fits) << where;
      if (!got) {
        ASSERT_EQ(free.mark(), mark) << where;
        ASSERT_EQ(test::recount_mismatch(bed.index(), before), "") << where;
        continue;
      }
      ASSERT_EQ(got->gpu_count(), spec.gpus) << where;
      std::set<std::uint32_t> seen;
      std::vector<std::uint64_t> expected = before;
      const Node& first = topo.node(got->slices.front().node);
      const SiteId site = topo.cluster(topo.rack(first.rack).cluster).site;
      for (const NodeSlice& s : got->slices) {
        ASSERT_TRUE(seen.insert(s.node.value).second) << where << ": node listed twice";
        const Node& node = topo.node(s.node);
        ASSERT_NE(s.gpus, 0u) << where;
        ASSERT_EQ(s.gpus & ~before[s.node.index()], 0u) << where << ": took a busy GPU";
        ASSERT_EQ(node.type, first.type) << where << ": mixed types";
        ASSERT_EQ(topo.cluster(topo.rack(node.rack).cluster).site, site) << where << ": sites";
        expected[s.node.index()] &= ~s.gpus;
      }
      if (!allowed.empty()) {
        ASSERT_NE(std::find(allowed.begin(), allowed.end(), first.type), allowed.end()) << where;
      }
      ASSERT_EQ(test::recount_mismatch(bed.index(), expected), "") << where;
      if (Int(0, 3)(rng) == 0) free.rollback(mark);  // sometimes undo, as a policy might
    }
    free.rollback(0);
    ASSERT_EQ(test::recount_mismatch(bed.index(), start), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Registered, PlacementContract, ::testing::ValuesIn(placement_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace fleetsim
