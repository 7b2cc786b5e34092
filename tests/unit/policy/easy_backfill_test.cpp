// easy_backfill: the first job that does not fit gets a reservation (shadow time, extra GPUs)
// and later jobs backfill only if they cannot delay it; hand-computed times on small fleets.
#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

JobSpec with_estimate(JobSpec spec, double estimate_s) {
  spec.estimate = from_seconds(estimate_s);
  return spec;
}

TEST(EasyBackfill, ShortJobBackfillsAndLongJobIsRefused) {
  // 8 GPUs. a: 6 GPUs 0-100. b: 8 GPUs arrives 1 s -> head; 2 free now, a's estimated end is
  // 0 + 100 = 100 s, then 2 + 6 = 8 >= 8: shadow 100 s, extra 8 - 8 = 0.
  // c: 1 GPU, 50 s, arrives 2 s: ends 52 <= 100 -> backfills 2-52.
  // d: 1 GPU, 200 s, arrives 3 s: fits (1 free) but ends 203 > 100 and 1 > extra 0 -> refused;
  //   also refused at 52 s (252 > 100). 100 s: a ends -> b 100-110. 110 s: d 110-310.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 6, 100), test::job("b", 1, 8, 10),
                              test::job("c", 2, 1, 50), test::job("d", 3, 1, 200)},
                             "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 52);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 310);
}

TEST(EasyBackfill, LongJobMayUseExtraGpusOnceAndOnlyOnce) {
  // 8 GPUs. a: 4 GPUs 0-100. b: 6 GPUs arrives 1 s -> head; 4 free + a's 4 at 100 s = 8:
  // shadow 100 s, extra 8 - 6 = 2. At 2 s, in one pass:
  // c: 2 GPUs, 500 s: ends 502 > 100 but 2 <= extra 2 -> backfills 2-502, extra 0.
  // d: 1 GPU, 500 s: fits (2 free) but ends 502 > 100 and 1 > extra 0 -> refused.
  // 100 s: a ends, 6 free -> b 100-110 (0 left). 110 s: d 110-610.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 4, 100), test::job("b", 1, 6, 10),
                              test::job("c", 2, 2, 500), test::job("d", 2, 1, 500)},
                             "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 610);
}

TEST(EasyBackfill, JobsStartedInTheSamePassCountTowardsTheShadow) {
  // 8 GPUs, all submitted at 0 s, one pass: a (4 GPUs, 100 s) starts; b (8 GPUs) is the head:
  // 4 free + a's 4 at 0 + 100 s: shadow 100, extra 0. c (4 GPUs, 150 s) ends 150 > 100 ->
  // refused. b 100-110, c 110-260.
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {test::job("a", 0, 4, 100), test::job("b", 0, 8, 10), test::job("c", 0, 4, 150)},
                "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 260);
}

TEST(EasyBackfill, TrustsTheUserEstimateOfTheBackfillCandidate) {
  // 8 GPUs. a: 6 GPUs 0-100 -> b (8 GPUs, 1 s) gets shadow 100 s, extra 0.
  // Underestimate: c (2 GPUs, runs 300 s, says 50 s) arrives 2 s: "ends" 52 <= 100 -> starts
  //   2-302, and b, promised 100 s, waits for it: 302-312.
  // Overestimate: c (2 GPUs, runs 50 s, says 200 s): "ends" 202 > 100, 2 > 0 -> refused;
  //   b 100-110, then c 110-160.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const auto under = test::run(fleet,
                               {test::job("a", 0, 6, 100), test::job("b", 1, 8, 10),
                                with_estimate(test::job("c", 2, 2, 300), 50)},
                               "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(under["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(under["c"].end), 302);
  EXPECT_DOUBLE_EQ(test::seconds(under["b"].first_start), 302);

  const auto over = test::run(fleet,
                              {test::job("a", 0, 6, 100), test::job("b", 1, 8, 10),
                               with_estimate(test::job("c", 2, 2, 50), 200)},
                              "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(over["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(over["c"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(over["c"].end), 160);
}

TEST(EasyBackfill, ShadowTimeCountsFromWhenTheRunningJobStarted) {
  // 8 GPUs. a2: 4 GPUs 0-100. b2: 8 GPUs arrives 60 s -> head; 4 free, a2 has run 60 of its
  // 100 s, so it ends at 60 + (100 - 60) = 100 s (not 60 + 100): shadow 100 s, extra 0.
  // d: 4 GPUs, 40 s, arrives 61 s: ends 101 > 100 -> refused; b2 100-110, d 110-150.
  // d2: 4 GPUs, 39 s, arrives 61 s: ends 100 <= 100 -> backfills 61-100; b2 starts 100.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const auto late = test::run(
      fleet, {test::job("a2", 0, 4, 100), test::job("b2", 60, 8, 10), test::job("d", 61, 4, 40)},
      "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(late["b2"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(late["d"].first_start), 110);

  const auto just = test::run(
      fleet, {test::job("a2", 0, 4, 100), test::job("b2", 60, 8, 10), test::job("d2", 61, 4, 39)},
      "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(just["d2"].first_start), 61);
  EXPECT_DOUBLE_EQ(test::seconds(just["d2"].end), 100);
  EXPECT_DOUBLE_EQ(test::seconds(just["b2"].first_start), 100);
}

TEST(EasyBackfill, JobOnGpusTheHeadCannotUseNeverDelaysIt) {
  // One H100 node (8) and one A100 node (8, speed 0.5). a: 8 H100s 0-100. b: 8 H100s arrives
  // 1 s -> head, shadow 100 s, extra 0. c: 4 A100s, 100 reference s = 200 s on A100, arrives
  // 2 s: ends 202 > 100 and 4 > extra, but b cannot use A100s -> starts 2-202.
  // (Refused, it would start only after b, at 100 s, on the free A100s.)
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}});
  const GpuTypeId h100 = *fleet.catalog.find("H100");
  const GpuTypeId a100 = *fleet.catalog.find("A100");
  JobSpec a = test::job("a", 0, 8, 100);
  JobSpec b = test::job("b", 1, 8, 10);
  JobSpec c = test::job("c", 2, 4, 100);
  a.allowed_types = {h100};
  b.allowed_types = {h100};
  c.allowed_types = {a100};
  const auto out = test::run(fleet, {a, b, c}, "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 202);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
}

TEST(EasyBackfill, ACandidateThatDoesNotFitHoldsBackOnlyJobsOfItsShape) {
  // One H100 node (8) and one A100 node (8, speed 0.5). a: 8 H100s 0-100. b: 8 H100s arrives
  // 1 s -> head. c, d (1 H100 each, 5 s) arrive 2 s and 3 s: no H100 free. e (1 A100, 10 s =
  // 20 s on an A100) arrives 4 s: fits, and b cannot use A100s -> 4-24. 100 s: b 100-110; c
  // is the head then. 110 s: c and d 110-115.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}});
  const GpuTypeId h100 = *fleet.catalog.find("H100");
  const GpuTypeId a100 = *fleet.catalog.find("A100");
  std::vector<JobSpec> jobs = {test::job("a", 0, 8, 100), test::job("b", 1, 8, 10),
                               test::job("c", 2, 1, 5), test::job("d", 3, 1, 5),
                               test::job("e", 4, 1, 10)};
  for (std::size_t i = 0; i < 4; ++i) jobs[i].allowed_types = {h100};
  jobs[4].allowed_types = {a100};
  const auto out = test::run(fleet, jobs, "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["e"].first_start), 4);
  EXPECT_DOUBLE_EQ(test::seconds(out["e"].end), 24);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 115);
}

JobSpec share(JobSpec spec, std::uint16_t milli) {
  spec.gpu_milli = milli;
  return spec;
}

TEST(EasyBackfill, AGpuHoldingSharesIsNotFreeSoNoBackfillDelaysTheHead) {
  // 4 GPUs, first_fit. At 0 s: a (1 GPU, 0-100) on GPU 0; s1 and s2 (600 milli-GPUs each,
  // 0-1000) cannot share one GPU (1200 > 1000): GPUs 1 and 2. GPU 3 is free.
  // b (2 GPUs) arrives 1 s -> head: 1 GPU free now + a's at 100 s = 2: shadow 100 s, extra 0
  // (the shared GPUs free only at 1000 s). c (1 GPU, 5000 s) arrives 2 s: fits, but ends
  // 5002 > 100 and 1 > extra 0 -> refused. 100 s: a ends -> b 100-110; c 110-5110.
  // (Counting the two shared GPUs as free gave 3 >= 2 at 1 s: shadow 1 s, extra 1, so c took
  // GPU 3 at 2 s and b waited for the shares, to 1000 s.)
  const auto out = test::run(test::single_cluster_fleet(1, 1, 4),
                             {test::job("a", 0, 1, 100), share(test::job("s1", 0, 1, 1000), 600),
                              share(test::job("s2", 0, 1, 1000), 600), test::job("b", 1, 2, 10),
                              test::job("c", 2, 1, 5000)},
                             "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 5110);
}

TEST(EasyBackfill, AGpuHoldingSharesCountsForTheHeadWhenItsLastShareEnds) {
  // 2 GPUs, first_fit. At 0 s: a (1 GPU, 0-100) on GPU 0; s1 (500 milli, 0-150) opens GPU 1
  // and s2 (500 milli, 0-1000) shares it. b (2 GPUs) arrives 1 s -> head. c (1 GPU, 200 s)
  // arrives 2 s and does not fit. 100 s: a ends, GPU 0 is free; GPU 1 frees when its last share
  // ends (s2 at 1000 s, not s1 at 150 s): shadow 1000 s, extra 0. c ends 300 <= 1000 ->
  // backfills 100-300. b 1000-1010.
  // (Counting GPU 1 as free while it held shares made the shadow 100 s, and counting it when s1
  // ended made it 150 s: either refused c, which then waited for b, 1010-1210.)
  const auto out = test::run(test::single_cluster_fleet(1, 1, 2),
                             {test::job("a", 0, 1, 100), share(test::job("s1", 0, 1, 150), 500),
                              share(test::job("s2", 0, 1, 1000), 500), test::job("b", 1, 2, 10),
                              test::job("c", 2, 1, 200)},
                             "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 300);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 1000);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 1010);
}

TEST(EasyBackfill, AShareHeadCountsAGpuOnceItsEndedSharesLeaveRoomForIt) {
  // 2 GPUs, first_fit. At 0 s: a (1 GPU, 0-100) on GPU 0; s1 (600 milli, 0-50) opens GPU 1 and
  // s2 (300 milli, 0-1000) shares it: 900 milli used. h (500 milli, 10 s) arrives 1 s: no room
  // (900 + 500 > 1000) -> head. Walk by estimated end: s1 ends at 50 s, leaving 300 + 500 <= 1000:
  // shadow 50 s, extra 0.
  // c (100 milli, 40 s) arrives 2 s: fits GPU 1 (1000), ends 42 <= 50 -> backfills 2-42.
  // d (100 milli, 40 s) arrives 43 s: fits, but ends 83 > 50 and 1 > extra 0 -> refused.
  // 50 s: s1 ends -> h 50-60 (800 milli), d 50-90 (900 milli).
  // (Counting GPU 1 only when its last share ends, as for a whole-GPU head, put the shadow at a's
  // end, 100 s: d then backfilled at 43 s.)
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 2),
                {test::job("a", 0, 1, 100), share(test::job("s1", 0, 1, 50), 600),
                 share(test::job("s2", 0, 1, 1000), 300), share(test::job("h", 1, 1, 10), 500),
                 share(test::job("c", 2, 1, 40), 100), share(test::job("d", 43, 1, 40), 100)},
                "easy_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 42);
  EXPECT_DOUBLE_EQ(test::seconds(out["h"].first_start), 50);
  EXPECT_DOUBLE_EQ(test::seconds(out["h"].end), 60);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 50);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 90);
}

}  // namespace
}  // namespace fleetsim
