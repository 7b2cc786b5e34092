// The openb reader on six real pods (five from openb_pod_list_gpuspec33.csv, the Pending pod
// openb-pod-0061 from openb_pod_list_default.csv): CPU-only pods counted and left out, GPU share
// and GPU-model constraints kept, duration = deletion - scheduled (- creation when never
// scheduled), status and QoS filters.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

TraceOptions pods() {
  TraceOptions o = test::excerpt_options("openb", "openb_pods.csv");
  o.gpu_types = {{"V100M16", "A100"}, {"V100M32", "A100"}, {"G2", "H100"}, {"T4", "A100"}};
  return o;
}

TEST(OpenbTrace, PodsBecomeJobsWithShareAndTypeConstraints) {
  const TraceReadResult r = test::read_excerpt(pods());
  const GpuTypeId h100 = *test::trace_test_catalog().find("H100");
  const GpuTypeId a100 = *test::trace_test_catalog().find("A100");
  ASSERT_EQ(r.jobs.size(), 5u);
  EXPECT_EQ(r.rows, 6u);
  EXPECT_EQ(r.rejected_by_reason, (std::map<std::string, std::uint64_t>{{"no GPU requested", 1}}));
  EXPECT_EQ(r.time_origin_s, 4975773.0);  // openb-pod-0009, the earliest GPU pod
  const JobSpec& p9 = r.jobs[0];
  EXPECT_EQ(p9.name, "openb-pod-0009");
  EXPECT_EQ(p9.submit, 0);
  EXPECT_EQ(p9.duration, 7'927'187'000'000);                  // 12902960 - 4975773
  EXPECT_EQ(p9.allowed_types, std::vector<GpuTypeId>{a100});  // V100M16|V100M32, both -> A100
  EXPECT_EQ(p9.tenant, "LS");
  EXPECT_EQ(p9.gpu_milli, 1000);
  const JobSpec& p17 = r.jobs[1];
  EXPECT_EQ(p17.submit, 4'461'724'000'000);    // 9437497 - 4975773
  EXPECT_EQ(p17.duration, 1'332'357'000'000);  // 10769854 - 9437497
  EXPECT_EQ(p17.gpus, 8u);
  EXPECT_EQ(p17.allowed_types, std::vector<GpuTypeId>{h100});
  EXPECT_EQ(p17.tenant, "Burstable");
  const JobSpec& p22 = r.jobs[2];
  EXPECT_EQ(p22.gpu_milli, 220);             // shares 22 % of one T4
  EXPECT_EQ(p22.duration, 294'651'000'000);  // 9973826 - 9679175
  const JobSpec& p33 = r.jobs[3];
  EXPECT_EQ(p33.duration, 182'000'000);  // 9965645 - 9965463
  const JobSpec& p61 = r.jobs[4];        // Pending: no scheduled_time, so deletion - creation
  EXPECT_EQ(p61.name, "openb-pod-0061");
  EXPECT_EQ(p61.duration, 125'000'000);  // 10001403 - 10001278
  EXPECT_TRUE(p61.allowed_types.empty());
}

TEST(OpenbTrace, StatusAndQosFilters) {
  TraceOptions o = pods();
  o.statuses = {"Running", "Succeeded"};
  o.tenants = {"LS", "BE", "Burstable"};
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 3u);  // pods 0009, 0017, 0022
  EXPECT_EQ(r.rejected_by_reason, (std::map<std::string, std::uint64_t>{
                                      {"no GPU requested", 1}, {"status not selected", 2}}));
}

TEST(OpenbTrace, DurationFromCreationIncludesQueueing) {
  TraceOptions o = pods();
  o.duration_from = DurationFrom::Creation;
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 5u);
  EXPECT_EQ(r.jobs[0].duration, 7'927'187'000'000);  // scheduled at creation: the same
}

TEST(OpenbTrace, AnUnmappedGpuModelIsABrokenRow) {
  TraceOptions o = test::excerpt_options("openb", "openb_pods.csv");
  EXPECT_EQ(test::read_error(o),
            "openb_pods.csv:3: gpu_type: GPU model \"V100M16\" is neither mapped (gpu_types:) nor "
            "a catalog type");
  o.bad_rows = BadRows::Skip;
  const TraceReadResult r = test::read_excerpt(o);
  EXPECT_EQ(r.jobs.size(), 1u);  // only the Pending pod names no model
  EXPECT_EQ(r.rejected_by_reason.at("bad gpu_type"), 4u);
}

TEST(OpenbTrace, AShareOfSeveralGpusIsABrokenRowOfTheSharedDriver) {
  // Line 2: 1 GPU at 220 (kept). Line 3: 2 GPUs at 500 each, which no JobSpec can say.
  TraceOptions o;
  o.format = "openb";
  o.path = test::source_path("tests/data/bad/traces/openb_gpu_share_of_several_gpus.csv");
  o.display_path = "pods.csv";
  EXPECT_EQ(test::read_error(o), "pods.csv:3: gpu_milli: a GPU share is of one GPU; gpus is 2");
  o.bad_rows = BadRows::Skip;
  const TraceReadResult r = test::read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].gpu_milli, 220);
  EXPECT_EQ(r.rejected_by_reason, (std::map<std::string, std::uint64_t>{{"bad gpu_milli", 1}}));
}

}  // namespace
}  // namespace fleetsim
