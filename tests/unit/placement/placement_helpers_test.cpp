// Placement building blocks: hierarchy id ranges, candidate types and the tightest site.
#include "sim/policy/placement_helpers.hpp"

#include <gtest/gtest.h>

#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

using test::kA100;
using test::kH100;

TEST(PlacementHelpers, RangesFollowTheContiguousHierarchy) {
  // site0: c0 = 2 racks x 2 nodes (r0 {n0,n1}, r1 {n2,n3}), c1 = 1 rack x 3 nodes (r2 {n4..n6});
  // site1: c2 = 2 racks x 1 node (r3 {n7}, r4 {n8}).
  const Fleet fleet =
      test::fleet_of({{0, 2, 2, 8, "H100"}, {0, 1, 3, 4, "A100"}, {1, 2, 1, 8, "H100"}});
  const Topology& topo = fleet.topology;
  const detail::NodeRange r1 = detail::nodes_of_rack(topo, RackId{1});
  EXPECT_EQ(r1.lo, NodeId{2});
  EXPECT_EQ(r1.hi, NodeId{4});
  const detail::RackRange c1 = detail::racks_of_cluster(topo, ClusterId{1});
  EXPECT_EQ(c1.lo, RackId{2});
  EXPECT_EQ(c1.hi, RackId{3});
  const detail::RackRange s0 = detail::racks_of_site(topo, SiteId{0});
  EXPECT_EQ(s0.lo, RackId{0});
  EXPECT_EQ(s0.hi, RackId{3});
  const detail::NodeRange s0_nodes = detail::nodes_of_racks(topo, s0);
  EXPECT_EQ(s0_nodes.lo, NodeId{0});
  EXPECT_EQ(s0_nodes.hi, NodeId{7});
  const detail::NodeRange s1_nodes =
      detail::nodes_of_racks(topo, detail::racks_of_site(topo, SiteId{1}));
  EXPECT_EQ(s1_nodes.lo, NodeId{7});
  EXPECT_EQ(s1_nodes.hi, NodeId{9});
  const detail::NodeRange none = detail::nodes_of_racks(topo, {RackId{3}, RackId{3}});
  EXPECT_EQ(none.lo, none.hi);
}

TEST(PlacementHelpers, CandidateTypesKeepTheRequestsOrderAndOnlyTypesWithRoom) {
  // One 8-GPU H100 node and one 8-GPU A100 node.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}}));
  const std::vector<GpuTypeId> prefer_a100 = {kA100, kH100};
  const auto types = [&](std::uint32_t gpus, const std::vector<GpuTypeId>& allowed) {
    const detail::GpuTypeList out = detail::candidate_types({gpus, allowed, SiteId{}}, bed.index());
    return std::vector<GpuTypeId>(out.begin(), out.end());
  };
  EXPECT_EQ(types(4, prefer_a100), prefer_a100);
  EXPECT_EQ(types(4, {}), (std::vector<GpuTypeId>{kH100, kA100}));  // catalog order
  bed.occupy(0, 0x1F);  // H100 node: 3 free, so a 4-GPU gang can only use A100
  EXPECT_EQ(types(4, {}), std::vector<GpuTypeId>{kA100});
  EXPECT_TRUE(detail::candidate_types({9, {}, SiteId{}}, bed.index()).empty());
}

TEST(PlacementHelpers, TightestSiteIsTheSmallestThatHoldsTheGangLowestIdOnTies) {
  const detail::SiteRange kAllSites{SiteId{0}, SiteId{4}};
  // Three sites of one 8-GPU H100 node each, plus an A100 site.
  test::PlacementBed bed(test::fleet_of(
      {{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}, {2, 1, 1, 8, "H100"}, {3, 1, 1, 8, "A100"}}));
  EXPECT_EQ(detail::tightest_site(bed.index(), kH100, 4, kAllSites), SiteId{0});  // tie: lowest id
  bed.occupy(1, 0x0F);                                                 // site1: 4 free
  bed.occupy(2, 0x3F);                                                 // site2: 2 free
  EXPECT_EQ(detail::tightest_site(bed.index(), kH100, 4, kAllSites), SiteId{1});
  EXPECT_EQ(detail::tightest_site(bed.index(), kH100, 2, kAllSites), SiteId{2});
  EXPECT_EQ(detail::tightest_site(bed.index(), kH100, 5, kAllSites), SiteId{0});
  EXPECT_FALSE(detail::tightest_site(bed.index(), kH100, 9, kAllSites).valid());
  EXPECT_EQ(detail::tightest_site(bed.index(), kA100, 1, kAllSites), SiteId{3});
}

}  // namespace
}  // namespace fleetsim
