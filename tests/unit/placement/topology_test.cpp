// topology placement: one rack (NVLink domain) if any holds the gang, else one cluster, else one
// site; the tightest container at each level, filled with the fewest racks and nodes.
#include <gtest/gtest.h>

#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

using test::gang;
using test::kA100;
using test::kH100;
using test::slices;

TEST(TopologyPlacement, KeepsAGangInTheTightestRackThatHoldsIt) {
  // One cluster, 3 racks x 2 nodes x 4 GPUs: r0 = {n0, n1}, r1 = {n2, n3}, r2 = {n4, n5}.
  // Busy: n0 GPUs 0-2 (r0: 5 free), n2 GPUs 0-1 (r1: 6 free); r2: 8 free.
  test::PlacementBed bed(test::single_cluster_fleet(3, 2, 4));
  bed.occupy(0, 0x7);
  bed.occupy(2, 0x3);
  const auto placement = test::make_placement("topology");
  FreeCapacity free(bed.index(), *placement);
  // 6 GPUs: racks with exactly 6 free: r1. Inside r1, no node holds 6 (max 4): the fullest
  // node n3 (4: 0xF), then the 2 left from the tightest node holding 2: n2 (0xC).
  EXPECT_EQ(free.take(gang(6)), slices({{3, 0xF}, {2, 0xC}}));
  // 5 GPUs: r0 (5 free) is tighter than r2 (8): n1 (4), then n0's last GPU (0x8).
  EXPECT_EQ(free.take(gang(5)), slices({{1, 0xF}, {0, 0x8}}));
}

TEST(TopologyPlacement, KeepsAGangInOneRackWhereFirstAndBestFitSpreadIt) {
  // The same fleet and busy GPUs as above, for contrast: free n0 0x8, n1 0xF, n2 0xC, n3 0xF,
  // n4 0xF, n5 0xF.
  for (const auto& [name, want] :
       {std::pair{"first_fit", slices({{0, 0x8}, {1, 0xF}, {2, 0x4}})},  // id order: r0 + r1
        std::pair{"best_fit", slices({{1, 0xF}, {2, 0xC}})},             // fullest node, tightest
        std::pair{"topology", slices({{3, 0xF}, {2, 0xC}})}}) {          // all in r1
    test::PlacementBed bed(test::single_cluster_fleet(3, 2, 4));
    bed.occupy(0, 0x7);
    bed.occupy(2, 0x3);
    const auto placement = test::make_placement(name);
    FreeCapacity free(bed.index(), *placement);
    EXPECT_EQ(free.take(gang(6)), want) << name;
  }
}

TEST(TopologyPlacement, SpreadsOverTheTightestClusterWhenNoRackHoldsTheGang) {
  // One site. c0 = 3 racks x 1 node x 8 (n0-n2), c1 = 2 racks x 1 node x 8 (n3, n4).
  // n0 has 4 busy: c0 has 20 free, c1 16. A 12-GPU gang fits no rack (max 8); both clusters
  // hold it; the tightest is c1: its fullest rack r3 (8, all of n3), then 4 from r4 (n4 0x0F).
  test::PlacementBed bed(test::fleet_of({{0, 3, 1, 8, "H100"}, {0, 2, 1, 8, "H100"}}));
  bed.occupy(0, 0x0F);
  const auto placement = test::make_placement("topology");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(12)), slices({{3, 0xFF}, {4, 0x0F}}));
  // best_fit, for contrast, ignores clusters: fullest node n1 (8), then n0's 4 free (0xF0).
  const auto best_fit = test::make_placement("best_fit");
  free.rollback(0);
  EXPECT_EQ(free.take_with(*best_fit, gang(12)), slices({{1, 0xFF}, {0, 0xF0}}));
}

TEST(TopologyPlacement, SpreadsOverOneSiteWhenNoClusterHoldsTheGangButNeverAcrossSites) {
  // site0: c0 = 1 rack x 1 node x 8 (n0), c1 = 1 x 1 x 8 (n1); site1: c2 = 1 x 1 x 8 (n2).
  test::PlacementBed bed(
      test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}}));
  const auto placement = test::make_placement("topology");
  FreeCapacity free(bed.index(), *placement);
  // 20 GPUs: 24 are free, but no site has 20.
  EXPECT_EQ(free.take(gang(20)), std::nullopt);
  EXPECT_EQ(free.mark(), 0u);
  // 12 GPUs: no rack or cluster holds it; site0 (16) does: r0 whole, then 4 of r1.
  EXPECT_EQ(free.take(gang(12)), slices({{0, 0xFF}, {1, 0x0F}}));
  // 5 GPUs: site0 has 4 left; one rack holds it: n2 (8 free) in site1.
  EXPECT_EQ(free.take(gang(5)), slices({{2, 0x1F}}));
}

TEST(TopologyPlacement, HonoursAllowedTypesOverTightness) {
  // c0: 1 rack x 1 node x 8 H100 (n0) with 5 busy, so the tightest rack for 2 GPUs;
  // c1: 1 rack x 2 nodes x 8 A100 (n1, n2).
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 2, 8, "A100"}}));
  bed.occupy(0, 0x1F);
  const auto placement = test::make_placement("topology");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(2, {kA100})), slices({{1, 0x03}}));
  EXPECT_EQ(free.take(gang(2)), slices({{0, 0x60}}));    // any type: H100 first, 3 free in r0
  EXPECT_EQ(free.take(gang(2, {kH100})), std::nullopt);  // 1 H100 left
  // 10 A100s: the A100 rack has 14 free: fullest node n2 (8), then 2 of n1 (0x0C).
  EXPECT_EQ(free.take(gang(10, {kA100})), slices({{2, 0xFF}, {1, 0x0C}}));
}

}  // namespace
}  // namespace fleetsim
