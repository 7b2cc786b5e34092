// Every public-trace scenario (configs/scenarios/trace_*.yaml) runs end to end under fifo,
// fifo_backfill and las: each row of the trace is either a finished job or a counted rejection.
// (The golden test in scenario_test.cpp pins the scenario's own policy's output.)
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

struct TraceRun {
  std::string scenario;
  std::string policy;
};

void PrintTo(const TraceRun& r, std::ostream* os) { *os << r.scenario << "/" << r.policy; }

std::vector<TraceRun> trace_runs() {
  std::vector<std::string> names;
  for (const auto& e :
       std::filesystem::directory_iterator(test::source_path("configs/scenarios"))) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".yaml" && stem.rfind("trace_", 0) == 0) names.push_back(stem);
  }
  std::sort(names.begin(), names.end());
  std::vector<TraceRun> runs;
  for (const std::string& name : names) {
    for (const char* policy : {"fifo", "fifo_backfill", "las"}) runs.push_back({name, policy});
  }
  return runs;
}

class ScenarioTracePolicies : public ::testing::TestWithParam<TraceRun> {};

TEST_P(ScenarioTracePolicies, EveryRowIsAFinishedJobOrACountedRejection) {
  ScenarioOverrides overrides;
  overrides.policy = GetParam().policy;
  const RunResult r = run_scenario(load_scenario(
      test::source_path("configs/scenarios/" + GetParam().scenario + ".yaml"), overrides));
  EXPECT_GT(r.summary.jobs, 0u);
  EXPECT_EQ(r.summary.finished, r.summary.jobs);
  EXPECT_EQ(r.summary.jobs + r.trace_rows_rejected, r.trace_rows);
  std::uint64_t by_reason = 0;
  for (const auto& [reason, n] : r.trace_rejected_by_reason) by_reason += n;
  EXPECT_EQ(by_reason, r.trace_rows_rejected);
  // GPU-model constraints from the trace (openb gpu_spec) hold in the schedule.
  std::uint64_t constrained = 0;
  for (const Job& job : r.jobs) {
    if (job.spec.allowed_types.empty()) continue;
    ++constrained;
    EXPECT_NE(std::find(job.spec.allowed_types.begin(), job.spec.allowed_types.end(), job.gpu_type),
              job.spec.allowed_types.end())
        << job.spec.name;
  }
  if (GetParam().scenario == "trace_openb_gpuspec33") {
    EXPECT_GT(constrained, 2'000u);
  }
}

INSTANTIATE_TEST_SUITE_P(Scenario, ScenarioTracePolicies, ::testing::ValuesIn(trace_runs()),
                         [](const ::testing::TestParamInfo<TraceRun>& p) {
                           return p.param.scenario + "_" + p.param.policy;
                         });

}  // namespace
}  // namespace fleetsim
