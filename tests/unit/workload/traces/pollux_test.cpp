// The pollux reader on the first three jobs of workload-1.csv: run time = the application's
// GPU-seconds (from the workload YAML) / num_replicas.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

TEST(PolluxTrace, RunTimeIsTheApplicationsWorkOverItsGpus) {
  TraceOptions o = test::excerpt_options("pollux", "pollux_workload-1.csv");
  o.gpu_s_by_application = {{"cifar10", 1800}, {"deepspeech2", 18000}, {"ncf", 900}};
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.time_origin_s, 107.0);
  EXPECT_EQ(r.jobs[0].name, "cifar10-0");
  EXPECT_EQ(r.jobs[0].submit, 0);
  EXPECT_EQ(r.jobs[0].gpus, 6u);
  EXPECT_EQ(r.jobs[0].duration, 300'000'000);  // 1800 GPU-s / 6 GPUs
  EXPECT_EQ(r.jobs[0].job_class, "cifar10");
  EXPECT_EQ(r.jobs[1].submit, 3'000'000);        // 110 - 107
  EXPECT_EQ(r.jobs[1].duration, 3'000'000'000);  // 18000 / 6
  EXPECT_EQ(r.jobs[2].submit, 28'000'000);       // 135 - 107
  EXPECT_EQ(r.jobs[2].gpus, 1u);
  EXPECT_EQ(r.jobs[2].duration, 900'000'000);  // 900 / 1
}

TEST(PolluxTrace, AnApplicationWithoutWorkIsABrokenRow) {
  TraceOptions o = test::excerpt_options("pollux", "pollux_workload-1.csv");
  o.gpu_s_by_application = {{"cifar10", 1800}};
  EXPECT_EQ(test::read_error(o),
            "pollux_workload-1.csv:3: application: \"deepspeech2\" has no gpu_s_by_application "
            "entry");
}

}  // namespace
}  // namespace fleetsim
