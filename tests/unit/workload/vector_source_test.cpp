// VectorSource: jobs built in memory, streamed in submit order; equal submit times keep the
// order they were given in, so the stream is a total order.
#include "sim/workload/vector_source.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

TEST(VectorSource, StreamsBySubmitTimeKeepingGivenOrderForTies) {
  std::vector<JobSpec> jobs = {test::job("c", 30, 1, 1), test::job("a1", 10, 1, 1),
                               test::job("b", 20, 1, 1), test::job("a2", 10, 1, 1),
                               test::job("a3", 10, 1, 1)};
  VectorSource source(std::move(jobs));
  EXPECT_EQ(source.size(), 5u);
  std::vector<std::string> names;
  while (std::optional<JobSpec> j = source.next()) names.push_back(j->name);
  EXPECT_EQ(names, (std::vector<std::string>{"a1", "a2", "a3", "b", "c"}));
  EXPECT_FALSE(source.next().has_value());  // stays exhausted
}

TEST(VectorSource, OriginIsTheFileAndTheJobsLine) {
  JobSpec j = test::job("j", 0, 1, 1);
  j.source_line = 42;
  VectorSource source({j}, "traces/x.csv");
  EXPECT_EQ(source.origin(j).str(), "traces/x.csv:42");
  EXPECT_EQ(VectorSource({}).origin(test::job("k", 0, 1, 1)).str(), "<memory>");
}

// The engine reads every job into one reused spec: a job must not keep anything of the one
// read before it, and running out must leave the spec as it was.
TEST(VectorSource, ReadNextOverwritesTheWholeReusedSpec) {
  JobSpec first = test::job("first", 0, 1, 10);
  first.tenant = "lab-a";
  first.gpu_milli = 500;
  first.allowed_types = {GpuTypeId{1}};
  first.estimate = 99;
  first.data_site = SiteId{2};
  first.gpu_utilisation = 0.5F;
  VectorSource source({first, test::job("second", 5, 4, 20)});
  JobSpec spec;
  ASSERT_TRUE(source.read_next(spec));
  EXPECT_EQ(spec.tenant, "lab-a");
  EXPECT_EQ(spec.gpu_milli, 500);
  ASSERT_TRUE(source.read_next(spec));
  EXPECT_EQ(spec.name, "second");
  EXPECT_EQ(spec.gpus, 4u);
  EXPECT_EQ(spec.tenant, "default");
  EXPECT_EQ(spec.gpu_milli, 1000);
  EXPECT_TRUE(spec.allowed_types.empty());
  EXPECT_FALSE(spec.estimate.has_value());
  EXPECT_FALSE(spec.data_site.valid());
  EXPECT_EQ(spec.gpu_utilisation, 1.0F);
  EXPECT_FALSE(source.read_next(spec));
  EXPECT_EQ(spec.name, "second");  // untouched
}

TEST(VectorSource, EmptySourceIsExhaustedAtOnce) {
  VectorSource source({});
  EXPECT_FALSE(source.next().has_value());
}

}  // namespace
}  // namespace fleetsim
