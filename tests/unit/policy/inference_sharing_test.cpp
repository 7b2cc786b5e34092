// The node split the partitioned sharing policies use, and their `share` check.
#include "sim/policy/builtin/inference_sharing.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using detail::NodePartition;

TEST(NodePartition, TakesWholeNodesInIdOrderUpToTheShare) {
  // 3 nodes of 8 GPUs; share 0.3 of 24 = 7.2 -> 7 GPUs wanted -> node 0 (8 GPUs).
  const Fleet fleet = test::single_cluster_fleet(1, 3, 8);
  NodePartition p;
  p.build(fleet.topology, 0.3);
  EXPECT_EQ(p.nodes(NodePartition::kInference), (std::vector<NodeId>{NodeId{0}}));
  EXPECT_EQ(p.nodes(NodePartition::kTraining), (std::vector<NodeId>{NodeId{1}, NodeId{2}}));
  // 9 GPUs fit the training side (16 GPUs), not the inference side (8).
  JobSpec nine = test::job("j", 0, 9, 1);
  EXPECT_TRUE(p.ever_fits(nine, NodePartition::kTraining));
  EXPECT_FALSE(p.ever_fits(nine, NodePartition::kInference));
  // share 0.5 of 24 = 12 -> nodes 0 and 1 (16 GPUs); 0 -> nothing reserved.
  NodePartition half;
  half.build(fleet.topology, 0.5);
  EXPECT_EQ(half.nodes(NodePartition::kInference).size(), 2u);
  NodePartition none;
  none.build(fleet.topology, 0.0);
  EXPECT_TRUE(none.nodes(NodePartition::kInference).empty());
}

TEST(NodePartition, ShareOutsideZeroToOneIsRejected) {
  const PolicyInfo* info = find_policy("reserved");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->validate(make_params(*info, {{"share", 1.5}})),
            "share: expected a number in [0, 1], got 1.5");
  EXPECT_EQ(info->validate(make_params(*info, {{"share", 0.5}})), "");
  EXPECT_EQ(find_policy("lend")->validate(make_params(*find_policy("lend"), {{"share", -0.1}})),
            "share: expected a number in [0, 1], got -0.1");
}

}  // namespace
}  // namespace fleetsim
