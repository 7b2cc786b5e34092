// best_fit: the tightest site that holds the gang, then the tightest node (or, for gangs larger
// than any node's free GPUs, the fullest-free nodes first); with several types allowed, the type
// whose tightest node is tightest.
#include <gtest/gtest.h>

#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

using test::gang;
using test::kA100;
using test::kH100;
using test::slices;

TEST(BestFit, PutsASmallGangOnTheNodeItFillsMostTightly) {
  // 2 nodes x 8; n0 has 3 free (0xE0), n1 8 free. 3 GPUs: n0 fits exactly (k = 3).
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 8));
  bed.occupy(0, 0x1F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(3)), slices({{0, 0xE0}}));
}

TEST(BestFit, PutsAGangThatNoPartlyUsedNodeHoldsOnAWholeNode) {
  // Same start. 4 GPUs: no node has exactly 4..7 free, n1 has 8: n1's GPUs 0-3 (first_fit
  // would have split the gang over n0 and n1).
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 8));
  bed.occupy(0, 0x1F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(4)), slices({{1, 0x0F}}));
  // Now n0 has 3 free, n1 4 free. 2 GPUs: k = 2 none, k = 3 -> n0 (GPUs 5, 6).
  EXPECT_EQ(free.take(gang(2)), slices({{0, 0x60}}));
}

TEST(BestFit, FillsGangsLargerThanAnyNodeFromTheFullestNodesFirst) {
  // n0 3 free (0xE0), n1 8 free. 10 GPUs > 8: the fullest-free node n1 (8), then the rest (2)
  // from the tightest node holding 2: n0 (3 free), lowest two free GPUs 5, 6.
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 8));
  bed.occupy(0, 0x1F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(10)), slices({{1, 0xFF}, {0, 0x60}}));
}

TEST(BestFit, BreaksTiesBetweenEquallyTightNodesByLowestId) {
  // 3 nodes x 8 with 5, 3, 3 free. 3 GPUs -> n1 (the lower of the two with exactly 3).
  test::PlacementBed bed(test::single_cluster_fleet(1, 3, 8));
  bed.occupy(0, 0x07);
  bed.occupy(1, 0x1F);
  bed.occupy(2, 0x1F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(3)), slices({{1, 0xE0}}));
  EXPECT_EQ(free.take(gang(3)), slices({{2, 0xE0}}));
  EXPECT_EQ(free.take(gang(3)), slices({{0, 0x38}}));  // n0: 5 free (0xF8), lowest three
}

TEST(BestFit, PrefersTheTightestSite) {
  // site0: 1 node x 8 all free; site1: 1 node x 8 with 4 busy. 3 GPUs: site1 (4 free < 8).
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}}));
  bed.occupy(1, 0x0F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(3)), slices({{1, 0x70}}));
  // 5 GPUs: only site0 holds it.
  EXPECT_EQ(free.take(gang(5)), slices({{0, 0x1F}}));
}

TEST(BestFit, HonoursAllowedTypes) {
  // c0: 2 nodes x 8 H100 (n0, n1), n0 with 6 busy; c1: 1 node x 8 A100 (n2).
  test::PlacementBed bed(test::fleet_of({{0, 1, 2, 8, "H100"}, {0, 1, 1, 8, "A100"}}));
  bed.occupy(0, 0x3F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(2, {kA100})), slices({{2, 0x03}}));
  EXPECT_EQ(free.take(gang(2)), slices({{0, 0xC0}}));  // any type: H100, tightest node n0
  // 7 GPUs, A100 preferred: only 6 A100s left, so it falls through to H100 (n1 has 8).
  EXPECT_EQ(free.take(gang(7, {kA100, kH100})), slices({{1, 0x7F}}));
  EXPECT_EQ(free.take(gang(2, {kH100})), std::nullopt);  // 1 H100 left
}

TEST(BestFit, ComparesTheFitAcrossGpuTypesNotTheCatalogOrder) {
  // n0: 8 H100 all free (the catalog's first type); n1: 8 A100 with 6 busy. A 2-GPU gang that
  // takes any type fits n1 exactly (2 free) and would leave six of n0's eight free GPUs: n1.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}}));
  bed.occupy(1, 0x3F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(2)), slices({{1, 0xC0}}));
  // n1 is now full: a 1-GPU job goes to n0.
  EXPECT_EQ(free.take(gang(1)), slices({{0, 0x01}}));
}

TEST(BestFit, BreaksTiesBetweenTypesByTheRequestsOrder) {
  // n0: 8 H100, n1: 8 A100, both with 4 free: equally tight, so the request's first type wins.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}}));
  bed.occupy(0, 0x0F);
  bed.occupy(1, 0x0F);
  const auto placement = test::make_placement("best_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(3, {kA100, kH100})), slices({{1, 0x70}}));
  EXPECT_EQ(free.take(gang(3)), slices({{0, 0x70}}));  // n0 has 4 free, n1 1: only n0 holds 3
}

}  // namespace
}  // namespace fleetsim
