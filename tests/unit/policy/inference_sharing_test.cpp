// The node split the partitioned sharing policies use, their `share` check, and the training
// walk they share with inference_first.
#include "sim/policy/builtin/inference_sharing.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "sim/core/scheduler_state.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using detail::NodePartition;

TEST(NodePartition, TakesWholeNodesInIdOrderUpToTheShare) {
  // 3 nodes of 8 GPUs; share 0.3 of 24 = 7.2 -> 7 GPUs wanted -> node 0 (8 GPUs).
  const Fleet fleet = test::single_cluster_fleet(1, 3, 8);
  NodePartition p;
  p.build(fleet, 0.3);
  EXPECT_EQ(p.nodes_by_site(NodePartition::kInference)[0], (std::vector<NodeId>{NodeId{0}}));
  EXPECT_EQ(p.nodes_by_site(NodePartition::kTraining)[0],
            (std::vector<NodeId>{NodeId{1}, NodeId{2}}));
  // 9 GPUs fit the training side (16 GPUs), not the inference side (8).
  JobSpec nine = test::job("j", 0, 9, 1);
  EXPECT_TRUE(p.ever_fits(nine, NodePartition::kTraining));
  EXPECT_FALSE(p.ever_fits(nine, NodePartition::kInference));
  // share 0.5 of 24 = 12 -> nodes 0 and 1 (16 GPUs); 0 -> nothing reserved.
  NodePartition half;
  half.build(fleet, 0.5);
  EXPECT_EQ(half.nodes_by_site(NodePartition::kInference)[0].size(), 2u);
  NodePartition none;
  none.build(fleet, 0.0);
  EXPECT_TRUE(none.nodes_by_site(NodePartition::kInference)[0].empty());
}

// Site 0: 2 nodes of 8 H100 (uncapped); site 1: 3 nodes of 8 A100 under a 5,100 W IT cap. Share
// 0.25 of 40 GPUs = 10 wanted -> nodes 0 and 1 (all of site 0) serve inference, site 1 trains.
// Site 1's 24 A100s draw 24 x 50 W = 1,200 W idle, so a gang at utilisation u may have
// floor(3,900 W / (u x 350 W)) busy GPUs there: 11 at u = 1, 22 at u = 0.5.
Fleet h100_inference_a100_training_capped() {
  Fleet fleet = test::fleet_of({{0, 1, 2, 8, "H100"}, {1, 1, 3, 8, "A100"}});
  SiteEnergy capped;
  capped.it_cap_mw = StepProfile::constant(0.0051);
  fleet.site_energy = {SiteEnergy{}, capped};
  return fleet;
}

TEST(NodePartition, AGangItsSidesPowerCapCannotRunDoesNotFitThatSide) {
  const Fleet fleet = h100_inference_a100_training_capped();
  NodePartition p;
  p.build(fleet, 0.25);
  ASSERT_EQ(p.nodes_by_site(NodePartition::kInference)[0],
            (std::vector<NodeId>{NodeId{0}, NodeId{1}}));
  JobSpec twelve = test::job("j", 0, 12, 100);
  twelve.gpu_utilisation = 1.0F;
  // 24 training GPUs, but 11 busy at most under the cap (the count alone said it fits).
  EXPECT_FALSE(p.ever_fits(twelve, NodePartition::kTraining));
  EXPECT_TRUE(p.ever_fits(twelve, NodePartition::kInference));  // 16 uncapped H100s
  JobSpec eleven = twelve;
  eleven.gpus = 11;
  EXPECT_TRUE(p.ever_fits(eleven, NodePartition::kTraining));
  JobSpec half_busy = twelve;
  half_busy.gpu_utilisation = 0.5F;  // 22 may be busy
  EXPECT_TRUE(p.ever_fits(half_busy, NodePartition::kTraining));
}

TEST(NodePartition, UnderReservedAndLendAGangTheTrainingCapCannotRunUsesTheWholeFleet) {
  // The 12-GPU job above (utilisation 1, 100 s, not preemptible) fits only at site 0, the
  // inference side: too large for its own side, it may use the whole fleet, starts at 0 on
  // site 0 and ends at 100 s. (It used to wait for ever: the training side's 24 GPUs counted as
  // room for it.)
  JobSpec twelve = test::job("j", 0, 12, 100);
  twelve.gpu_utilisation = 1.0F;
  twelve.preemptible = false;
  for (const char* policy : {"reserved", "lend"}) {
    const test::RunOutput out = test::run(h100_inference_a100_training_capped(), {twelve}, policy,
                                          {}, "first_fit", test::no_samples());
    EXPECT_EQ(out["j"].state, JobState::Done) << policy;
    EXPECT_EQ(test::seconds(out["j"].first_start), 0) << policy;
    EXPECT_EQ(test::seconds(out["j"].end), 100) << policy;
    EXPECT_EQ(out["j"].site, SiteId{0}) << policy;
  }
}

TEST(NodePartition, AGangWhoseDataNoWanPathReachesDoesNotFitThatSite) {
  // Site 0: 2 nodes of 8 H100 (the inference side at share 0.25 of 40 GPUs); site 1: 3 nodes of
  // 8 A100 (training); no WAN link. An 8-GPU job with its data at site 0 can run only there:
  // the training side's 24 GPUs at site 1 are no room for it, so under reserved and lend it is
  // oversized for its side and starts at once on site 0 (it used to wait for ever).
  Fleet fleet = test::fleet_of({{0, 1, 2, 8, "H100"}, {1, 1, 3, 8, "A100"}});
  fleet.wan = WanGraph(2, {});
  JobSpec staged = test::job("j", 0, 8, 100);
  staged.data_site = SiteId{0};
  staged.data_gb = 100;
  staged.preemptible = false;
  NodePartition p;
  p.build(fleet, 0.25);
  EXPECT_FALSE(p.ever_fits(staged, NodePartition::kTraining));
  EXPECT_TRUE(p.ever_fits(staged, NodePartition::kInference));
  for (const char* policy : {"reserved", "lend"}) {
    const test::RunOutput out =
        test::run(fleet, {staged}, policy, {}, "first_fit", test::no_samples());
    EXPECT_EQ(out["j"].state, JobState::Done) << policy;
    EXPECT_EQ(test::seconds(out["j"].first_start), 0) << policy;
    EXPECT_EQ(test::seconds(out["j"].end), 100) << policy;
    EXPECT_EQ(out["j"].site, SiteId{0}) << policy;
  }
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

TEST(StartTrainingFifo, AJobThatDoesNotFitSkipsTheRestOfItsShapeOnlyWhenTheShapeDecidesFit) {
  // Waiting: jobs 0 and 1 of 4 GPUs, job 2 of 2 GPUs, job 3 of 4 GPUs. Every 4-GPU take fails, a
  // 2-GPU one succeeds. When the shape decides fit, the walk tries one 4-GPU job only.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  SchedulerState state(fleet, *placement, 0);
  for (std::uint32_t gpus : {4u, 4u, 2u, 4u}) {
    state.jobs.emplace_back(test::job("j", 0, gpus, 60));
    state.changes.push_back({JobId{state.jobs.size() - 1}, JobChangeKind::Arrived});
  }
  const SchedulerView view(state);
  detail::QueuedByShape queue;
  queue.update(view);
  for (const bool shape_decides_fit : {true, false}) {
    std::vector<std::uint32_t> tried;
    Decisions decisions;
    detail::start_training_fifo(
        view, queue, [](float) { return std::uint64_t{8}; },
        [&](const JobSpec& spec) -> std::optional<Allocation> {
          tried.push_back(spec.gpus);
          if (spec.gpus == 4) return std::nullopt;
          return Allocation{{{NodeId{0u}, 0b11}}};
        },
        [](const JobSpec&, JobId) { return true; }, shape_decides_fit, decisions);
    const std::vector<std::uint32_t> expected = shape_decides_fit
                                                    ? std::vector<std::uint32_t>{4, 2}
                                                    : std::vector<std::uint32_t>{4, 4, 2, 4};
    EXPECT_EQ(tried, expected) << "shape_decides_fit " << shape_decides_fit;
    ASSERT_EQ(decisions.starts().size(), 1u);
    EXPECT_EQ(decisions.starts()[0].job, JobId{2u});
  }
}

}  // namespace
}  // namespace fleetsim
