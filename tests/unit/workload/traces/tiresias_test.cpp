// The tiresias reader on the first three rows of 60_job.csv: model name as job class.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

TEST(TiresiasTrace, RowsBecomeJobsWithTheModelAsJobClass) {
  const TraceReadResult r =
      test::read_excerpt(test::excerpt_options("tiresias", "tiresias_60_job.csv"));
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.jobs[0].name, "0");
  EXPECT_EQ(r.jobs[0].submit, 0);
  EXPECT_EQ(r.jobs[0].gpus, 1u);
  EXPECT_EQ(r.jobs[0].duration, 164'000'000);
  EXPECT_EQ(r.jobs[0].job_class, "vgg19");
  EXPECT_EQ(r.jobs[1].submit, 30'000'000);
  EXPECT_EQ(r.jobs[1].gpus, 8u);
  EXPECT_EQ(r.jobs[1].duration, 147'000'000);
  EXPECT_EQ(r.jobs[1].job_class, "vgg11");
  EXPECT_EQ(r.jobs[2].submit, 53'000'000);
  EXPECT_EQ(r.jobs[2].gpus, 2u);
  EXPECT_EQ(r.jobs[2].duration, 127'000'000);
  EXPECT_EQ(r.jobs[2].job_class, "inception4");
  EXPECT_EQ(r.jobs[2].tenant, "default");
}

}  // namespace
}  // namespace fleetsim
