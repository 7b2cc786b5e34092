// Fleets from public node inventories (fleet `node_list:`): nodes grouped into rack groups by GPU
// type and count, CPU-only nodes left out, GPU models mapped to catalog types. Excerpts of the
// three inventories are in tests/data/traces/excerpts/.
#include <string>

#include <gtest/gtest.h>

#include "sim/io/fleet_config.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

// A fleet written in tests/data/fleets/, so paths resolve against that folder.
FleetConfig load(const std::string& node_list) {
  const ConfigNode root =
      ConfigNode::load_string("gpu_catalog: catalog.yaml\nnode_list: " + node_list + "\n",
                              test::source_path("tests/data/fleets/inline.yaml"));
  return load_fleet_config(root);
}

std::string error_of(const std::string& node_list) {
  try {
    load(node_list);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

void expect_group(const RackGroupConfig& g, std::uint32_t count, std::uint32_t gpus,
                  const std::string& type) {
  EXPECT_EQ(g.count, count);
  EXPECT_EQ(g.nodes, 1u);  // each node is its own NVLink domain
  EXPECT_EQ(g.gpus_per_node, gpus);
  EXPECT_EQ(g.gpu_type, type);
}

TEST(NodeListFleet, OpenbNodesGroupByModelAndGpuCount) {
  const FleetConfig f = load(
      "{format: openb_nodes, path: ../traces/excerpts/openb_nodes.csv, site: alibaba, "
      "cluster: openb, country: CN, gpu_types: {P100: A100, G3: H100_SXM}}");
  ASSERT_EQ(f.sites.size(), 1u);
  EXPECT_EQ(f.sites[0].name, "alibaba");
  EXPECT_EQ(f.sites[0].country, "CN");
  ASSERT_EQ(f.sites[0].clusters.size(), 1u);
  EXPECT_EQ(f.sites[0].clusters[0].name, "openb");
  const auto& racks = f.sites[0].clusters[0].racks;
  ASSERT_EQ(racks.size(), 2u);               // the CPU node openb-node-0000 is left out
  expect_group(racks[0], 2, 2, "A100");      // openb-node-0123, -0124: 2 x P100
  expect_group(racks[1], 1, 8, "H100_SXM");  // openb-node-0228: 8 x G3
  EXPECT_EQ(build_fleet(f).topology.gpu_count(), 12u);
}

TEST(NodeListFleet, PaiMachinesHaveNoHeader) {
  const FleetConfig f = load(
      "{format: pai_machines, path: ../traces/excerpts/pai_machines.csv, "
      "gpu_types: {MISC: H100_SXM}}");
  const auto& racks = f.sites[0].clusters[0].racks;
  ASSERT_EQ(racks.size(), 1u);
  expect_group(racks[0], 2, 8, "H100_SXM");
  EXPECT_EQ(f.sites[0].name, "site0");
  EXPECT_EQ(f.sites[0].clusters[0].name, "cluster0");
}

TEST(NodeListFleet, SpotNodesKeepFirstAppearanceOrder) {
  const FleetConfig f = load(
      "{format: spot_nodes, path: ../traces/excerpts/spot_nodes.csv, gpu_types: "
      "{GPU-series-1: A100, A10: A100, H800: H100_SXM}}");
  const auto& racks = f.sites[0].clusters[0].racks;
  ASSERT_EQ(racks.size(), 3u);
  expect_group(racks[0], 1, 4, "A100");      // GPU-series-1 x 4
  expect_group(racks[1], 2, 1, "A100");      // GPU-series-1 x 1 and A10 x 1, both A100 here
  expect_group(racks[2], 1, 8, "H100_SXM");  // H800 x 8
}

TEST(NodeListFleet, Errors) {
  EXPECT_EQ(error_of("{format: slurm_nodes, path: x.csv}"),
            test::source_path("tests/data/fleets/inline.yaml") +
                ":2:21: node_list.format: unknown node-list format \"slurm_nodes\"; expected "
                "one of: openb_nodes, pai_machines, spot_nodes");
  EXPECT_EQ(error_of("{format: pai_machines, path: ../traces/excerpts/pai_machines.csv}"),
            test::normal(test::source_path("tests/data/traces/excerpts/pai_machines.csv")) +
                ":2: gpu_type: GPU model \"MISC\" is neither mapped (gpu_types:) nor a catalog "
                "type");
}

}  // namespace
}  // namespace fleetsim
