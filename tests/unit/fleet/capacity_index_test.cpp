// CapacityIndex: free counters at node, rack, cluster, site and type level, the exact-free-count
// buckets behind placement, checked preconditions, and a long random take/release sequence
// compared with a brute-force recount after every step.
#include "sim/fleet/capacity_index.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/core/error.hpp"
#include "tests/support/test_fleet.hpp"
#include "tests/unit/fleet/capacity_recount.hpp"

namespace fleetsim {
namespace {

constexpr GpuTypeId kH100{0};
constexpr GpuTypeId kA100{1};

// site0: c0 = 1 rack (r0) x 2 nodes (n0, n1) x 8 H100; c1 = 1 rack (r1) x 1 node (n2) x 4 A100
// site1: c2 = 2 racks (r2, r3) x 1 node (n3, n4) x 8 H100.  36 GPUs: 32 H100 + 4 A100.
Fleet small_fleet() {
  return test::fleet_of({{0, 1, 2, 8, "H100"}, {0, 1, 1, 4, "A100"}, {1, 2, 1, 8, "H100"}});
}

TEST(CapacityIndex, StartsWithEveryGpuFree) {
  const Fleet fleet = small_fleet();
  const CapacityIndex index(fleet.topology);
  EXPECT_EQ(index.total_free(), 36u);
  EXPECT_EQ(index.type_free(kH100), 32u);
  EXPECT_EQ(index.type_free(kA100), 4u);
  EXPECT_EQ(index.site_free(SiteId{0}, kH100), 16u);
  EXPECT_EQ(index.site_free(SiteId{0}, kA100), 4u);
  EXPECT_EQ(index.site_free(SiteId{1}, kH100), 16u);
  EXPECT_EQ(index.site_free(SiteId{1}, kA100), 0u);
  EXPECT_EQ(index.cluster_free(ClusterId{1}, kA100), 4u);
  EXPECT_EQ(index.cluster_free(ClusterId{1}, kH100), 0u);
  EXPECT_EQ(index.rack_free(RackId{0}), 16u);
  EXPECT_EQ(index.free_mask(NodeId{2}), 0xFu);
  EXPECT_EQ(test::recount_mismatch(index, {0xFF, 0xFF, 0xF, 0xFF, 0xFF}), "");
}

TEST(CapacityIndex, TakeAndReleaseUpdateEveryLevel) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  index.take(NodeId{0}, 0b0000'0111);  // 3 GPUs of n0: n0 8 -> 5 free, r0 16 -> 13
  EXPECT_EQ(index.free_mask(NodeId{0}), 0b1111'1000u);
  EXPECT_EQ(index.node_free(NodeId{0}), 5u);
  EXPECT_EQ(index.rack_free(RackId{0}), 13u);
  EXPECT_EQ(index.cluster_free(ClusterId{0}, kH100), 13u);
  EXPECT_EQ(index.site_free(SiteId{0}, kH100), 13u);
  EXPECT_EQ(index.site_free(SiteId{0}, kA100), 4u);   // other type untouched
  EXPECT_EQ(index.site_free(SiteId{1}, kH100), 16u);  // other site untouched
  EXPECT_EQ(index.type_free(kH100), 29u);             // 32 - 3
  EXPECT_EQ(index.total_free(), 33u);                 // 36 - 3
  index.take(NodeId{2}, 0b1010);                      // 2 A100s
  EXPECT_EQ(index.type_free(kA100), 2u);
  EXPECT_EQ(index.cluster_free(ClusterId{1}, kA100), 2u);
  EXPECT_EQ(index.site_free(SiteId{0}, kA100), 2u);
  EXPECT_EQ(index.total_free(), 31u);
  index.release(NodeId{0}, 0b0000'0010);  // give one back: n0 6 free, r0 14
  EXPECT_EQ(index.free_mask(NodeId{0}), 0b1111'1010u);
  EXPECT_EQ(index.rack_free(RackId{0}), 14u);
  EXPECT_EQ(index.type_free(kH100), 30u);
  EXPECT_EQ(index.total_free(), 32u);
  EXPECT_EQ(test::recount_mismatch(index, {0xFA, 0xFF, 0x5, 0xFF, 0xFF}), "");
}

TEST(CapacityIndex, BucketQueriesFindTheLowestIdWithExactlyKFreeInRange) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  const NodeId end{5};
  index.take(NodeId{0}, 0b0000'0111);  // n0: 5 free; n1, n3, n4: 8; n2 (A100): 4
  EXPECT_EQ(index.find_node_with_free(kH100, 5, NodeId{0}, end), NodeId{0});
  EXPECT_EQ(index.find_node_with_free(kH100, 8, NodeId{0}, end), NodeId{1});
  EXPECT_EQ(index.find_node_with_free(kH100, 8, NodeId{2}, end), NodeId{3});  // lo is inclusive
  EXPECT_EQ(index.find_node_with_free(kH100, 8, NodeId{3}, end), NodeId{3});
  EXPECT_FALSE(index.find_node_with_free(kH100, 8, NodeId{0}, NodeId{1}).valid());  // hi exclusive
  EXPECT_FALSE(index.find_node_with_free(kH100, 4, NodeId{0}, end).valid());        // n2 is an A100
  EXPECT_EQ(index.find_node_with_free(kA100, 4, NodeId{0}, end), NodeId{2});
  EXPECT_FALSE(index.find_node_with_free(kA100, 8, NodeId{0}, end).valid());
  EXPECT_FALSE(index.find_node_with_free(kH100, 0, NodeId{0}, end).valid());  // k = 0: not indexed
  EXPECT_FALSE(index.find_node_with_free(kH100, 9, NodeId{0}, end).valid());  // k > max per node

  // Racks: r0 = 16 - 3 = 13 free, r1 = 4 (A100), r2 = r3 = 8.
  EXPECT_EQ(index.find_rack_with_free(kH100, 13, RackId{0}, RackId{4}), RackId{0});
  EXPECT_EQ(index.find_rack_with_free(kH100, 8, RackId{0}, RackId{4}), RackId{2});
  EXPECT_EQ(index.find_rack_with_free(kH100, 8, RackId{3}, RackId{4}), RackId{3});
  EXPECT_FALSE(index.find_rack_with_free(kH100, 16, RackId{0}, RackId{4}).valid());
  EXPECT_EQ(index.find_rack_with_free(kA100, 4, RackId{0}, RackId{4}), RackId{1});
  EXPECT_FALSE(index.find_rack_with_free(kH100, 17, RackId{0}, RackId{4}).valid());

  // Fill n0 completely: it leaves every bucket, and "any free" skips it.
  index.take(NodeId{0}, 0b1111'1000);
  EXPECT_FALSE(index.find_node_with_free(kH100, 5, NodeId{0}, end).valid());
  EXPECT_EQ(index.find_node_with_any_free(kH100, NodeId{0}, end), NodeId{1});
  EXPECT_EQ(index.find_node_with_any_free(kA100, NodeId{0}, end), NodeId{2});
  EXPECT_EQ(index.find_rack_with_free(kH100, 8, RackId{0}, RackId{4}), RackId{0});  // r0: 0 + 8
  index.take(NodeId{2}, 0xF);
  EXPECT_FALSE(index.find_node_with_any_free(kA100, NodeId{0}, end).valid());
  EXPECT_FALSE(index.find_rack_with_free(kA100, 4, RackId{0}, RackId{4}).valid());
}

TEST(CapacityIndex, RejectsTakingBusyOrEmptyMasksAndLeavesItselfUnchanged) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  index.take(NodeId{1}, 0b0011);
  const std::vector<std::uint64_t> before = test::free_masks(index);
  EXPECT_THROW(index.take(NodeId{1}, 0b0110), InternalError);  // GPU 1 already taken
  EXPECT_THROW(index.take(NodeId{1}, 0), InternalError);
  EXPECT_THROW(index.take(NodeId{2}, 0b1'0000), InternalError);  // n2 has only 4 GPUs
  EXPECT_EQ(test::recount_mismatch(index, before), "");
}

TEST(CapacityIndex, RejectsReleasingFreeOrNonexistentGpusAndLeavesItselfUnchanged) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  index.take(NodeId{2}, 0b0011);
  const std::vector<std::uint64_t> before = test::free_masks(index);
  EXPECT_THROW(index.release(NodeId{2}, 0b0110), InternalError);  // GPU 2 is free
  EXPECT_THROW(index.release(NodeId{2}, 0), InternalError);
  EXPECT_THROW(index.release(NodeId{2}, 0b1'0001), InternalError);  // GPU 4 does not exist
  EXPECT_EQ(test::recount_mismatch(index, before), "");
  try {
    index.release(NodeId{2}, 0b0100);
    FAIL() << "no throw";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("release node=2 mask=0x4 free=0xc"), std::string::npos)
        << e.what();
  }
}

TEST(CapacityIndex, SharesCountEachSharedGpuOnceAtEveryLevelUntilTheirLastLeaves) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  EXPECT_FALSE(index.sharing());
  EXPECT_EQ(index.share_used(NodeId{0}, 0), 0u);  // nothing sized before the first share
  EXPECT_FALSE(index.find_node_with_shared(kH100, NodeId{0}, NodeId{5}).valid());
  // n0 GPU 0 (site0) takes shares of 300 + 700 = 1000; n3 GPU 2 (site1) one of 500.
  index.take(NodeId{0}, 0b1);
  index.add_share(NodeId{0}, 0, 300);
  index.add_share(NodeId{0}, 0, 700);
  index.take(NodeId{3}, 0b100);
  index.add_share(NodeId{3}, 2, 500);
  EXPECT_TRUE(index.sharing());
  EXPECT_EQ(index.share_used(NodeId{0}, 0), 1000u);
  EXPECT_EQ(index.share_used(NodeId{3}, 2), 500u);
  EXPECT_EQ(index.shared_mask(NodeId{0}), 0b1u);
  EXPECT_EQ(index.shared_mask(NodeId{3}), 0b100u);
  EXPECT_EQ(index.site_shared(SiteId{0}, kH100), 1u);  // one GPU, however many shares
  EXPECT_EQ(index.site_shared(SiteId{1}, kH100), 1u);
  EXPECT_EQ(index.site_shared(SiteId{0}, kA100), 0u);
  EXPECT_EQ(index.type_shared(kH100), 2u);
  EXPECT_EQ(index.type_shared(kA100), 0u);
  EXPECT_EQ(index.total_shared(), 2u);
  EXPECT_EQ(index.total_free(), 34u);  // shared GPUs are not free
  // find_node_with_shared: lo inclusive, hi exclusive, per type.
  EXPECT_EQ(index.find_node_with_shared(kH100, NodeId{0}, NodeId{5}), NodeId{0});
  EXPECT_EQ(index.find_node_with_shared(kH100, NodeId{1}, NodeId{5}), NodeId{3});
  EXPECT_FALSE(index.find_node_with_shared(kH100, NodeId{1}, NodeId{3}).valid());
  EXPECT_FALSE(index.find_node_with_shared(kA100, NodeId{0}, NodeId{5}).valid());

  // Removing: not the last share keeps the GPU shared; the last one ends it, and the GPU is
  // still taken (the caller releases it).
  EXPECT_FALSE(index.remove_share(NodeId{0}, 0, 300));
  EXPECT_EQ(index.share_used(NodeId{0}, 0), 700u);
  EXPECT_EQ(index.total_shared(), 2u);
  EXPECT_TRUE(index.remove_share(NodeId{0}, 0, 700));
  EXPECT_EQ(index.share_used(NodeId{0}, 0), 0u);
  EXPECT_EQ(index.shared_mask(NodeId{0}), 0u);
  EXPECT_EQ(index.site_shared(SiteId{0}, kH100), 0u);
  EXPECT_EQ(index.type_shared(kH100), 1u);
  EXPECT_EQ(index.total_shared(), 1u);
  EXPECT_EQ(index.find_node_with_shared(kH100, NodeId{0}, NodeId{5}), NodeId{3});
  EXPECT_EQ(index.free_mask(NodeId{0}), 0xFEu);
  index.release(NodeId{0}, 0b1);
  EXPECT_EQ(test::recount_mismatch(index, {0xFF, 0xFF, 0xF, 0xFB, 0xFF}), "");
}

TEST(CapacityIndex, RejectsOverSharingSharesOfFreeGpusAndRemovingMoreThanIsUsed) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  index.take(NodeId{2}, 0b1);
  index.add_share(NodeId{2}, 0, 600);
  EXPECT_THROW(index.add_share(NodeId{2}, 0, 401), InternalError);  // 1001 milli-GPUs
  EXPECT_THROW(index.add_share(NodeId{2}, 1, 100), InternalError);  // GPU 1 is free
  EXPECT_THROW(index.add_share(NodeId{2}, 4, 100), InternalError);  // n2 has only 4 GPUs
  EXPECT_THROW(index.add_share(NodeId{2}, 0, 0), InternalError);
  EXPECT_THROW(index.remove_share(NodeId{2}, 0, 601), InternalError);
  EXPECT_THROW(index.remove_share(NodeId{2}, 1, 100), InternalError);  // holds no share
  EXPECT_EQ(index.share_used(NodeId{2}, 0), 600u);
  EXPECT_EQ(index.type_shared(kA100), 1u);
  index.add_share(NodeId{2}, 0, 400);  // exactly full is fine
  EXPECT_EQ(index.share_used(NodeId{2}, 0), 1000u);
}

TEST(CapacityIndex, ShareFitsOnAFreeGpuOrOneWithRoomButNeverOnAnUnshareableOne) {
  const Fleet fleet = small_fleet();
  CapacityIndex index(fleet.topology);
  index.take(NodeId{1}, 0b111);
  index.add_share(NodeId{1}, 0, 700);  // GPU 0: room 300; GPU 1: held whole; GPU 2: 1000 used
  index.add_share(NodeId{1}, 2, 1000 - 1);
  index.add_share(NodeId{1}, 2, 1);
  EXPECT_TRUE(index.share_fits(NodeId{1}, 0, 300));
  EXPECT_FALSE(index.share_fits(NodeId{1}, 0, 301));
  EXPECT_FALSE(index.share_fits(NodeId{1}, 1, 1));   // held whole by a job
  EXPECT_FALSE(index.share_fits(NodeId{1}, 2, 1));   // full
  EXPECT_TRUE(index.share_fits(NodeId{1}, 3, 999));  // free
  EXPECT_EQ(index.unshareable_mask(NodeId{1}), 0u);
  index.set_unshareable(NodeId{1}, 0b1001);  // GPU 0 and 3 failed (say)
  EXPECT_EQ(index.unshareable_mask(NodeId{1}), 0b1001u);
  EXPECT_EQ(index.unshareable_mask(NodeId{0}), 0u);
  EXPECT_FALSE(index.share_fits(NodeId{1}, 0, 100));  // room, but unshareable
  EXPECT_FALSE(index.share_fits(NodeId{1}, 3, 100));  // free, but unshareable
  EXPECT_TRUE(index.share_fits(NodeId{1}, 4, 100));
  index.set_unshareable(NodeId{1}, 0);  // repaired
  EXPECT_TRUE(index.share_fits(NodeId{1}, 0, 300));
  EXPECT_TRUE(index.share_fits(NodeId{1}, 3, 999));
}

// A random mixed fleet (both types, node sizes 1..64, 1-3 sites), 20,000 random takes and
// releases of random subsets, each followed by a full comparison with a brute-force recount of
// every counter and every bucket.
TEST(CapacityIndex, RandomTakeReleaseSequenceMatchesBruteForceRecount) {
  std::mt19937_64 rng(77);
  using Int = boost::random::uniform_int_distribution<std::uint32_t>;
  std::vector<test::ClusterShape> shapes;
  const std::uint32_t sites = Int(1, 3)(rng);
  for (std::uint32_t s = 0; s < sites; ++s) {
    for (std::uint32_t c = Int(1, 3)(rng); c > 0; --c) {
      constexpr std::uint32_t kSizes[] = {1, 3, 4, 8, 64};
      shapes.push_back({s, Int(1, 3)(rng), Int(1, 4)(rng), kSizes[Int(0, 4)(rng)],
                        Int(0, 1)(rng) == 0 ? "H100" : "A100"});
    }
  }
  const Fleet fleet = test::fleet_of(shapes);
  CapacityIndex index(fleet.topology);
  std::vector<std::uint64_t> masks = test::free_masks(index);
  const std::size_t nodes = masks.size();
  boost::random::uniform_int_distribution<std::uint64_t> bits;
  for (int step = 0; step < 20'000; ++step) {
    const std::size_t n = Int(0, static_cast<std::uint32_t>(nodes - 1))(rng);
    const std::uint32_t count = fleet.topology.nodes()[n].gpu_count;
    const std::uint64_t all = count == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
    const bool take = Int(0, 1)(rng) == 0;
    const std::uint64_t pool = take ? masks[n] : (all & ~masks[n]);
    const std::uint64_t mask = pool & bits(rng);
    if (mask == 0) continue;
    if (take) {
      index.take(NodeId{n}, mask);
      masks[n] &= ~mask;
    } else {
      index.release(NodeId{n}, mask);
      masks[n] |= mask;
    }
    ASSERT_EQ(test::recount_mismatch(index, masks), "") << "after step " << step;
  }
}

}  // namespace
}  // namespace fleetsim
