// Sweep files: the grid expands in a fixed order with one folder per cell, parameters reach
// the cell's scenario, and every mistake is one line naming file, line and field, exit 2, before
// anything runs (each fixture in tests/data/bad/sweeps/ pinned whole).
#include "sim/sweep/sweep_plan.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::CliResult;
using test::normal;
using test::run_cli;
using test::source_path;
using test::TempDir;

TEST(SweepPlan, GridExpandsScenarioPolicyGridPointSeedInFileOrder) {
  const SweepPlan plan = load_sweep(source_path("tests/data/sweeps/las_grid.yaml"));
  EXPECT_EQ(plan.name, "las_grid");  // no name: the file's stem
  std::vector<std::string> dirs;
  for (const SweepCell& c : plan.cells) dirs.push_back(c.dir);
  const std::string s = "small_synthetic/";
  EXPECT_EQ(dirs, (std::vector<std::string>{
                      s + "fifo/seed-4",
                      s + "fifo/seed-5",
                      s + "las/service=run_time/skip_blocked=true/seed-4",
                      s + "las/service=run_time/skip_blocked=true/seed-5",
                      s + "las/service=run_time/skip_blocked=false/seed-4",
                      s + "las/service=run_time/skip_blocked=false/seed-5",
                      s + "las/service=gpu_time/skip_blocked=true/seed-4",
                      s + "las/service=gpu_time/skip_blocked=true/seed-5",
                      s + "las/service=gpu_time/skip_blocked=false/seed-4",
                      s + "las/service=gpu_time/skip_blocked=false/seed-5",
                  }));
  const SweepCell& cell = plan.cells[6];
  EXPECT_EQ(cell.variant, "las/service=gpu_time/skip_blocked=true");
  EXPECT_EQ(cell.config.policy, "las");
  EXPECT_EQ(cell.config.seed, 4u);
  EXPECT_EQ(std::get<std::string>(cell.config.policy_params.at("service")), "gpu_time");
  EXPECT_EQ(std::get<bool>(cell.config.policy_params.at("skip_blocked")), true);
  EXPECT_EQ(std::get<std::vector<double>>(cell.config.policy_params.at("thresholds")),
            std::vector<double>{1800});  // the fixed parameter
}

TEST(SweepPlan, GridCellsRunWithTheirParameters) {
  TempDir tmp;
  const CliResult r = run_cli({"sweep", source_path("tests/data/sweeps/las_grid.yaml"), "-j", "2",
                               "--out", tmp.str()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string resolved = test::read_file(
      tmp.path() / "small_synthetic/las/service=gpu_time/skip_blocked=false/seed-5/"
                   "scenario.resolved.yaml");
  EXPECT_NE(resolved.find("service: gpu_time"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("skip_blocked: false"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("seed: 5"), std::string::npos) << resolved;
}

// `fleetsim sweep <file>` must exit 2 with exactly `line` on stderr and write nothing.
void expect_sweep_rejects(const std::string& name, const std::string& line) {
  const std::string file = source_path("tests/data/bad/sweeps/" + name);
  SCOPED_TRACE(file);
  TempDir tmp;
  const CliResult r = run_cli({"sweep", file, "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + file + line + "\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

TEST(SweepPlanBadInput, MisspeltKeyIsNamedWithTheKeysAllowed) {
  expect_sweep_rejects("unknown_key.yaml",
                       ":3:1: seed: unknown key; expected one of: name, scenarios, policies, seeds");
}

TEST(SweepPlanBadInput, UnknownPolicyListsTheKnownOnes) {
  expect_sweep_rejects("unknown_policy.yaml",
                       ":2:25: policies[1].name: unknown policy \"sfj\"; known: " +
                           known_policy_names());
}

TEST(SweepPlanBadInput, GridOverAParameterThePolicyDoesNotDeclare) {
  expect_sweep_rejects("grid_param_not_declared.yaml",
                       ":4:20: policies[0].grid.queues: policy las has no parameter \"queues\"; "
                       "it declares: thresholds, service, promote_after_s, skip_blocked");
}

TEST(SweepPlanBadInput, GridValueOfTheWrongType) {
  expect_sweep_rejects("grid_value_wrong_type.yaml",
                       ":4:33: policies[0].grid.skip_blocked[1]: expected true or false, got "
                       "\"maybe\"");
}

TEST(SweepPlanBadInput, EmptySeedList) {
  expect_sweep_rejects("seeds_empty.yaml",
                       ":3:8: seeds: expected a non-empty list of seeds or {first: N, count: M}");
}

TEST(SweepPlanBadInput, MissingScenarioFileIsNamedAtItsListEntry) {
  expect_sweep_rejects(
      "scenario_missing.yaml",
      ":3:5: scenarios[1]: cannot open scenario file \"" +
          source_path("tests/data/scenarios/no_such_scenario.yaml") + "\"");
}

TEST(SweepPlanBadInput, SamePolicyTwiceWithoutALabel) {
  expect_sweep_rejects("duplicate_label.yaml",
                       ":4:5: policies[1]: label \"las\" is already used by policies[0]; give one "
                       "a label:");
}

TEST(SweepPlanBadInput, LabelThatCannotNameAFolder) {
  expect_sweep_rejects("label_not_a_folder_name.yaml",
                       ":3:24: policies[0].label: expected a folder name of letters, digits, '_', "
                       "'-', '.', '+', got \"las/short\"");
}

TEST(SweepPlanBadInput, ParameterBothFixedAndVaried) {
  expect_sweep_rejects("grid_param_also_fixed.yaml",
                       ":5:26: policies[0].grid.skip_blocked: parameter \"skip_blocked\" is both "
                       "fixed in params and varied in grid");
}

TEST(SweepPlanBadInput, GridAxisWithoutValues) {
  expect_sweep_rejects("grid_values_empty.yaml",
                       ":4:26: policies[0].grid.skip_blocked: expected a non-empty list of values");
}

TEST(SweepPlanBadInput, GridValueThatCannotNameAFolder) {
  // A list parameter's value prints as "[600]": brackets, a comma and a space.
  expect_sweep_rejects("grid_value_not_a_folder_name.yaml",
                       ":4:25: policies[0].grid.thresholds[0]: value \"[600]\" cannot name a "
                       "folder");
}

TEST(SweepPlanBadInput, PolicyParametersThatFailThePolicysOwnCheck) {
  expect_sweep_rejects("policy_params_invalid.yaml",
                       ":3:5: policies[0]: thresholds[1]: must be greater than thresholds[0] (600 "
                       "<= 3600)");
}

TEST(SweepPlanBadInput, SeedRangeFromANegativeSeed) {
  expect_sweep_rejects("seeds_first_negative.yaml",
                       ":3:16: seeds.first: expected an integer >= 0, got -1");
}

TEST(SweepPlanBadInput, SeedListedTwice) {
  expect_sweep_rejects("seed_listed_twice.yaml", ":3:15: seeds[2]: seed 1 is listed twice");
}

TEST(SweepPlanBadInput, NoScenarios) {
  expect_sweep_rejects("scenarios_empty.yaml",
                       ":1:12: scenarios: expected a non-empty list of scenario files");
}

TEST(SweepPlanBadInput, NoPolicies) {
  expect_sweep_rejects("policies_empty.yaml",
                       ":2:11: policies: expected a non-empty list of policies");
}

TEST(SweepPlanBadInput, ScenarioNameThatCannotNameAFolder) {
  expect_sweep_rejects("scenario_name_not_a_folder_name.yaml",
                       ":1:13: scenarios[0]: scenario name \"small synthetic\" cannot name a "
                       "folder");
}

// Command-line options of `sweep`, in the words the loaders use (CLI11's own range check printed
// a 300-digit bound; --max-runs -1 used to wrap around to "no limit").
TEST(SweepPlanBadInput, JobsThatAreNotAPositiveInteger) {
  const std::string file = source_path("tests/data/sweeps/las_grid.yaml");
  for (const char* jobs : {"0", "-3", "two"}) {
    TempDir tmp;
    const CliResult r = run_cli({"sweep", file, "-j", jobs, "--out", tmp / "out"});
    EXPECT_EQ(r.exit_code, 2) << jobs;
    EXPECT_EQ(r.err, std::string("fleetsim: error: --jobs: expected an integer >= 1, got \"") +
                         jobs + "\"\n");
    EXPECT_FALSE(std::filesystem::exists(tmp / "out")) << jobs;
  }
}

TEST(SweepPlanBadInput, NegativeMaxRuns) {
  TempDir tmp;
  const CliResult r = run_cli({"sweep", source_path("tests/data/sweeps/las_grid.yaml"),
                               "--max-runs", "-1", "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --max-runs: expected an integer >= 0, got \"-1\"\n");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

TEST(SweepPlanBadInput, TwoScenariosWithOneName) {
  expect_sweep_rejects("duplicate_scenario_name.yaml",
                       ":1:51: scenarios[1]: scenario name \"small_synthetic\" is also that of "
                       "scenarios[0]; cells would share a folder");
}

}  // namespace
}  // namespace fleetsim
