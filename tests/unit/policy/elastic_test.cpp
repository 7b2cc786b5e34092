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

TEST(Elastic, ARunningJobKeptAtItsSizeKeepsItsGpus) {
  // 16 GPUs on one node, round_s 50, 10 s resume overhead, linear scaling, grow_step double.
  // r1: 8 GPUs requested, 200 s, runs on 2..8; r2: the same but 1,000 s; both arrive at 0 and get
  // 8: r1 on GPUs 0, 1, 4-9, r2 on 2, 3, 10-15 (each admitted on 2, then doubled by first_fit).
  // w: rigid, 4 GPUs, 100 s, arrives 10 s: nothing free, it waits for the round at 50.
  // Round at 50: both keep 2, w takes 4, then the growth goes to r1 (150 s left against 950:
  // the larger gain per GPU and per second left) up to 8, and r2 gets the last 2 -> 4.
  // Sizes: r1 8 (as before), r2 4, w 4. r1 keeps its own GPUs, so it does not restart: it ends at
  // 200. r2 keeps 2, 3, 10, 11 and w runs on 12-15, 50-150.
  // r2: 50 s done at rate 1; restarts at 50, computes from 60 at rate 4 / 8 = 0.5 -> 95 done at
  // the round at 150, where w's 4 GPUs let it grow back to 8: computes from 160 at rate 1 with
  // 905 s left -> ends 1,065. Two resizes.
  // (Placed first, w took GPUs 4-7, r1's, and r1 came back at its size on others: a restart for
  // nothing, with a preemption counted and 10 s lost: it ended at 210.)
  EngineConfig config = test::no_samples();
  config.resume_overhead = from_seconds(10);
  const auto out = test::run(test::single_cluster_fleet(1, 1, 16),
                             {elastic_job("r1", 0, 8, 200, 2, 8),
                              elastic_job("r2", 0, 8, 1000, 2, 8), test::job("w", 10, 4, 100)},
                             "elastic", {{"round_s", 50.0}}, "first_fit", config);
  EXPECT_EQ(out["r1"].preemptions, 0u);
  EXPECT_EQ(out["r1"].resizes, 0u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r1"].end), 200);
  EXPECT_DOUBLE_EQ(test::seconds(out["w"].first_start), 50);
  EXPECT_DOUBLE_EQ(test::seconds(out["w"].end), 150);
  EXPECT_EQ(out["r2"].resizes, 2u);
  EXPECT_EQ(out["r2"].gang, 8u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r2"].end), 1065);
}

TEST(Elastic, AJobMovesAtItsSizeWhenOnlyItsGpusPlaceTheAdmittedJob) {
  // Node 0: 8 H100 (GPUs 0-7); node 1: 8 A100 (8-15, speed 0.5). round_s 50.
  // r1: 8 GPUs requested, 400 s, runs on 4..8 of any type: alone at 0 it gets H100s 0-7, rate 1.
  // w: rigid, 4 H100s only, 100 s, arrives 10 s: no H100 free, it waits for the round at 50.
  // Round at 50 (50 s of r1 done): r1 keeps 4 (0-3), w takes 4-7, and r1 grows back to 8 on the
  // only type with 8 free GPUs, A100 8-15. Kept on its own H100s, r1 would leave no H100 for w:
  // that plan cannot place w, so the move stands. r1 restarts on the A100s at rate 0.5: 350 s
  // left -> 700 s, ends 750 (later rounds keep it there: growth does not weigh speed).
  // w runs 50-150.
  const auto fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}});
  JobSpec w = test::job("w", 10, 4, 100);
  w.allowed_types = {*fleet.catalog.find("H100")};
  const auto out =
      test::run(fleet, {elastic_job("r1", 0, 8, 400, 4, 8), w}, "elastic", {{"round_s", 50.0}});
  EXPECT_DOUBLE_EQ(test::seconds(out["w"].first_start), 50);
  EXPECT_DOUBLE_EQ(test::seconds(out["w"].end), 150);
  EXPECT_EQ(out["r1"].preemptions, 1u);
  EXPECT_EQ(out["r1"].resizes, 0u);
  EXPECT_EQ(out["r1"].gang, 8u);
  EXPECT_DOUBLE_EQ(test::seconds(out["r1"].end), 750);
}

}  // namespace
}  // namespace fleetsim
