// las: Tiresias-style discretised least attained service. Demotion at a threshold crossing,
// preemption of lower-priority queues only, gpu_time vs run_time service, promotion of starved
// jobs and skip_blocked; hand-computed times on one 8-GPU node, and on two or three sites for
// jobs that may run only at some of them.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using Params = std::map<std::string, ParamValue>;

Params run_time_thresholds(std::vector<double> thresholds) {
  return {{"thresholds", std::move(thresholds)}, {"service", std::string("run_time")}};
}

TEST(Las, DemotedJobIsPreemptedAtItsThresholdCrossing) {
  // thresholds [100] run_time. a: 8 GPUs 0 s, 300 s (queue 0). b: 8 GPUs arrives 50 s, 50 s:
  // queue 0 too, so it waits (same queue, no preemption). 100 s: a has 100 s of service ->
  // queue 1 (the policy asked to be woken then); b preempts it: b 100-150.
  // 150 s: a resumes with 200 s left -> 350.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 8, 300), test::job("b", 50, 8, 50)}, "las",
                             run_time_thresholds({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 150);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 350);
}

TEST(Las, GpuTimeServiceDemotesWideJobsSooner) {
  // thresholds [400]. a: 4 GPUs 0 s, 300 s. b: 8 GPUs arrives 150 s, 50 s.
  // gpu_time: a's service is 4 GPU-s per s -> 400 at 100 s -> queue 1; at 150 s b (queue 0)
  //   preempts it: b 150-200; a resumes with 150 s left -> 350.
  // run_time: a's service at 150 s is 150 < 400 -> same queue as b: b waits, a ends 300,
  //   b 300-350.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {test::job("a", 0, 4, 300), test::job("b", 150, 8, 50)};
  const auto gpu_time =
      test::run(fleet, jobs, "las",
                {{"thresholds", std::vector<double>{400}}, {"service", std::string("gpu_time")}});
  EXPECT_DOUBLE_EQ(test::seconds(gpu_time["b"].first_start), 150);
  EXPECT_EQ(gpu_time["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(gpu_time["a"].end), 350);

  const auto run_time = test::run(fleet, jobs, "las", run_time_thresholds({400}));
  EXPECT_EQ(run_time["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(run_time["a"].end), 300);
  EXPECT_DOUBLE_EQ(test::seconds(run_time["b"].first_start), 300);
}

TEST(Las, StarvedJobIsPromotedToTheTopQueue) {
  // thresholds [100] run_time; a: 8 GPUs 0 s, 300 s; b: 8 GPUs arrives 50 s, 150 s.
  // Without promotion: 100 s a -> queue 1, b preempts it, b 100-250 (b reaches queue 1 at
  //   200 s, level with the waiting a: no preemption); a resumes 250 with 200 s left -> 450.
  // promote_after_s 60:
  //   100 s: as above; a waits in queue 1 from 100 s.
  //   160 s: a promoted to queue 0, service 0 again; b is in queue 0 too: no preemption.
  //   200 s: b has 100 s -> queue 1 -> a preempts it (a 200-; crosses again at 300 s).
  //   260 s: b (waiting since 200 s) promoted to queue 0; a in queue 0: no preemption.
  //   300 s: a demoted -> b preempts it: b resumes with 50 s left -> 350.
  //   350 s: a resumes with 300 - 100 - 100 = 100 s left -> 450.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {test::job("a", 0, 8, 300), test::job("b", 50, 8, 150)};
  const auto off = test::run(fleet, jobs, "las", run_time_thresholds({100}));
  EXPECT_DOUBLE_EQ(test::seconds(off["b"].end), 250);
  EXPECT_EQ(off["a"].preemptions, 1u);
  EXPECT_EQ(off["b"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(off["a"].end), 450);

  Params promote = run_time_thresholds({100});
  promote["promote_after_s"] = 60.0;
  const auto on = test::run(fleet, jobs, "las", promote);
  EXPECT_DOUBLE_EQ(test::seconds(on["b"].first_start), 100);
  EXPECT_EQ(on["a"].preemptions, 2u);
  EXPECT_EQ(on["b"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(on["b"].end), 350);
  EXPECT_DOUBLE_EQ(test::seconds(on["a"].end), 450);
}

TEST(Las, SkipBlockedLetsJobsBehindABlockedOneStart) {
  // Default thresholds [3600] gpu_time (nobody crosses). a: 6 GPUs 0-100. b: 4 GPUs arrives
  // 1 s -> does not fit, no lower-priority victim. c: 2 GPUs arrives 2 s, 10 s.
  // skip_blocked true: c starts beside a, 2-12; b 100-110.
  // skip_blocked false: c waits behind b; 100 s: b and c 100-110.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {test::job("a", 0, 6, 100), test::job("b", 1, 4, 10),
                                     test::job("c", 2, 2, 10)};
  const auto skip = test::run(fleet, jobs, "las", {{"skip_blocked", true}});
  EXPECT_DOUBLE_EQ(test::seconds(skip["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(skip["b"].first_start), 100);
  const auto strict = test::run(fleet, jobs, "las", {{"skip_blocked", false}});
  EXPECT_DOUBLE_EQ(test::seconds(strict["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(strict["b"].first_start), 100);
}

TEST(Las, PreemptsTheLowestPriorityQueueFirst) {
  // thresholds [100, 200] run_time. a: 4 GPUs 0 s, 1000 s; b: 4 GPUs 50 s, 1000 s.
  // c: 4 GPUs arrives 220 s, 10 s. Then a has 220 s (queue 2), b 170 s (queue 1): a is the
  // victim although b started later. c 220-230; a resumes with 780 s left -> 1010; b -> 1050.
  const auto out = test::run(
      test::single_cluster_fleet(1, 1, 8),
      {test::job("a", 0, 4, 1000), test::job("b", 50, 4, 1000), test::job("c", 220, 4, 10)}, "las",
      run_time_thresholds({100, 200}));
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 220);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_EQ(out["b"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 1010);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 1050);
}

TEST(Las, PreemptsTheMostRecentlyStartedJobWithinAQueue) {
  // thresholds [100] run_time. a: 4 GPUs 0 s, 1000 s; b: 4 GPUs 50 s, 1000 s; both in queue 1
  // by 150 s. c: 4 GPUs arrives 200 s, 10 s: b started later -> b is the victim. c 200-210;
  // b resumes with 850 s left -> 1060; a -> 1000.
  const auto out = test::run(
      test::single_cluster_fleet(1, 1, 8),
      {test::job("a", 0, 4, 1000), test::job("b", 50, 4, 1000), test::job("c", 200, 4, 10)}, "las",
      run_time_thresholds({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 200);
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_EQ(out["b"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 1060);
}

TEST(Las, GivesBackVictimsThePlacementDidNotNeed) {
  // thresholds [100] run_time, first_fit. v2: 4 GPUs 0 s, 1000 s (GPUs 0-3); v1: 2 GPUs 10 s,
  // 1000 s (GPUs 4-5); s: 2 GPUs 20 s, 1000 s (GPUs 6-7). q: 4 GPUs arrives 115 s, 10 s.
  // At 115 s v2 (115 s) and v1 (105 s) are in queue 1, s (95 s) in queue 0. Victims, most
  // recent first: v1 (2 free, not enough), then v2 (6 free); q takes GPUs 0-3, so v1's GPUs
  // were not needed and v1 keeps running. q 115-125; v2 resumes with 885 s left -> 1010.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("v2", 0, 4, 1000), test::job("v1", 10, 2, 1000),
                              test::job("s", 20, 2, 1000), test::job("q", 115, 4, 10)},
                             "las", run_time_thresholds({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["q"].first_start), 115);
  EXPECT_EQ(out["v1"].preemptions, 0u);
  EXPECT_EQ(out["s"].preemptions, 0u);
  EXPECT_EQ(out["v2"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["v2"].end), 1010);
}

TEST(Las, DoesNotPreemptWhenReleasingVictimsWouldNotMakeRoom) {
  // thresholds [100] run_time. a: 4 GPUs 0 s, 500 s (queue 1 from 100 s); n: 4 GPUs 0 s,
  // 500 s, not preemptible. c: 8 GPUs arrives 200 s: a's 4 GPUs are not enough -> a keeps
  // running; c 500-510.
  JobSpec n = test::job("n", 0, 4, 500);
  n.preemptible = false;
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 4, 500), n, test::job("c", 200, 8, 10)}, "las",
                             run_time_thresholds({100}));
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 500);
}

TEST(Las, WithPreemptOverheadStartsTheJobWhenTheVictimsGpusAreReleased) {
  // Preempt overhead 5 s; thresholds [100] run_time. a: 8 GPUs 0 s, 300 s; b: 8 GPUs 150 s,
  // 50 s: a (queue 1) preempted at 150, drains 150-155. c: 1 GPU arrives 152 s, 10 s: b holds
  // the draining GPUs, nothing else is preempted. 155 s: b 155-205 (c does not fit beside it).
  // 205 s: c (queue 0) 205-215 first; a (queue 1, 8 GPUs) waits: 215 s, 150 s left -> 365.
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {test::job("a", 0, 8, 300), test::job("b", 150, 8, 50), test::job("c", 152, 1, 10)},
                "las", run_time_thresholds({100}), "first_fit", config);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 155);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 205);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 365);
}

TEST(Las, JobWaitingForDrainingGpusNeitherPreemptsMoreNorLosesThem) {
  // Preempt overhead 5 s; thresholds [100] run_time. a, z: 4 GPUs each, 0 s, 1000 s (queue 1
  // from 100 s). b: 4 GPUs arrives 150 s, 10 s -> preempts z (the later started: same start,
  // larger id), z drains 150-155.
  // 152 s: d (8 GPUs, 10 s) arrives. b waits for z's draining GPUs, so it does not preempt a
  //   too; d cannot make room (a's 4 GPUs are not enough).
  // 155 s: b 155-165. 165 s: d preempts a (4 free + a's 4), a drains 165-170; the 4 free GPUs
  //   are promised to d, so z (queue 1) may not take them. 170 s: d 170-180.
  // 180 s: a (id 0) and z restart: a has 1000 - 165 = 835 s left -> 1015, z 850 s -> 1030.
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 4, 1000), test::job("z", 0, 4, 1000),
                              test::job("b", 150, 4, 10), test::job("d", 152, 8, 10)},
                             "las", run_time_thresholds({100}), "first_fit", config);
  EXPECT_EQ(out["z"].preemptions, 1u);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 155);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 170);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 180);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 1015);
  EXPECT_DOUBLE_EQ(test::seconds(out["z"].end), 1030);
}

TEST(Las, PreemptsTheMostRecentlyStartedJobAtASiteTheJobMayRunAt) {
  // Three sites of one 8-GPU node each; thresholds [100] run_time. p (site 0 only) starts at
  // 0 s, q (site 2 only) at 10 s, r (site 1 only) at 20 s, 8 GPUs and 1000 s each: all in
  // queue 1 by 120 s. c: 8 GPUs, sites 0 or 1, arrives 300 s, 50 s. Victims it could use, most
  // recent first: r (q is more recent but at site 2), then p. c takes r's node, 300-350; r
  // resumes with 1000 - 280 = 720 s left -> 1070; p and q are not touched.
  JobSpec p = test::job("p", 0, 8, 1000);
  p.allowed_sites = 1U << 0;
  JobSpec q = test::job("q", 10, 8, 1000);
  q.allowed_sites = 1U << 2;
  JobSpec r = test::job("r", 20, 8, 1000);
  r.allowed_sites = 1U << 1;
  JobSpec c = test::job("c", 300, 8, 50);
  c.allowed_sites = 1U << 0 | 1U << 1;
  const auto out = test::run(test::fleet_of({{0, 1, 1, 8}, {1, 1, 1, 8}, {2, 1, 1, 8}}),
                             {p, q, r, c}, "las", run_time_thresholds({100}));
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 300);
  EXPECT_EQ(out["c"].site, SiteId{1});
  EXPECT_EQ(out["r"].preemptions, 1u);
  EXPECT_EQ(out["p"].preemptions, 0u);
  EXPECT_EQ(out["q"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r"].end), 1070);
  EXPECT_DOUBLE_EQ(test::seconds(out["p"].end), 1000);
}

TEST(Las, AJobThatFailedBeforeAPreemptionInThePassIsNotTriedAgainAfterIt) {
  // Two sites of one 8-GPU node each; preempt overhead 5 s; thresholds [100] run_time.
  // n: 8 GPUs at site 0, not preemptible, 0-300. w and v: 4 GPUs each at site 1, from 0 s and
  // 10 s, 1000 s (queue 1 from 100 and 110 s). At 200 s arrive, in this order: x1 and x2 (2
  // GPUs, site 0 only), y (1 GPU, site 1 only), z (2 GPUs, site 1 only).
  // - x1: site 0 is full and has no victim: it cannot start; x2, the same shape, neither.
  // - y preempts v (most recent), which drains 200-205; y waits for 1 of v's 4 GPUs.
  // - z waits for 2 more of them: no second victim. (Trying x2 again after y's preemption,
  //   out of its turn, would promise it 2 of them, and z would then preempt w.)
  // 205 s: y and z start on v's GPUs, 205-215; v waits for 4 GPUs: 215 s, with 1000 - 190 =
  // 810 s left -> 1025. 300 s: x1 and x2 start on n's node, 300-310.
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  JobSpec n = test::job("n", 0, 8, 300);
  n.preemptible = false;
  n.allowed_sites = 1U << 0;
  std::vector<JobSpec> jobs = {n, test::job("w", 0, 4, 1000), test::job("v", 10, 4, 1000)};
  for (const auto& [name, gpus, site] : {std::tuple{"x1", 2U, 0}, std::tuple{"x2", 2U, 0},
                                         std::tuple{"y", 1U, 1}, std::tuple{"z", 2U, 1}}) {
    jobs.push_back(test::job(name, 200, gpus, 10));
    jobs.back().allowed_sites = 1U << site;
  }
  jobs[1].allowed_sites = jobs[2].allowed_sites = 1U << 1;
  const auto out = test::run(test::fleet_of({{0, 1, 1, 8}, {1, 1, 1, 8}}), jobs, "las",
                             run_time_thresholds({100}), "first_fit", config);
  EXPECT_EQ(out["w"].preemptions, 0u);
  EXPECT_EQ(out["v"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["y"].first_start), 205);
  EXPECT_DOUBLE_EQ(test::seconds(out["z"].first_start), 205);
  EXPECT_DOUBLE_EQ(test::seconds(out["v"].end), 1025);
  EXPECT_DOUBLE_EQ(test::seconds(out["x1"].first_start), 300);
  EXPECT_DOUBLE_EQ(test::seconds(out["x2"].first_start), 300);
  EXPECT_DOUBLE_EQ(test::seconds(out["w"].end), 1000);
}

TEST(Las, ValidateRequiresPositiveAscendingThresholds) {
  const PolicyInfo* info = find_policy("las");
  ASSERT_NE(info, nullptr);
  ASSERT_TRUE(info->validate);
  auto check = [&](std::vector<double> thresholds) {
    return info->validate(make_params(*info, {{"thresholds", std::move(thresholds)}}));
  };
  EXPECT_EQ(check({100, 200}), "");
  EXPECT_EQ(check({}), "");
  EXPECT_NE(check({200, 100}), "");
  EXPECT_NE(check({100, 100}), "");
  EXPECT_NE(check({0}), "");
  EXPECT_NE(check({-5, 10}), "");
  EXPECT_NE(info->validate(make_params(*info, {{"promote_after_s", -1.0}})), "");
}

}  // namespace
}  // namespace fleetsim
