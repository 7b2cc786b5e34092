// load_scenario: defaults for everything optional, command-line overrides (--policy, --seed),
// and policy parameters filled in from the policy's declaration.
#include "sim/io/scenario_config.hpp"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::source_path;

TEST(LoadScenario, DefaultsForEverythingOptional) {
  // This scenario sets only name, fleet, workload and policy.
  const ScenarioConfig c = load_scenario(source_path("tests/data/bad/trace_broken_rows_skip.yaml"));
  EXPECT_EQ(c.name, "trace_broken_rows_skip");
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.placement, "topology");
  EXPECT_EQ(c.preempt_overhead, 0);
  EXPECT_EQ(c.resume_overhead, 0);
  EXPECT_EQ(c.until, kTimeNever);
  EXPECT_EQ(c.sample_interval, 600 * kMicrosPerSecond);
  EXPECT_EQ(c.file, source_path("tests/data/bad/trace_broken_rows_skip.yaml"));
}

TEST(LoadScenario, NameDefaultsToTheFileStem) {
  test::TempDir dir;
  const std::string file = dir / "my_run.yaml";
  std::ofstream(file) << "fleet: " << source_path("tests/data/fleets/one_node_16gpu.yaml") << "\n"
                      << "workload: " << source_path("tests/data/workloads/small_synthetic.yaml")
                      << "\n"
                      << "policy: {name: fifo}\n"
                      << "run: {until_s: 3600}\n"
                      << "preemption: {preempt_overhead_s: 30, resume_overhead_s: 2.5}\n";
  const ScenarioConfig c = load_scenario(file);
  EXPECT_EQ(c.name, "my_run");
  EXPECT_EQ(c.until, 3600 * kMicrosPerSecond);
  EXPECT_EQ(c.preempt_overhead, 30 * kMicrosPerSecond);
  EXPECT_EQ(c.resume_overhead, 2'500'000);
}

TEST(LoadScenario, PolicyParametersAreFilledInWithDefaults) {
  const ScenarioConfig c = load_scenario(source_path("configs/scenarios/h100_las.yaml"));
  EXPECT_EQ(c.policy, "las");
  const PolicyInfo* info = find_policy("las");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(c.policy_params.size(), info->params.size());  // every declared parameter
  EXPECT_EQ(std::get<std::vector<double>>(c.policy_params.at("thresholds")),
            std::vector<double>{3250});
  EXPECT_EQ(std::get<std::string>(c.policy_params.at("service")), "gpu_time");
}

TEST(LoadScenario, SeedOverrideReplacesTheFilesSeed) {
  ScenarioOverrides o;
  o.seed = 99;
  EXPECT_EQ(load_scenario(source_path("configs/scenarios/toy.yaml"), o).seed, 99u);
}

TEST(LoadScenario, PolicyOverrideTakesItsOwnDefaultsNotTheFilesParameters) {
  ScenarioOverrides o;
  o.policy = "sjf";
  const ScenarioConfig c = load_scenario(source_path("configs/scenarios/h100_las.yaml"), o);
  EXPECT_EQ(c.policy, "sjf");
  EXPECT_FALSE(c.policy_params.contains("thresholds"));
  for (const Param& p : find_policy("sjf")->params) {
    EXPECT_EQ(c.policy_params.at(p.name), p.default_value) << p.name;
  }
}

TEST(LoadScenario, PolicyOverrideWithTheSamePolicyKeepsTheFilesParameters) {
  ScenarioOverrides o;
  o.policy = "las";
  const ScenarioConfig c = load_scenario(source_path("configs/scenarios/h100_las.yaml"), o);
  EXPECT_EQ(std::get<std::vector<double>>(c.policy_params.at("thresholds")),
            std::vector<double>{3250});
}

TEST(LoadScenario, SampleIntervalBelowOneSecondIsRejected) {
  test::TempDir dir;
  const std::string file = dir / "s.yaml";
  std::ofstream(file) << "fleet: " << source_path("tests/data/fleets/one_node_16gpu.yaml") << "\n"
                      << "workload: " << source_path("tests/data/workloads/small_synthetic.yaml")
                      << "\n"
                      << "policy: {name: fifo}\n"
                      << "output: {sample_interval_s: 0.5}\n";
  try {
    load_scenario(file);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              file + ":4:29: output.sample_interval_s: expected at least 1 second, got 0.5");
  }
}

}  // namespace
}  // namespace fleetsim
