// elastic: jobs with min_gpus..max_gpus admitted on their minimum, then grown into free GPUs by
// marginal gain; running jobs resized only at rounds. Hand-computed on one 8-GPU node.
#include <gtest/gtest.h>

#include "sim/model/elastic_scaling.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

JobSpec elastic_job(std::string name, double submit_s, std::uint32_t gpus, double duration_s,
                    std::uint32_t min, std::uint32_t max, float serial_fraction = 0) {
  JobSpec j = test::job(std::move(name), submit_s, gpus, duration_s);
  j.min_gpus = min;
  j.max_gpus = max;
  j.serial_fraction = serial_fraction;
  return j;
}

TEST(ElasticScaling, AmdahlSpeedupAgainstTheRequestedGang) {
  // s = 0.1: speedup(4) = 4 / 1.3; speedup(1) = 1. Linear when s = 0. Exactly 1 on `gpus`.
  EXPECT_DOUBLE_EQ(amdahl_speedup(0.1, 4), 4 / 1.3);
  EXPECT_DOUBLE_EQ(amdahl_speedup(0, 8), 8);
  const JobSpec j = elastic_job("a", 0, 2, 100, 1, 8, 0.1F);
  EXPECT_DOUBLE_EQ(elastic_speed(j, 2), 1.0);
  EXPECT_NEAR(elastic_speed(j, 4), (4 / (1 + 0.1F * 3.0)) / (2 / (1 + 0.1F * 1.0)), 1e-12);
}

TEST(Elastic, AJobAloneGrowsToItsMaximum) {
  // a: requested 2 GPUs for 800 s (1,600 GPU-s), runs on 1..8, linear. Alone on 8 GPUs it is
  // admitted on 1 and doubled 1 -> 2 -> 4 -> 8: rate 8/2 = 4, so 800 / 4 = 200 s. It holds
  // 8 x 200 = 1,600 GPU-s, its work. No resize: that was its first start.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {elastic_job("a", 0, 2, 800, 1, 8)}, "elastic");
  EXPECT_EQ(out["a"].gang, 8u);
  EXPECT_DOUBLE_EQ(out["a"].rate, 4.0);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 200);
  EXPECT_DOUBLE_EQ(out["a"].gpu_seconds, 1600);
  EXPECT_EQ(out["a"].resizes, 0u);
}

TEST(Elastic, AmdahlsLawSetsTheRate) {
  // a: requested 1 GPU for 100 s, runs on 1..4, serial fraction 0.1: on 4 GPUs the rate is
  // 4 / (1 + 0.1 x 3) = 3.0769..., so 100 x 1.3 / 4 = 32.5 s.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {elastic_job("a", 0, 1, 100, 1, 4, 0.1F)}, "elastic");
  EXPECT_EQ(out["a"].gang, 4u);
  EXPECT_NEAR(test::seconds(out["a"].end), 32.5, 1e-5);
}

TEST(Elastic, RunningJobsShrinkForArrivalsOnlyAtRounds) {
  // a: requested 4 GPUs for 400 s (1,600 GPU-s), runs on 1..8; b: rigid 4 GPUs, arrives 100 s,
  // runs 100 s. At 0 a gets 8 GPUs: rate 2.
  // round_s 600 (no round before a ends): b waits; a ends 400 / 2 = 200, b runs 200-300.
  // round_s 50: at the round at 100, a keeps 1 GPU, b takes 4, a grows 1 -> 2 -> 4 (8 does
  //   not fit): a resized to 4 after 200 s of its work at rate 2 -> 200 s left at rate 1.
  //   b runs 100-200. At the round at 150 nothing changes (a stays on its own 4 GPUs). At 200
  //   (b's end, also a round) a grows back to 8 with 300 done: 100 left at rate 2 -> ends 250.
  //   a: 2 resizes, held 8 x 100 + 4 x 100 + 8 x 50 = 1,600 GPU-s.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {elastic_job("a", 0, 4, 400, 1, 8),
                                     test::job("b", 100, 4, 100)};
  const auto slow = test::run(fleet, jobs, "elastic", {{"round_s", 600.0}});
  EXPECT_DOUBLE_EQ(test::seconds(slow["a"].end), 200);
  EXPECT_EQ(slow["a"].resizes, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(slow["b"].first_start), 200);
  EXPECT_DOUBLE_EQ(test::seconds(slow["b"].end), 300);

  const auto fast = test::run(fleet, jobs, "elastic", {{"round_s", 50.0}});
  EXPECT_DOUBLE_EQ(test::seconds(fast["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(fast["b"].end), 200);
  EXPECT_DOUBLE_EQ(test::seconds(fast["a"].end), 250);
  EXPECT_EQ(fast["a"].resizes, 2u);
  EXPECT_EQ(fast["a"].preemptions, 2u);  // a resize is a checkpoint-restart
  EXPECT_EQ(fast["a"].gang, 8u);
  EXPECT_DOUBLE_EQ(fast["a"].gpu_seconds, 1600);
  EXPECT_EQ(fast.totals.elastic.resizes, 2u);
}

TEST(Elastic, AResizePaysTheResumeOverhead) {
  // As above with round_s 50 and a 10 s resume overhead: after the shrink at 100, a computes
  // from 110 (200 left at rate 1 -> would end 310); at 200 it has done 90 more (290 of 400) and
  // grows back: progress from 210, 110 left at rate 2 -> ends 265.
  EngineConfig config = test::no_samples();
  config.resume_overhead = from_seconds(10);
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {elastic_job("a", 0, 4, 400, 1, 8), test::job("b", 100, 4, 100)},
                             "elastic", {{"round_s", 50.0}}, "first_fit", config);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 265);
  EXPECT_EQ(out["a"].resizes, 2u);
}

TEST(Elastic, ObjectiveDecidesWhoGrows) {
  // 8 GPUs, one GPU at a time (grow_step one), no round before the jobs end.
  // a: 1..8 GPUs, linear, 1,000 s on 1; b: 1..8, serial fraction 0.2, 100 s on 1. Both get 1.
  // throughput: a's next GPU always adds speedup 1, b's at most 2 / 1.2 - 1 = 0.67: a takes
  //   all 6 -> a on 7 (1,000 / 7 s), b on 1 (100 s).
  // jct: per GPU and per second of remaining work, a gains 1 / 1,000; b's 7th GPU still adds
  //   (7 / 2.2 - 6 / 2) / 100 = 0.0018 > 0.001: b takes all 6 -> b on 7, ends 100 x 2.2 / 7 s.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {elastic_job("a", 0, 1, 1000, 1, 8),
                                     elastic_job("b", 0, 1, 100, 1, 8, 0.2F)};
  const auto throughput = test::run(
      fleet, jobs, "elastic",
      {{"round_s", 1e6}, {"objective", std::string("throughput")}, {"grow_step", std::string("one")}});
  EXPECT_EQ(throughput["a"].gang, 7u);
  EXPECT_EQ(throughput["b"].gang, 1u);
  EXPECT_NEAR(test::seconds(throughput["a"].end), 1000.0 / 7, 1e-5);
  EXPECT_DOUBLE_EQ(test::seconds(throughput["b"].end), 100);
  const auto jct = test::run(fleet, jobs, "elastic",
                             {{"round_s", 1e6}, {"grow_step", std::string("one")}});
  EXPECT_EQ(jct["a"].gang, 1u);
  EXPECT_EQ(jct["b"].gang, 7u);
  EXPECT_NEAR(test::seconds(jct["b"].end), 100 * (1 + 0.2F * 6) / 7, 1e-5);
  EXPECT_DOUBLE_EQ(test::seconds(jct["a"].end), 1000);
}

TEST(Elastic, AdmitsOnTheMinimumBeforeGrowingAnyone) {
  // a: 4..8 GPUs (requested 4), b: 4..8, both 400 s, linear, arrive at 0: each gets its
  // minimum 4 and 4 -> 8 fits neither: both run 400 s on 4. A FIFO of rigid gangs would do
  // the same here; with max 8 and no b, a would have run on 8.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {elastic_job("a", 0, 4, 400, 4, 8), elastic_job("b", 0, 4, 400, 4, 8)},
                             "elastic");
  EXPECT_EQ(out["a"].gang, 4u);
  EXPECT_EQ(out["b"].gang, 4u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 400);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 400);
}

TEST(Elastic, OtherPoliciesRunElasticJobsOnTheirRequestedGang) {
  // fifo_backfill does not resize: a runs on its requested 2 GPUs, 800 s, rate 1.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {elastic_job("a", 0, 2, 800, 1, 8)}, "fifo_backfill");
  EXPECT_EQ(out["a"].gang, 2u);
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 800);
  EXPECT_DOUBLE_EQ(out["a"].gpu_seconds, 1600);
}

}  // namespace
}  // namespace fleetsim
