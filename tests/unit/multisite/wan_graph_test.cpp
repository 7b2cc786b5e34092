// The WAN's paths on a graph small enough to check by hand.
#include "sim/fleet/wan_graph.hpp"

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

// A -(10 ms, 100 Gbps)- B -(20 ms, 10 Gbps)- C, plus a direct A - C link of 5 ms and 1 Gbps;
// D is not connected.
WanGraph triangle() {
  return WanGraph(4, {{SiteId{0}, SiteId{1}, 10, 100},
                      {SiteId{1}, SiteId{2}, 20, 10},
                      {SiteId{0}, SiteId{2}, 5, 1}});
}

TEST(WanGraph, LowestRttPathAndWidestPathAreDifferentPaths) {
  const WanGraph wan = triangle();
  EXPECT_DOUBLE_EQ(wan.rtt_ms(SiteId{0}, SiteId{2}), 5);         // direct link
  EXPECT_DOUBLE_EQ(wan.bottleneck_gbps(SiteId{0}, SiteId{2}), 10);  // via B: min(100, 10)
  EXPECT_DOUBLE_EQ(wan.widest_path_rtt_ms(SiteId{0}, SiteId{2}), 30);  // 10 + 20
  EXPECT_DOUBLE_EQ(wan.rtt_ms(SiteId{1}, SiteId{2}), 15);  // B -> A -> C beats B -> C (20)
  EXPECT_DOUBLE_EQ(wan.rtt_ms(SiteId{2}, SiteId{2}), 0);
}

TEST(WanGraph, StagingOverTwoHopsIsOneRoundTripPlusSizeOverTheBottleneck) {
  const WanGraph wan = triangle();
  // 100 GB = 800 Gb over the 10 Gbps bottleneck of A-B-C: 80 s, plus the path's 30 ms RTT.
  EXPECT_EQ(wan.staging_time(SiteId{0}, SiteId{2}, 100), from_seconds(80.03));
  EXPECT_EQ(wan.staging_time(SiteId{2}, SiteId{0}, 100), from_seconds(80.03));  // undirected
  EXPECT_EQ(wan.staging_time(SiteId{0}, SiteId{0}, 100), 0);                    // same site
  EXPECT_EQ(wan.staging_time(SiteId{0}, SiteId{1}, 0), 0);                      // no data
}

TEST(WanGraph, UnconnectedSitesAreUnreachable) {
  const WanGraph wan = triangle();
  EXPECT_FALSE(wan.reachable(SiteId{0}, SiteId{3}));
  EXPECT_TRUE(wan.reachable(SiteId{3}, SiteId{3}));
  EXPECT_EQ(wan.staging_time(SiteId{0}, SiteId{3}, 1), kTimeNever);
}

}  // namespace
}  // namespace fleetsim
