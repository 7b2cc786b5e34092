// fifo_backfill: arrival order, skipping jobs that do not fit, with no reservation; checked
// against hand-computed times on one 8-GPU node.
#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

TEST(FifoBackfill, SmallerJobOvertakesOneThatDoesNotFit) {
  // 8 GPUs. a: 6 GPUs 0-100. b: 4 GPUs arrives 1 s, 2 free -> skipped.
  // c: 2 GPUs arrives 2 s, fits beside a -> 2-12. 100 s: a ends -> b 100-150.
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {test::job("a", 0, 6, 100), test::job("b", 1, 4, 50), test::job("c", 2, 2, 10)},
                "fifo_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 12);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 150);
}

TEST(FifoBackfill, StartsEveryJobThatFitsInArrivalOrder) {
  // 8 GPUs. a: 8 GPUs 0-10. At 1 s b (6 GPUs), c (4), d (2) arrive, 10 s each, and wait.
  // 10 s: a ends; b fits (2 left), c does not (skipped), d fits (0 left): b, d 10-20.
  // 20 s: c 20-30.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 8, 10), test::job("b", 1, 6, 10),
                              test::job("c", 1, 4, 10), test::job("d", 1, 2, 10)},
                             "fifo_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 10);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 20);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 20);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 30);
}

TEST(FifoBackfill, HasNoReservationSoALongBackfillDelaysTheWaitingJob) {
  // 8 GPUs. a: 4 GPUs 0-100. b: 8 GPUs arrives 1 s -> waits.
  // c: 4 GPUs, 200 s, arrives 2 s: fits now, so it starts 2-202 although that delays b.
  // 100 s: a ends, 4 free: b still waits. 202 s: c ends -> b 202-212.
  const auto out =
      test::run(test::single_cluster_fleet(1, 1, 8),
                {test::job("a", 0, 4, 100), test::job("b", 1, 8, 10), test::job("c", 2, 4, 200)},
                "fifo_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 2);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 202);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 212);
}

TEST(FifoBackfill, AJobThatDoesNotFitSkipsOnlyJobsOfItsOwnShape) {
  // Two sites of one 8-GPU node. a (site0 only, 8 GPUs) holds site0 for 0-100. At 1 s arrive,
  // in this order: b (4 GPUs, site0 only) -> does not fit; c (4, site0 only): same shape as b,
  // skipped in the pass; d (4, any site) -> same size, other shape: starts at site1 1-11;
  // e (4, site1 only) -> fits beside d, 1-21. At 100 s: b and c start at site0, 100-110.
  const Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  std::vector<JobSpec> jobs = {test::job("a", 0, 8, 100), test::job("b", 1, 4, 10),
                               test::job("c", 1, 4, 10), test::job("d", 1, 4, 10),
                               test::job("e", 1, 4, 20)};
  for (const char* name : {"a", "b", "c"}) {
    jobs[static_cast<std::size_t>(name[0] - 'a')].allowed_sites = 0b01;
  }
  jobs[4].allowed_sites = 0b10;
  const auto out = test::run(fleet, std::move(jobs), "fifo_backfill");
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 1);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 11);
  EXPECT_DOUBLE_EQ(test::seconds(out["e"].first_start), 1);
  EXPECT_DOUBLE_EQ(test::seconds(out["e"].end), 21);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 110);
}

}  // namespace
}  // namespace fleetsim
