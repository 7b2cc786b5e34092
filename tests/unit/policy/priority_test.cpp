// priority: strict classes (higher first), optional preemption of lower classes, and tenant
// quotas (guarantee, borrowing, reclaim). Hand-computed times on one 8-GPU node.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using Params = std::map<std::string, ParamValue>;

JobSpec job(std::string name, double submit_s, std::uint32_t gpus, double duration_s, int priority,
            std::string tenant = "default") {
  JobSpec spec = test::job(std::move(name), submit_s, gpus, duration_s);
  spec.priority = priority;
  spec.tenant = std::move(tenant);
  return spec;
}

TEST(Priority, HigherClassGoesFirstWithoutPreemption) {
  // preempt false. a: 8 GPUs 0-100, class 0. b: class 0, arrives 10 s, 50 s. c: class 1,
  // arrives 20 s, 30 s. 100 s: c (higher class) 100-130, then b 130-180 (FIFO: b first).
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {job("a", 0, 8, 100, 0), job("b", 10, 8, 50, 0), job("c", 20, 8, 30, 1)},
                "priority", Params{{"preempt", false}});
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 130);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 130);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 180);
}

TEST(Priority, WithoutPossibleVictimsSmallerJobsStartPastOneThatDoesNotFit) {
  // preempt false. One H100 node (8) and one A100 node (8, speed 0.5). a: class 0, 8 A100s, 50
  // reference s = 0-100. b: class 1, 8 A100s, arrives 10 s, 5 reference s: does not fit (8
  // H100s are free, but not of its type), waits for a: 100-110. c: class 1, 2 H100s, arrives
  // 20 s, 50 s: starts past b, 20-70. d: class 0, 2 H100s, arrives 30 s, 50 s: 30-80.
  // With backfill false the pass stops at b: c and d wait for it, and all three start at 100;
  // c and d end at 150.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}});
  const GpuTypeId h100 = *fleet.catalog.find("H100");
  const GpuTypeId a100 = *fleet.catalog.find("A100");
  std::vector<JobSpec> jobs = {job("a", 0, 8, 50, 0), job("b", 10, 8, 5, 1), job("c", 20, 2, 50, 1),
                               job("d", 30, 2, 50, 0)};
  jobs[0].allowed_types = {a100};
  jobs[1].allowed_types = {a100};
  jobs[2].allowed_types = {h100};
  jobs[3].allowed_types = {h100};
  const auto out = test::run(fleet, jobs, "priority", Params{{"preempt", false}});
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 20);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 70);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 30);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 80);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 110);
  const auto strict =
      test::run(fleet, jobs, "priority", Params{{"preempt", false}, {"backfill", false}});
  EXPECT_DOUBLE_EQ(test::seconds(strict["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(strict["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(strict["d"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(strict["d"].end), 150);
}

TEST(Priority, HigherClassPreemptsALowerOne) {
  // preempt true (default). c (class 1) arrives 20 s and preempts a (class 0, 80 s left):
  // c 20-50. 50 s: a and b are both class 0, a was submitted first: a 50-130, b 130-180.
  const auto out = test::run(
      test::single_cluster_fleet(1, 1, 8),
      {job("a", 0, 8, 100, 0), job("b", 10, 8, 50, 0), job("c", 20, 8, 30, 1)}, "priority");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 20);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 50);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 130);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 130);
}

TEST(Priority, AJobKeptToOneSiteThatCannotMakeRoomDoesNotHoldBackAJobThatCanElsewhere) {
  // Two sites of 8 GPUs. x0 (site 0 only, not preemptible) and x1 (site 1 only), class 0,
  // 1000 s, start at 0 s. 10 s: a (site 0 only) and b (any site), class 1, 8 GPUs, 50 s: a
  // comes first but its only victim, x1, is at site 1; b, as large but allowed there,
  // preempts x1: b 10-60, x1 resumes with 990 s left -> 1050. a waits for x0: 1000-1050.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  std::vector<JobSpec> jobs = {job("x0", 0, 8, 1000, 0), job("x1", 0, 8, 1000, 0),
                               job("a", 10, 8, 50, 1), job("b", 10, 8, 50, 1)};
  jobs[0].allowed_sites = 0b01;
  jobs[0].preemptible = false;
  jobs[1].allowed_sites = 0b10;
  jobs[2].allowed_sites = 0b01;
  const auto out = test::run(fleet, jobs, "priority");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 10);
  EXPECT_EQ(out["x1"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["x1"].end), 1050);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].first_start), 1000);
}

TEST(Priority, AJobTooHeavyForThePowerCapDoesNotHoldBackALighterOne) {
  // Two 8-GPU H100 nodes under a 7 kW cap (idle 1,152 W; a busy GPU adds 628 W x utilisation).
  // 0 s: x (class 0, 8 GPUs at utilisation 0.5: +2,512 W) and y (class 0, 4 GPUs, not
  // preemptible: +2,512 W) start: 6,176 W. 10 s: a (utilisation 1) and b (0.5), class 1, 8
  // GPUs, 50 s. a first: with x preempted it would draw 1,152 + 2,512 + 5,024 = 8,688 W, over
  // the cap. b, as large but lighter, would draw 6,176 W: it preempts x, b 10-60.
  // 60 s: a still cannot preempt (x waits), so x resumes on b's node: 990 s left -> 1050.
  // 1000 s: y ends; a preempts x again (1,152 + 5,024 = 6,176 W): a 1000-1050, x 1050-1100.
  Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  fleet.site_energy = {SiteEnergy{StepProfile::constant(0.007), 1.0, {}, {}}};
  std::vector<JobSpec> jobs = {job("x", 0, 8, 1000, 0), job("y", 0, 4, 1000, 0),
                               job("a", 10, 8, 50, 1), job("b", 10, 8, 50, 1)};
  jobs[0].gpu_utilisation = 0.5F;
  jobs[1].preemptible = false;
  jobs[3].gpu_utilisation = 0.5F;
  const auto out = test::run(fleet, jobs, "priority");
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].first_start), 0);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 60);
  EXPECT_EQ(out["x"].preemptions, 2u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].first_start), 1000);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].end), 1100);
}

TEST(Priority, SameClassNeverPreempts) {
  // b (class 0) arrives 10 s while a (class 0) runs: it waits, a 0-100, b 100-150.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {job("a", 0, 8, 100, 0), job("b", 10, 8, 50, 0)}, "priority");
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
}

TEST(Priority, WithPreemptOverheadTheHigherClassWaitsForItsVictimToDrain) {
  // Preempt overhead 5 s. a: class 0, 8 GPUs, 0 s, 100 s. c: class 1, arrives 20 s, 30 s: a is
  // preempted and drains 20-25 while c waits. b: class 0, 1 GPU, arrives 22 s: no GPU is free.
  // 25 s: c (higher class) 25-55. 55 s: a (submitted before b) resumes with 80 s left -> 135;
  // b does not fit beside it: 135-136.
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {job("a", 0, 8, 100, 0), job("c", 20, 8, 30, 1), job("b", 22, 1, 1, 0)}, "priority",
                {}, "first_fit", config);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 25);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 55);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 135);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 135);
}

TEST(Priority, TheFreeGpusAJobWaitsForAfterPreemptingAreNotGivenToALowerClass) {
  // Two sites of one 8-GPU node each; preempt overhead 5 s, resume overhead 10 s. v (class 0,
  // site 0 only) runs on node 0's GPUs 0-3 from 0 s, w (class 0, site 1 only, not preemptible)
  // on node 1's from 0 s. At 10 s x (class 2, 8 GPUs, site 0 only) preempts v and waits for
  // its drain, to start on all of node 0; y (class 1, 4 GPUs, any site) arrives then too. The
  // fleet has 8 free GPUs, 4 promised to x by count, so y may start now, but not on node 0's
  // free half, which x's placement uses: y runs on node 1, 10-110. 15 s: v's GPUs drain, x runs
  // 15-115; v resumes at 115 (990 s left, 10 s resume overhead) and ends at 1,115. (y used to
  // land on node 0; x then preempted y at 15 s and v took y's place, each victim preempted 5 s
  // into its 10 s resume overhead: x never started and the run never ended.)
  JobSpec v = job("v", 0, 4, 1000, 0);
  v.allowed_sites = 1U << 0;
  JobSpec w = job("w", 0, 4, 1000, 0);
  w.allowed_sites = 1U << 1;
  w.preemptible = false;
  JobSpec x = job("x", 10, 8, 100, 2);
  x.allowed_sites = 1U << 0;
  EngineConfig config = test::no_samples();
  config.preempt_overhead = from_seconds(5);
  config.resume_overhead = from_seconds(10);
  const auto out =
      test::run(test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}}),
                {v, w, x, job("y", 10, 4, 100, 1)}, "priority", {}, "first_fit", config);
  EXPECT_EQ(out["y"].site, SiteId{1});
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].end), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].first_start), 15);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].end), 115);
  EXPECT_EQ(out["v"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["v"].end), 1115);
}

// Tenants A and B each guaranteed half of the 8 GPUs (4). A's two 4-GPU jobs start at 0 s
// (a2 borrows B's idle half). b1 (B, 4 GPUs, 50 s) arrives 10 s.
std::vector<JobSpec> quota_jobs() {
  return {job("a1", 0, 4, 100, 1, "A"), job("a2", 0, 4, 100, 1, "A"), job("b1", 10, 4, 50, 0, "B")};
}

TEST(Priority, GuaranteedTenantReclaimsBorrowedGpusWhateverTheirClass) {
  // 10 s: b1 is within B's guarantee (0 + 4 <= 4) and does not fit; A holds 8 > 4, so its
  // latest-started job (a2: tie on start, larger id) is reclaimed although its class (1) is
  // higher than b1's (0): b1 10-60. a2 (90 s left) resumes 60 -> 150. a1 runs 0-100.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), quota_jobs(), "priority",
                             Params{{"quotas", std::string("A=0.5, B=0.5")}});
  EXPECT_DOUBLE_EQ(test::seconds(out["b1"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["b1"].end), 60);
  EXPECT_EQ(out["a1"].preemptions, 0u);
  EXPECT_EQ(out["a2"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a2"].end), 150);
}

TEST(Priority, AnotherTenantsHigherClassNeverPreemptsAJobWithinItsGuarantee) {
  // One 2-GPU node; tenant A is guaranteed floor(0.5 x 2) = 1 GPU, B (not listed) none.
  // y: A, class 0, 1 GPU, 0-100 (within A's guarantee). x: B, class 1, 2 GPUs, 100 s, arrives
  // 10 s: y's class is lower, but A holds no more than its guarantee, so x waits: 100-200.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 2),
                             {job("y", 0, 1, 100, 0, "A"), job("x", 10, 2, 100, 1, "B")},
                             "priority", Params{{"quotas", std::string("A=0.5")}});
  EXPECT_EQ(out["y"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].end), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].end), 200);
}

TEST(Priority, GpusReclaimedFromAHigherClassBorrowerGoToTheGuaranteedJob) {
  // One 2-GPU node; A guaranteed 1 GPU, B none. Preempt overhead 5 s, resume overhead 10 s.
  // x: B, class 1, 2 GPUs, 100 s, starts at 0 (borrowing). y: A, class 0, 1 GPU, 50 s, arrives
  // 10 s and reclaims x, which drains 10-15. 15 s: y, within its guarantee, goes before the
  // borrower x although x's class is higher: y 15-65; x cannot preempt y (A is within its
  // guarantee) and resumes at 65 with 90 s left after 10 s of overhead: 65-165. (Served by
  // class first, x took the GPUs back at 15 s and y reclaimed them again, for ever.)
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  config.resume_overhead = from_seconds(10);
  const auto out = test::run(test::single_cluster_fleet(1, 1, 2),
                             {job("x", 0, 2, 100, 1, "B"), job("y", 10, 1, 50, 0, "A")}, "priority",
                             Params{{"quotas", std::string("A=0.5")}}, "first_fit", config);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].first_start), 15);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].end), 65);
  EXPECT_EQ(out["x"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["x"].end), 165);
}

TEST(Priority, WithoutReclaimTheGuaranteedJobWaits) {
  // reclaim false: b1 waits for a free half: 100-150 (a1 and a2 both end at 100).
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), quota_jobs(), "priority",
                             Params{{"quotas", std::string("A=0.5, B=0.5")}, {"reclaim", false}});
  EXPECT_EQ(out["a2"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b1"].first_start), 100);
}

TEST(Priority, WithoutBorrowingATenantStaysWithinItsGuarantee) {
  // borrow false: a2 would take A to 8 > 4, so it waits although 4 GPUs are idle. a1 0-100;
  // b1 10-60 on the free half; 60 s: A still holds 4, a2 waits; 100 s: a2 100-200.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), quota_jobs(), "priority",
                             Params{{"quotas", std::string("A=0.5, B=0.5")}, {"borrow", false}});
  EXPECT_DOUBLE_EQ(test::seconds(out["b1"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["a2"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["a2"].end), 200);
}

TEST(Priority, RejectsMalformedQuotas) {
  const PolicyInfo* info = find_policy("priority");
  ASSERT_NE(info, nullptr);
  ASSERT_TRUE(info->validate);
  const auto problem = [&](const std::string& quotas) {
    return info->validate(make_params(*info, {{"quotas", quotas}}));
  };
  EXPECT_EQ(problem(""), "");
  EXPECT_EQ(problem("A=0.5, B=0.25"), "");
  EXPECT_EQ(problem("A=0.5, B"), "quotas[1]: expected tenant=share, got \"B\"");
  EXPECT_EQ(problem("A=lots"), "quotas[0]: A: expected a share in (0, 1], got \"lots\"");
  EXPECT_EQ(problem("A=0"), "quotas[0]: A: expected a share in (0, 1], got \"0\"");
  EXPECT_EQ(problem("A=0.5,A=0.1"), "quotas[1]: tenant A is listed twice");
  EXPECT_EQ(problem("A=0.75, B=0.5"), "quotas: shares sum to 1.25, more than 1");
}

}  // namespace
}  // namespace fleetsim
