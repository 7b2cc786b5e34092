// Topology builders: contiguous id ranges at every level, counts per level and per type, and
// fleets from one node up to 100,000 GPUs.
#include "sim/fleet/topology.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "sim/core/error.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// Walks the hierarchy and checks that every child range starts where the previous one ended
// and that every child points back at its parent; returns the GPUs counted on the way.
std::uint64_t check_contiguous(const Topology& topo) {
  std::uint32_t next_cluster = 0, next_rack = 0, next_node = 0;
  std::uint64_t next_gpu = 0;
  for (std::size_t s = 0; s < topo.sites().size(); ++s) {
    const Site& site = topo.sites()[s];
    EXPECT_EQ(site.first_cluster.value, next_cluster) << "site " << s;
    std::uint64_t site_gpus = 0;
    for (std::uint32_t c = 0; c < site.cluster_count; ++c, ++next_cluster) {
      const Cluster& cluster = topo.cluster(ClusterId{next_cluster});
      EXPECT_EQ(cluster.site, SiteId{s});
      EXPECT_EQ(cluster.first_rack.value, next_rack) << "cluster " << next_cluster;
      std::uint64_t cluster_gpus = 0;
      for (std::uint32_t r = 0; r < cluster.rack_count; ++r, ++next_rack) {
        const Rack& rack = topo.rack(RackId{next_rack});
        EXPECT_EQ(rack.cluster, ClusterId{next_cluster});
        EXPECT_EQ(rack.first_node.value, next_node) << "rack " << next_rack;
        std::uint32_t rack_gpus = 0;
        for (std::uint32_t n = 0; n < rack.node_count; ++n, ++next_node) {
          const Node& node = topo.node(NodeId{next_node});
          EXPECT_EQ(node.rack, RackId{next_rack});
          EXPECT_EQ(node.type, rack.type);
          EXPECT_EQ(node.first_gpu.value, next_gpu) << "node " << next_node;
          next_gpu += node.gpu_count;
          rack_gpus += node.gpu_count;
        }
        EXPECT_EQ(rack.gpu_count, rack_gpus);
        cluster_gpus += rack_gpus;
      }
      EXPECT_EQ(cluster.gpu_count, cluster_gpus);
      site_gpus += cluster_gpus;
    }
    EXPECT_EQ(site.gpu_count, site_gpus);
  }
  EXPECT_EQ(next_cluster, topo.clusters().size());
  EXPECT_EQ(next_rack, topo.racks().size());
  EXPECT_EQ(next_node, topo.nodes().size());
  EXPECT_EQ(next_gpu, topo.gpu_count());
  return next_gpu;
}

TEST(Topology, MixedFleetHasContiguousIdsAndCountsPerLevelAndType) {
  // site0: c0 = 2 racks x 2 nodes x 8 H100 (32), c1 = 1 rack x 4 nodes x 4 A100 (16)
  // site1: c2 = 3 racks x 1 node x 8 H100 (24)
  const Fleet fleet =
      test::fleet_of({{0, 2, 2, 8, "H100"}, {0, 1, 4, 4, "A100"}, {1, 3, 1, 8, "H100"}});
  const Topology& topo = fleet.topology;
  ASSERT_EQ(topo.sites().size(), 2u);
  ASSERT_EQ(topo.clusters().size(), 3u);
  ASSERT_EQ(topo.racks().size(), 6u);      // 2 + 1 + 3
  ASSERT_EQ(topo.nodes().size(), 11u);     // 4 + 4 + 3
  EXPECT_EQ(check_contiguous(topo), 72u);  // 32 + 16 + 24
  EXPECT_EQ(topo.sites()[0].gpu_count, 48u);
  EXPECT_EQ(topo.sites()[1].gpu_count, 24u);
  EXPECT_EQ(topo.gpus_by_type(), (std::vector<std::uint64_t>{56, 16}));  // H100 32 + 24, A100 16
  EXPECT_EQ(topo.max_gpus_per_node(), 8u);
  EXPECT_EQ(topo.max_gpus_per_rack(), 16u);  // 2 x 8 (c0) and 4 x 4 (c1)
  // Spot checks: the first A100 node is node 4 and starts at GPU 32; the last node is GPU 64..71.
  EXPECT_EQ(topo.node(NodeId{4}).type, *fleet.catalog.find("A100"));
  EXPECT_EQ(topo.node(NodeId{4}).first_gpu.value, 32u);
  EXPECT_EQ(topo.node(NodeId{10}).first_gpu.value, 64u);
  EXPECT_EQ(topo.rack(RackId{3}).cluster, ClusterId{2});
}

TEST(Topology, OneNodeSixteenGpuFleet) {
  const Fleet fleet = test::single_cluster_fleet(1, 1, 16);
  const Topology& topo = fleet.topology;
  EXPECT_EQ(topo.sites().size(), 1u);
  EXPECT_EQ(topo.clusters().size(), 1u);
  EXPECT_EQ(topo.racks().size(), 1u);
  ASSERT_EQ(topo.nodes().size(), 1u);
  EXPECT_EQ(topo.gpu_count(), 16u);
  EXPECT_EQ(topo.node(NodeId{0}).gpu_count, 16u);
  EXPECT_EQ(topo.max_gpus_per_node(), 16u);
  EXPECT_EQ(topo.max_gpus_per_rack(), 16u);
  EXPECT_EQ(topo.gpus_by_type(), (std::vector<std::uint64_t>{16, 0}));  // no A100s
  EXPECT_EQ(check_contiguous(topo), 16u);
  const CapacityIndex index(topo);
  EXPECT_EQ(index.free_mask(NodeId{0}), 0xFFFFu);
  EXPECT_EQ(index.total_free(), 16u);
}

TEST(Topology, HundredThousandGpusOfGb200Nvl72RacksInSeveralClusters) {
  // An NVL72 rack is 18 nodes x 4 GPUs = 72. 100,000 / 72 = 1388.9, so 1,389 racks, split
  // into three clusters of 463 racks (463 x 72 = 33,336 GPUs each) over two sites:
  // 1,389 x 72 = 100,008 GPUs, 1,389 x 18 = 25,002 nodes.
  GpuType gb200{"GB200", 2500, 186, 1200, 100, 0, {}};
  Fleet fleet;
  fleet.catalog = GpuCatalog({gb200}, "GB200");
  fleet.topology = Topology(1);
  Topology& topo = fleet.topology;
  const SiteId s0 = topo.add_site({"texas", "US", "us-south", "own", {}, 0, 0});
  topo.add_racks(topo.add_cluster(s0, "tx-a"), 463, 18, 4, GpuTypeId{0});
  topo.add_racks(topo.add_cluster(s0, "tx-b"), 463, 18, 4, GpuTypeId{0});
  const SiteId s1 = topo.add_site({"oslo", "NO", "eu-north", "own", {}, 0, 0});
  topo.add_racks(topo.add_cluster(s1, "no-a"), 463, 18, 4, GpuTypeId{0});

  EXPECT_EQ(topo.racks().size(), 1'389u);
  EXPECT_EQ(topo.nodes().size(), 25'002u);
  EXPECT_EQ(topo.gpu_count(), 100'008u);
  EXPECT_EQ(topo.sites()[0].gpu_count, 66'672u);  // 2 x 33,336
  EXPECT_EQ(topo.sites()[1].gpu_count, 33'336u);
  EXPECT_EQ(topo.clusters()[2].first_rack.value, 926u);  // 2 x 463
  EXPECT_EQ(topo.max_gpus_per_rack(), 72u);
  EXPECT_EQ(topo.max_gpus_per_node(), 4u);
  EXPECT_EQ(topo.nodes().back().first_gpu.value, 100'004u);
  EXPECT_EQ(check_contiguous(topo), 100'008u);

  const CapacityIndex index(topo);
  EXPECT_EQ(index.total_free(), 100'008u);
  EXPECT_EQ(index.site_free(s0, GpuTypeId{0}), 66'672u);
  EXPECT_EQ(index.cluster_free(ClusterId{2}, GpuTypeId{0}), 33'336u);
  // Every rack is in the 72-free bucket; the last one is rack 1,388.
  EXPECT_EQ(index.find_rack_with_free(GpuTypeId{0}, 72, RackId{1'388}, RackId{1'389}),
            RackId{1'388});
  EXPECT_EQ(index.find_node_with_free(GpuTypeId{0}, 4, NodeId{25'001}, NodeId{25'002}),
            NodeId{25'001});
}

TEST(Topology, PerTypeTablesCoverCatalogTypesWithoutRacks) {
  Topology topo(3);
  const SiteId s = topo.add_site({"s", "XX", "r", "own", {}, 0, 0});
  topo.add_racks(topo.add_cluster(s, "c"), 1, 1, 8, GpuTypeId{1});
  EXPECT_EQ(topo.gpus_by_type(), (std::vector<std::uint64_t>{0, 8, 0}));
  const CapacityIndex index(topo);
  EXPECT_EQ(index.type_count(), 3u);
  EXPECT_EQ(index.type_free(GpuTypeId{2}), 0u);
  // Types with no racks have no buckets: queries answer "none" instead of reading past the end.
  EXPECT_FALSE(index.find_node_with_free(GpuTypeId{0}, 8, NodeId{0}, NodeId{1}).valid());
  EXPECT_FALSE(index.find_node_with_any_free(GpuTypeId{2}, NodeId{0}, NodeId{1}).valid());
  EXPECT_FALSE(index.find_rack_with_free(GpuTypeId{2}, 8, RackId{0}, RackId{1}).valid());
}

TEST(Topology, BuildersRejectOutOfOrderAndOversizedInput) {
  Topology topo(1);
  const SiteId s0 = topo.add_site({"a", "XX", "r", "own", {}, 0, 0});
  const ClusterId c0 = topo.add_cluster(s0, "c0");
  topo.add_site({"b", "XX", "r", "own", {}, 0, 0});
  // Clusters go to the last site, racks to the last cluster: ranges must stay contiguous.
  EXPECT_THROW(topo.add_cluster(s0, "late"), InternalError);
  topo.add_racks(c0, 1, 1, 8, GpuTypeId{0});  // c0 is still the last cluster
  const ClusterId c1 = topo.add_cluster(SiteId{1}, "c1");
  EXPECT_THROW(topo.add_racks(c0, 1, 1, 8, GpuTypeId{0}), InternalError);
  // A node's free GPUs are one 64-bit mask.
  EXPECT_THROW(topo.add_racks(c1, 1, 1, 65, GpuTypeId{0}), InternalError);
  EXPECT_THROW(topo.add_racks(c1, 1, 1, 0, GpuTypeId{0}), InternalError);
  topo.add_racks(c1, 1, 1, 64, GpuTypeId{0});
  EXPECT_EQ(topo.gpu_count(), 72u);
  const CapacityIndex index(topo);
  EXPECT_EQ(index.free_mask(NodeId{1}), ~std::uint64_t{0});
  EXPECT_EQ(index.node_free(NodeId{1}), 64u);
}

}  // namespace
}  // namespace fleetsim
