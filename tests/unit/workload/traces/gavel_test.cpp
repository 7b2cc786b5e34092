// The gavel reader on the first three rows of VC 23dbec (gzip, tab-separated, no header), with a
// throughput excerpt of simulation_throughputs.json: run time = total_steps / steps per second.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

TEST(GavelTrace, RunTimeIsStepsOverTheV100Throughput) {
  TraceOptions o = test::excerpt_options("gavel", "23dbec.trace.gz");
  o.throughputs_path = test::excerpt("gavel_throughputs.json");
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.jobs[0].name, "23dbec-1");
  EXPECT_EQ(r.jobs[0].tenant, "23dbec");
  EXPECT_EQ(r.jobs[0].job_class, "Transformer (batch size 128)");
  EXPECT_EQ(r.jobs[0].submit, 0);
  EXPECT_EQ(r.jobs[0].gpus, 1u);
  // 14612 steps / 5.44610521981264 steps/s = 2683.02 s
  EXPECT_EQ(r.jobs[0].duration, from_seconds(14612 / 5.44610521981264));
  EXPECT_NEAR(to_seconds(r.jobs[0].duration), 2683.02, 0.01);
  EXPECT_EQ(r.jobs[1].submit, 11'000'000);
  // 1550 / 2.841510364354536 = 545.48 s
  EXPECT_NEAR(to_seconds(r.jobs[1].duration), 545.48, 0.01);
  EXPECT_EQ(r.jobs[2].submit, 182'095'000'000);
  EXPECT_EQ(r.jobs[2].gpus, 8u);
  // 19178 / 9.71702368412533 = 1973.65 s (the table's rate is for the 8-GPU job as a whole)
  EXPECT_NEAR(to_seconds(r.jobs[2].duration), 1973.65, 0.01);
}

TEST(GavelTrace, AnotherGpuColumnGivesOtherDurations) {
  TraceOptions o = test::excerpt_options("gavel", "23dbec.trace.gz");
  o.throughputs_path = test::excerpt("gavel_throughputs.json");
  o.throughput_gpu = "k80";
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_NEAR(to_seconds(r.jobs[0].duration), 14886.16, 0.01);  // 14612 / 0.98158270612998
}

TEST(GavelTrace, WithoutAThroughputTableRowsHaveNoDurationAndAreCounted) {
  const TraceReadResult r = test::read_excerpt(test::excerpt_options("gavel", "23dbec.trace.gz"));
  EXPECT_TRUE(r.jobs.empty());
  EXPECT_EQ(r.rejected_by_reason, (std::map<std::string, std::uint64_t>{{"no duration", 3}}));
}

}  // namespace
}  // namespace fleetsim
