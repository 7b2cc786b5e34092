// srtf: preemptive shortest remaining time first; a running job is preempted only for a
// strictly shorter one (by more than min_gain_s). Hand-computed times on one 8-GPU node.
#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

TEST(Srtf, ShorterArrivalPreemptsLongerRunningJob) {
  // 8 GPUs. a: 8 GPUs 0 s, 100 s. b: 8 GPUs arrives 10 s, 20 s: 20 < a's 90 left -> a is
  // preempted, b 10-30. 30 s: a resumes with 90 s left -> ends 120.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 8, 100), test::job("b", 10, 8, 20)}, "srtf");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 30);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 120);
}

TEST(Srtf, EqualRemainingTimeDoesNotPreempt) {
  // a: 8 GPUs 0-100. b: 8 GPUs arrives 10 s with 90 s = a's 90 s left -> no preemption:
  // b 100-190.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 8, 100), test::job("b", 10, 8, 90)}, "srtf");
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 190);
}

TEST(Srtf, MinGainRequiresAMarginBeforePreempting) {
  // a: 8 GPUs 0-100. b: 8 GPUs arrives 10 s, 80 s; a has 90 s left.
  // min_gain_s 10: 80 + 10 = 90 is not < 90 -> b 100-180.
  // min_gain_s 5: 80 + 5 = 85 < 90 -> b 10-90, a resumes 90 -> 180.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {test::job("a", 0, 8, 100), test::job("b", 10, 8, 80)};
  const auto wide = test::run(fleet, jobs, "srtf", {{"min_gain_s", 10.0}});
  EXPECT_EQ(wide["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(wide["b"].first_start), 100);
  const auto narrow = test::run(fleet, jobs, "srtf", {{"min_gain_s", 5.0}});
  EXPECT_EQ(narrow["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(narrow["b"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(narrow["b"].end), 90);
  EXPECT_DOUBLE_EQ(test::seconds(narrow["a"].end), 180);
}

TEST(Srtf, PreemptsOnlyTheLongestJobItNeeds) {
  // 8 GPUs. a: 4 GPUs 0-100, c: 4 GPUs 0-200. b: 4 GPUs arrives 10 s, 50 s.
  // Left at 10 s: b 50, a 90, c 190 -> plan b, a; c is preempted, b 10-60.
  // 60 s: c resumes with 190 s left -> 250. a never stops -> 100.
  const auto out = test::run(
      test::single_cluster_fleet(1, 1, 8),
      {test::job("a", 0, 4, 100), test::job("c", 0, 4, 200), test::job("b", 10, 4, 50)}, "srtf");
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 100);
  EXPECT_EQ(out["c"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 250);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 10);
}

TEST(Srtf, PreemptsOnlyJobsLeftOutOfThePlan) {
  // 8 GPUs, first_fit. r1: 1 GPU 0 s, 110 s (GPU 0); r2: 4 GPUs 1 s, 100 s (GPUs 1-4);
  // r3: 3 GPUs 2 s, 25 s (GPUs 5-7). q: 4 GPUs arrives 10 s, 10 s.
  // Left at 10 s: q 10, r3 17, r2 91, r1 100. Plan: q 4, r3 3 (7), r2 4 no, r1 1 (8).
  // So only r2 is a victim, although r1 is the longest: q 10-20 on GPUs 1-4.
  // (Taking the longest first would free GPU 0 and 1-4, and q would take 0-3: both preempted.)
  // 20 s: r2 resumes with 91 s left -> 111. r1 runs through -> 110.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("r1", 0, 1, 110), test::job("r2", 1, 4, 100),
                              test::job("r3", 2, 3, 25), test::job("q", 10, 4, 10)},
                             "srtf");
  EXPECT_DOUBLE_EQ(test::seconds(out["q"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["q"].end), 20);
  EXPECT_EQ(out["r1"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r1"].end), 110);
  EXPECT_EQ(out["r2"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r2"].end), 111);
}

TEST(Srtf, PlansFromTheFreeGpusThePassBeganWithWhenALaterJobMustPreempt) {
  // 8 GPUs, first_fit. a: 4 GPUs 0 s, 100 s (GPUs 0-3); r: 2 GPUs 0 s, 200 s (GPUs 4-5).
  // 10 s: b (2 GPUs, 10 s) and c (4 GPUs, 20 s) arrive; only GPUs 6-7 are free.
  // b fits on 6-7 without a plan; c does not, so the pass plans, from 6-7 free again:
  // left b 10, c 20, a 90, r 190 -> b 0-1, c 2-5, a no, r 6-7: only a is a victim.
  // b 10-20 on 6-7; a preempted, c 10-30 on 0-3. (Planning with b's GPUs still taken would
  // leave r out of the plan too, and b would preempt r.)
  // 20 s: a (90 left) needs 4, 6-7 free; plan a 4-7, r no -> r preempted, a 20-110.
  // 30 s: c ends; r resumes on 0-1 with 180 s left -> 210.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 4, 100), test::job("r", 0, 2, 200),
                              test::job("b", 10, 2, 10), test::job("c", 10, 4, 20)},
                             "srtf");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 20);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 30);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 110);
  EXPECT_EQ(out["r"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r"].first_start), 0);
  EXPECT_DOUBLE_EQ(test::seconds(out["r"].end), 210);
}
TEST(Srtf, NonPreemptibleJobKeepsRunning) {
  // a: 8 GPUs 0-100, not preemptible. b: 4 GPUs arrives 10 s, 5 s -> waits: 100-105.
  JobSpec a = test::job("a", 0, 8, 100);
  a.preemptible = false;
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8), {a, test::job("b", 10, 4, 5)}, "srtf");
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 105);
}

TEST(Srtf, WithPreemptOverheadWaitsForDrainingGpusWithoutPreemptingMore) {
  // Preempt overhead 5 s. a: 8 GPUs 0 s, 100 s. b: 8 GPUs arrives 10 s, 20 s -> a preempted,
  // drains 10-15. c: 1 GPU arrives 12 s, 1 s: the only GPUs are a's draining ones -> waits;
  // nothing else is preempted. 15 s: a requeued (90 s left); order c 1, b 20, a 90:
  // c 15-16, b does not fit beside it. 16 s: b 16-36. 36 s: a 36-126.
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {test::job("a", 0, 8, 100), test::job("b", 10, 8, 20), test::job("c", 12, 1, 1)},
                "srtf", {}, "first_fit", config);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 15);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 16);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 36);
  EXPECT_EQ(out["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 126);
}

TEST(Srtf, DrainingGpusCountForTheJobTheyWereFreedFor) {
  // Preempt overhead 5 s. a: 4 GPUs 0 s, 100 s; z: 4 GPUs 0 s, 200 s.
  // 10 s: b (4 GPUs, 20 s): left b 20, a 90, z 190 -> z preempted, drains 10-15, b waits.
  // 12 s: c (4 GPUs, 95 s): planning with z's draining GPUs, b takes them and a (88) keeps its
  //   own, so c (95) is left out and a is not preempted a second time for b.
  // 15 s: b 15-35. 35 s: c 35-130 (a has 65 left, z 190). 100 s: a ends; z 100-290.
  EngineConfig config;
  config.preempt_overhead = from_seconds(5);
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 4, 100), test::job("z", 0, 4, 200),
                              test::job("b", 10, 4, 20), test::job("c", 12, 4, 95)},
                             "srtf", {}, "first_fit", config);
  EXPECT_EQ(out["a"].preemptions, 0u);
  EXPECT_EQ(out["z"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 15);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 35);
  EXPECT_DOUBLE_EQ(test::seconds(out["z"].end), 290);
}

TEST(Srtf, RejectsANegativeMinGain) {
  const PolicyInfo* info = find_policy("srtf");
  ASSERT_NE(info, nullptr);
  ASSERT_TRUE(info->validate);
  EXPECT_EQ(info->validate(make_params(*info, {})), "");
  EXPECT_NE(info->validate(make_params(*info, {{"min_gain_s", -1.0}})), "");
}

}  // namespace
}  // namespace fleetsim
