// The sia reader on the first three jobs of saturn/workload-1.csv: float times, same mapping as
// pollux.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

TEST(SiaTrace, FloatTimesAndRunTimeFromTheApplicationsWork) {
  TraceOptions o = test::excerpt_options("sia", "sia_saturn_workload-1.csv");
  o.gpu_s_by_application = {{"cifar10", 2400}};
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.jobs[0].submit, 0);  // 401.0 is t=0
  EXPECT_EQ(r.jobs[0].gpus, 12u);
  EXPECT_EQ(r.jobs[0].duration, 200'000'000);  // 2400 / 12
  EXPECT_EQ(r.jobs[1].submit, 127'000'000);    // 528.0 - 401.0
  EXPECT_EQ(r.jobs[2].submit, 322'000'000);    // 723.0 - 401.0
  EXPECT_EQ(r.jobs[2].gpus, 8u);
  EXPECT_EQ(r.jobs[2].duration, 300'000'000);  // 2400 / 8
}

TEST(SiaTrace, PolluxRejectsTheFloatTimesSiaAllows) {
  TraceOptions o = test::excerpt_options("pollux", "sia_saturn_workload-1.csv");
  o.gpu_s_by_application = {{"cifar10", 2400}};
  EXPECT_EQ(test::read_error(o), "no ConfigError");  // 401.0 is a whole number of seconds
}

}  // namespace
}  // namespace fleetsim
