// first_fit: the first type and site with room, then nodes in id order, lowest free GPUs first.
#include <gtest/gtest.h>

#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

using test::gang;
using test::kA100;
using test::kH100;
using test::slices;

TEST(FirstFit, TakesTheLowestFreeGpusOfTheFirstNodeWithRoom) {
  // 2 nodes x 8; n0 has GPUs 0-4 busy, so 3 free (mask 0xE0); n1 all 8 free.
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 8));
  bed.occupy(0, 0x1F);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  // 3 GPUs: n0's three free GPUs 5, 6, 7.
  EXPECT_EQ(free.take(gang(3)), slices({{0, 0xE0}}));
  // n0 is now full; 2 GPUs: the lowest two of n1.
  EXPECT_EQ(free.take(gang(2)), slices({{1, 0x03}}));
}

TEST(FirstFit, SpillsAGangOverNodesInIdOrder) {
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 8));
  bed.occupy(0, 0x1F);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  // 4 GPUs: n0's 3 (0xE0), then 1 from n1 (GPU 0), although n1 alone would hold all 4.
  EXPECT_EQ(free.take(gang(4)), slices({{0, 0xE0}, {1, 0x01}}));
  // 7 GPUs left, all on n1 (0xFE); an 8-GPU gang does not fit and takes nothing.
  const std::size_t mark = free.mark();
  EXPECT_EQ(free.take(gang(8)), std::nullopt);
  EXPECT_EQ(free.mark(), mark);
  EXPECT_EQ(free.take(gang(7)), slices({{1, 0xFE}}));
}

TEST(FirstFit, UsesTheFirstSiteWithRoomEvenIfAnotherIsTighter) {
  // site0: 1 node x 8 all free; site1: 1 node x 8 with 4 busy. A 3-GPU gang goes to site0.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}}));
  bed.occupy(1, 0x0F);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(3)), slices({{0, 0x07}}));
  // 6 GPUs: site0 has 5 left and site1 4; 9 free in all, but a gang never spans sites.
  EXPECT_EQ(free.take(gang(6)), std::nullopt);
  EXPECT_EQ(free.take(gang(4)), slices({{0, 0x78}}));  // site0 still first: GPUs 3-6
  EXPECT_EQ(free.take(gang(4)), slices({{1, 0xF0}}));  // site0 has 1 left: site1
}

TEST(FirstFit, TriesTypesInTheJobsOrderOrCatalogOrder) {
  // c0: 1 node x 8 H100 (n0); c1: 1 node x 8 A100 (n1), same site.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}}));
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(2)), slices({{0, 0x03}}));                  // any: H100 first
  EXPECT_EQ(free.take(gang(2, {kA100})), slices({{1, 0x03}}));         // A100 only
  EXPECT_EQ(free.take(gang(2, {kA100, kH100})), slices({{1, 0x0C}}));  // A100 preferred
  EXPECT_EQ(free.take(gang(7, {kA100})), std::nullopt);                // 4 A100s left
  EXPECT_EQ(free.take(gang(7)), std::nullopt);  // 6 H100 + 4 A100 free, but no mixing
  EXPECT_EQ(free.take(gang(6, {kH100})), slices({{0, 0xFC}}));
}

}  // namespace
}  // namespace fleetsim
