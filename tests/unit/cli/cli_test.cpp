// The fleetsim command line: --version and --help exit 0, `policies` lists every registered
// policy (with its parameters) and placement, `validate` describes a scenario without running
// it, and `run` writes a results folder and a summary.
#include "sim/cli/cli.hpp"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "sim/io/results_writer.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::CheckEnvironment;
using test::CliResult;
using test::run_cli;
using test::source_path;
using test::TempDir;

TEST(Cli, VersionPrintsTheVersionAndExitsZero) {
  const CliResult r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "fleetsim " + fleetsim_version() + "\n");
  EXPECT_EQ(r.err, "");
}

TEST(Cli, HelpOnEverySubcommandExitsZeroWithUsage) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"run", "--help"}, {"validate", "--help"}, {"policies", "--help"}, {"-h"}}) {
    SCOPED_TRACE(args.front() + (args.size() > 1 ? " " + args[1] : ""));
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("Usage: fleetsim"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
  }
  EXPECT_NE(run_cli({"--help"}).out.find("validate"), std::string::npos);
  EXPECT_NE(run_cli({"run", "--help"}).out.find("--seed"), std::string::npos);
  EXPECT_NE(run_cli({"run", "--help"}).out.find("--out"), std::string::npos);
  EXPECT_NE(run_cli({"run", "--help"}).out.find("--check"), std::string::npos);
  const std::string help = run_cli({"--help"}).out;
  EXPECT_NE(help.find("Exit codes: 0 ok, 1 internal error, 2 bad input, 3 policy error, 4 run or "
                      "sweep --check found a broken invariant."),
            std::string::npos)
      << help;
}

TEST(Cli, PoliciesListsEveryRegisteredPolicyWithItsParametersAndEveryPlacement) {
  const CliResult r = run_cli({"policies"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  ASSERT_FALSE(registered_policies().empty());
  for (const PolicyInfo& p : registered_policies()) {
    EXPECT_NE(r.out.find(fmt::format("\n  {:<15} {}\n", p.name, p.summary)), std::string::npos)
        << p.name;
    for (const Param& param : p.params) {
      EXPECT_NE(
          r.out.find(fmt::format("      {} ({}, default {}): {}\n", param.name, param.type_name(),
                                 format_param_value(param.default_value), param.help)),
          std::string::npos)
          << p.name << "." << param.name;
    }
  }
  const std::size_t placements = r.out.find("placements (scenario `placement`):\n");
  ASSERT_NE(placements, std::string::npos);
  for (const PlacementInfo& p : registered_placements()) {
    EXPECT_NE(r.out.find(fmt::format("  {:<15} {}\n", p.name, p.summary), placements),
              std::string::npos)
        << p.name;
  }
  // The built-ins the README documents are all there.
  for (const char* name : {"easy_backfill", "fifo", "fifo_backfill", "las", "sjf", "srtf"}) {
    EXPECT_NE(find_policy(name), nullptr) << name;
  }
  for (const char* name : {"best_fit", "first_fit", "topology"}) {
    EXPECT_NE(find_placement(name), nullptr) << name;
  }
}

TEST(Cli, ValidateDescribesTheDefaultScenarioAndSimulatesNothing) {
  TempDir cwd;  // a results folder would appear here (default results/<name>)
  const std::string file = source_path("configs/scenarios/default.yaml");
  CliResult r;
  {
    test::InDirectory in_cwd(cwd.path());
    r = run_cli({"validate", file});
  }
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // h100_1024.yaml: 128 racks x 1 node x 8; h100_1024_day.yaml: 3,720 jobs at 155/h, 1..128 GPUs.
  EXPECT_EQ(
      r.out,
      "scenario default (" + file +
          "), seed 1\n"
          "  fleet       1 sites, 1 clusters, 128 racks, 128 nodes, 1024 GPUs (1024 H100_SXM)\n"
          "  workload    synthetic: 50400 jobs, Poisson arrivals 300/h, gang sizes 1..128\n"
          "  policy      fifo_backfill\n"
          "  placement   topology\n"
          "  preemption  overhead 0 s, resume 0 s\n"
          "valid; nothing was simulated\n");
  EXPECT_TRUE(std::filesystem::is_empty(cwd.path())) << "validate wrote files";
}

TEST(Cli, ValidateShowsOverridesAndPolicyParameters) {
  const CliResult r =
      run_cli({"validate", source_path("configs/scenarios/h100_las.yaml"), "--seed", "9"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("), seed 9\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  policy      las ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("thresholds=[3250]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("service=gpu_time"), std::string::npos) << r.out;
  const CliResult placed = run_cli(
      {"validate", source_path("configs/scenarios/h100_las.yaml"), "--placement", "first_fit"});
  EXPECT_NE(placed.out.find("  placement   first_fit\n"), std::string::npos) << placed.out;
}

TEST(Cli, ValidateOfAnInflatedTraceSaysHowManyJobsItDraws) {
  const CliResult r =
      run_cli({"validate", source_path("configs/scenarios/policies/openb_inflation.yaml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(" jobs drawn (demand 1.2 x 6212 GPUs, one every 1 s, none ending)\n"),
            std::string::npos)
      << r.out;
}

TEST(Cli, ValidateOfATraceCountsItsRows) {
  const std::string file = source_path("tests/data/scenarios/small_trace.yaml");
  const CliResult r = run_cli({"validate", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find("  workload    trace " + test::normal(source_path("tests/data/traces/small.csv")) +
                 ": 4 jobs from 4 rows (0 rejected)\n"),
      std::string::npos)
      << r.out;
}

TEST(Cli, RunWritesTheResultsFolderAndPrintsASummary) {
  TempDir tmp;
  const std::string out_dir = tmp / "results";
  const CliResult r =
      run_cli({"run", source_path("tests/data/scenarios/small_trace.yaml"), "--out", out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // default log level: warnings only, and there are none
  EXPECT_EQ(
      r.out.rfind("scenario small_trace: seed 1, policy fifo, placement first_fit, 16 GPUs\n", 0),
      0u)
      << r.out;
  EXPECT_NE(r.out.find("  jobs              4 (finished 4, never started 0, queued at end 0, "
                       "running at end 0)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  results           " + out_dir + "/\n"), std::string::npos) << r.out;
  for (const char* name :
       {"summary.json", "jobs.csv", "timeseries.csv", "scenario.resolved.yaml"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out_dir) / name)) << name;
  }
}

TEST(Cli, RunCheckVerifiesTheRunAndSaysWhatItChecked) {
  // small_trace: 4 jobs, each arriving, starting and finishing (12 events), and samples every
  // 600 s from 0 to 5,400 s (10; the run ends at 4,896 s, the sample due next still comes).
  const std::string file = source_path("tests/data/scenarios/small_trace.yaml");
  const CheckEnvironment unset(nullptr);
  TempDir tmp;
  const CliResult r = run_cli({"run", file, "--check", "--out", tmp / "checked"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(" invariant checks at 22 job, failure and sample events: all held\n"),
            std::string::npos)
      << r.out;
  // Unchecked, the summary has no such line and the results are the same bytes.
  const CliResult plain = run_cli({"run", file, "--out", tmp / "plain"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("  checked  "), std::string::npos) << plain.out;
  for (const char* name : {"summary.json", "jobs.csv", "timeseries.csv"}) {
    EXPECT_EQ(test::read_file(tmp.path() / "checked" / name),
              test::read_file(tmp.path() / "plain" / name))
        << name;
  }
  // FLEETSIM_CHECK_INVARIANTS=1 checks as --check does.
  const CheckEnvironment set("1");
  EXPECT_NE(run_cli({"run", file, "--out", tmp / "env"}).out.find(": all held\n"),
            std::string::npos);
}

TEST(Cli, RunWithAnInferenceServiceWritesServicesCsvAndSummarisesIt) {
  // small_services: 10 req/s at 8 req/s per 2-GPU replica, 60 % target: ceil(10 / 4.8) = 3
  // replicas (6 GPUs) for 4 hours = 24 GPU-h. Nothing serves in the first 60 s (start time):
  // 600 of the 144,000 requests are dropped, 99.58 % served.
  TempDir tmp;
  const CliResult r = run_cli(
      {"run", source_path("tests/data/scenarios/small_services.yaml"), "--out", tmp.str()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  service chat      SLO 500 ms met by "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("served 99.58 %"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", 24.0 GPU-h\n"), std::string::npos) << r.out;
  const std::string csv = test::read_file(tmp.path() / "services.csv");
  EXPECT_EQ(csv.rfind("service,hour_start_s,seconds,demand_rps,served_rps,dropped_rps,", 0), 0u);
  EXPECT_NE(csv.find("\nchat,0.000000,3600.000000,10.000000,9.833333,0.166667,"),
            std::string::npos)
      << csv;
  const std::string summary = test::read_file(tmp.path() / "summary.json");
  EXPECT_NE(summary.find("\"services\": {"), std::string::npos);
  EXPECT_NE(summary.find("\"replicas_created\": 3"), std::string::npos) << summary;
}

TEST(Cli, ValidateListsTheServices) {
  const CliResult r =
      run_cli({"validate", source_path("tests/data/scenarios/small_services.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  service     chat: 2-GPU replicas x 1..4, SLO 500 ms, 0 s .. 14400 s\n"),
            std::string::npos)
      << r.out;
}

TEST(Cli, PolicyOverrideRunsTheOtherPolicyWithItsDefaults) {
  TempDir tmp;
  const CliResult r = run_cli({"run", source_path("configs/scenarios/h100_las.yaml"), "--policy",
                               "sjf", "--out", tmp.str()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string resolved = test::read_file(tmp.path() / "scenario.resolved.yaml");
  EXPECT_NE(resolved.find("  name: sjf\n"), std::string::npos) << resolved;
  EXPECT_EQ(resolved.find("thresholds"), std::string::npos) << "las parameters leaked into sjf";
}

TEST(Cli, LogLevelInfoLogsTheRunToStderr) {
  TempDir tmp;
  const CliResult r =
      run_cli({"--log-level", "info", "run", source_path("tests/data/scenarios/small_trace.yaml"),
               "--out", tmp.str()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("fleetsim: info: run done: jobs=4"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fleetsim
