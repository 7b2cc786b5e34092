// fifo: arrival order with head-of-line blocking, checked against hand-computed start and end
// times on one 8-GPU node.
#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

TEST(Fifo, HeadOfLineBlocksSmallerJobBehind) {
  // 8 GPUs. a: 6 GPUs 0-100 s. b: 4 GPUs arrives 1 s, only 2 free -> waits for a.
  // c: 2 GPUs arrives 2 s; it would fit beside a but may not overtake b -> waits too.
  // 100 s: a ends; b starts (4 left), c starts (2 left). b ends 100+50 = 150, c 100+10 = 110.
  const auto out = test::run(
      test::single_cluster_fleet(1, 1, 8),
      {test::job("a", 0, 6, 100), test::job("b", 1, 4, 50), test::job("c", 2, 2, 10)}, "fifo");
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].end), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 150);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 110);
}

TEST(Fifo, StartsJobsInArrivalOrderAndKeepsBlockingAfterACompletion) {
  // 8 GPUs. a: 4 GPUs 0-100, b: 4 GPUs 0-50 (both fit at 0).
  // c: 8 GPUs arrives 10 s -> waits. d: 1 GPU arrives 20 s -> waits behind c.
  // 50 s: b ends, 4 free: c still does not fit, so d (which would) stays behind it.
  // 100 s: a ends -> c 100-120. 120 s: d 120-130.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8),
                             {test::job("a", 0, 4, 100), test::job("b", 0, 4, 50),
                              test::job("c", 10, 8, 20), test::job("d", 20, 1, 10)},
                             "fifo");
  EXPECT_DOUBLE_EQ(test::seconds(out["a"].first_start), 0);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 0);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 50);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 120);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 120);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 130);
}

}  // namespace
}  // namespace fleetsim
