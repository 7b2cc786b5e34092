// The itp reader on the first three rows of ITP cluster10.csv: integer seconds, tenant = the
// file's cluster, time zero at the earliest submit.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

TEST(ItpTrace, RowsBecomeJobsOfTheFilesCluster) {
  const TraceReadResult r = test::read_excerpt(test::excerpt_options("itp", "cluster10.csv"));
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.time_origin_s, 2266647.0);
  EXPECT_EQ(r.jobs[0].name, "5dc7d9cd-c300-9a4f-c3cd-dc2cc0935548");
  EXPECT_EQ(r.jobs[0].submit, 0);
  EXPECT_EQ(r.jobs[0].duration, 604'000'000);
  EXPECT_EQ(r.jobs[0].gpus, 16u);
  EXPECT_EQ(r.jobs[0].tenant, "cluster10");
  EXPECT_EQ(r.jobs[1].submit, 105'038'000'000);  // 2371685 - 2266647 = 105038 s
  EXPECT_EQ(r.jobs[1].duration, 767'000'000);
  EXPECT_EQ(r.jobs[2].submit, 443'200'000'000);  // 2709847 - 2266647 = 443200 s
  EXPECT_EQ(r.jobs[2].duration, 68'253'000'000);
  EXPECT_EQ(r.jobs[2].gpus, 2u);
}

TEST(ItpTrace, WindowOnTheTraceClock) {
  TraceOptions o = test::excerpt_options("itp", "cluster10.csv");
  o.window_start_s = 2300000;  // leaves out the first row; t=0 is 2300000
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].submit, 71'685'000'000);  // 2371685 - 2300000
}

}  // namespace
}  // namespace fleetsim
