// Bad input ends a run with exit code 2 and one line naming file, line and field. Each case is a
// fixture in tests/data/bad/<what_is_wrong>.yaml (plus the fleet, workload or trace it refers to),
// and each test pins the whole stderr line, so a message cannot silently lose its position.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/policy/site_selection.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::CliResult;
using test::expect_run_rejects;
using test::normal;
using test::run_cli;
using test::source_path;
using test::TempDir;

std::string bad(const std::string& name) { return source_path("tests/data/bad/" + name); }

// `fleetsim validate <file>` must exit 2 with exactly `line` on stderr and never say
// "valid".
void expect_validate_rejects(const std::string& file, const std::string& line) {
  SCOPED_TRACE(file);
  const CliResult r = run_cli({"validate", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, line + "\n");
  EXPECT_EQ(r.out.find("valid;"), std::string::npos) << r.out;
}

// --- files that are not scenarios at all ---

TEST(CliBadInput, NonexistentScenarioFileCannotBeOpened) {
  const std::string f = bad("does_not_exist.yaml");
  ASSERT_FALSE(std::filesystem::exists(f));
  expect_run_rejects(f, "fleetsim: error: " + f + ": cannot open file");
}

TEST(CliBadInput, DirectoryGivenAsScenarioSaysItIsADirectory) {
  const std::string f = bad("fleets");
  expect_run_rejects(f, "fleetsim: error: " + f + ": cannot open file: it is a directory");
}

TEST(CliBadInput, EmptyFileIsNotAMapOfSettings) {
  const std::string f = bad("empty_file.yaml");
  ASSERT_EQ(std::filesystem::file_size(f), 0u);
  expect_run_rejects(
      f, "fleetsim: error: " + f + ":1:1: expected a map of settings at the top of the file");
}

TEST(CliBadInput, TopLevelListIsNotAMapOfSettings) {
  const std::string f = bad("top_level_list.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f + ":2:1: expected a map of settings at the top of the file");
}

TEST(CliBadInput, MalformedYamlNamesWhereTheParserGaveUp) {
  // The flow sequence opened on line 3 is still open when line 4 starts a new key.
  const std::string f = bad("malformed_yaml.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f + ":4:6: malformed YAML: end of sequence flow not found");
}

TEST(CliBadInput, ControlCharacterInYamlKeepsTheMessageOnOneLine) {
  // A fuzz finding: yaml-cpp quotes the line break after the NUL byte, which split the line.
  const std::string f = bad("yaml_nul_byte.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f + ":4:1: malformed YAML: unknown escape character: \\n");
}

// --- keys: unknown, missing, wrong shape ---

TEST(CliBadInput, MisspeltPolicyKeyIsAnUnknownKey) {
  const std::string f = bad("unknown_key_polcy.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":5:1: polcy: unknown key; expected one of: name, seed, start, "
                            "fleet, workload, policy, placement, site_selection, preemption, run, "
                            "output, failures, checkpoint, fleetsim_version");
}

TEST(CliBadInput, MisspeltPlacementKeyIsAnUnknownKey) {
  const std::string f = bad("unknown_key_placment.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":6:1: placment: unknown key; expected one of: name, seed, start, "
                            "fleet, workload, policy, placement, site_selection, preemption, run, "
                            "output, failures, checkpoint, fleetsim_version");
}

TEST(CliBadInput, MissingPolicyIsReportedAtTheTopLevelMap) {
  const std::string f = bad("missing_policy.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f + ":2:1: policy: missing required key");
}

TEST(CliBadInput, MissingGpusPerNodeIsReportedAtItsRackGroup) {
  const std::string f = bad("missing_gpus_per_node.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":10:15: fleet.sites[0].clusters[0].racks[0].gpus_per_node: missing "
                            "required key");
}

TEST(CliBadInput, PolicyWrittenAsTextInsteadOfAMap) {
  const std::string f = bad("policy_not_a_map.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f + ":5:9: policy: expected a map, got \"fifo\"");
}

TEST(CliBadInput, SitesWrittenAsAMapInsteadOfAList) {
  const std::string f = bad("sites_not_a_list.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f + ":5:10: fleet.sites: expected a list, got a map");
}

// --- wrong types and values ---

TEST(CliBadInput, SeedThatIsNotAnInteger) {
  const std::string f = bad("seed_not_an_integer.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f + ":3:7: seed: expected an integer, got \"abc\"");
}

TEST(CliBadInput, RateThatIsNotANumberNamesTheWorkloadFile) {
  const std::string w = normal(bad("workloads/rate_not_a_number.yaml"));
  expect_run_rejects(
      bad("rate_not_a_number.yaml"),
      "fleetsim: error: " + w + ":6:18: arrival.rate_per_hour: expected a number, got \"lots\"");
}

TEST(CliBadInput, NegativeSeed) {
  const std::string f = bad("negative_seed.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f + ":3:7: seed: expected an integer >= 0, got -3");
}

TEST(CliBadInput, NegativeArrivalRate) {
  const std::string f = bad("negative_rate.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":7:46: workload.arrival.rate_per_hour: expected a positive number, "
                            "got \"-5\"");
}

TEST(CliBadInput, ZeroJobs) {
  const std::string f = bad("zero_jobs.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f + ":6:9: workload.jobs: expected a positive integer, got \"0\"");
}

TEST(CliBadInput, ZeroGpusPerNode) {
  const std::string f = bad("zero_gpus_per_node.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":10:51: fleet.sites[0].clusters[0].racks[0].gpus_per_node: expected a "
                            "positive integer, got \"0\"");
}

TEST(CliBadInput, NegativePreemptOverhead) {
  const std::string f = bad("negative_preempt_overhead.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":7:23: preemption.preempt_overhead_s: expected a number >= 0, got "
                            "\"-30\"");
}

TEST(CliBadInput, ZeroSampleInterval) {
  const std::string f = bad("zero_sample_interval.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":7:22: output.sample_interval_s: expected a positive number, got "
                            "\"0\"");
}

TEST(CliBadInput, ZeroConstantDuration) {
  const std::string f = bad("zero_constant_duration.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":9:47: workload.duration.value_s: expected a positive number, got "
                            "\"0\"");
}

TEST(CliBadInput, MoreGangSizesThanWeights) {
  const std::string f = bad("weights_count_mismatch.yaml");
  expect_run_rejects(f,
                     "fleetsim: error: " + f +
                         ":8:65: workload.gpus.weights: expected one weight per value (3 values, "
                         "2 weights)");
}

TEST(CliBadInput, EmpiricalQuantilesThatGoBackwards) {
  const std::string f = bad("empirical_quantiles_not_ascending.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":11:36: workload.duration.points[2]: quantiles must increase and "
                            "durations must not decrease");
}

// --- names that must exist ---

TEST(CliBadInput, UnknownPolicyListsTheKnownOnes) {
  const std::string f = bad("unknown_policy.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f +
             ":6:9: policy.name: unknown policy \"sfj\"; known: " + known_policy_names());
}

TEST(CliBadInput, KnownPolicyListNamesEveryBuiltInPolicy) {
  // The list the message above prints: every built-in, in name order.
  const std::string known = known_policy_names();
  for (const char* name : {"easy_backfill", "fifo", "fifo_backfill", "las", "sjf", "srtf"}) {
    EXPECT_NE((", " + known + ", ").find(std::string(", ") + name + ", "), std::string::npos)
        << name << " missing from: " << known;
  }
}

TEST(CliBadInput, UnknownPolicyOnTheCommandLineNamesTheOption) {
  TempDir tmp;
  const CliResult r = run_cli({"run", source_path("tests/data/scenarios/small_synthetic.yaml"),
                               "--policy", "sfj", "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --policy: unknown policy \"sfj\"; known: " +
                       known_policy_names() + "\n");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

TEST(CliBadInput, UnknownSiteSelectionOnTheCommandLineNamesTheOption) {
  TempDir tmp;
  const CliResult r = run_cli({"run", source_path("tests/data/scenarios/small_synthetic.yaml"),
                               "--site-selection", "cheapest", "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --site-selection: unknown site selection \"cheapest\"; "
                   "known: " + known_site_selection_names() + "\n");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

TEST(CliBadInput, UnknownPlacementOnTheCommandLineNamesTheOption) {
  TempDir tmp;
  const CliResult r = run_cli({"run", source_path("tests/data/scenarios/small_synthetic.yaml"),
                               "--placement", "worst_fit", "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --placement: unknown placement \"worst_fit\"; known: " +
                       known_placement_names() + "\n");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

TEST(CliBadInput, UnknownSiteSelectionListsTheKnownOnes) {
  const std::string f = bad("site_selection_unknown.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":6:17: site_selection: unknown site selection \"cheapest\"; known: " +
                            known_site_selection_names());
}

TEST(CliBadInput, UnknownPlacementListsTheKnownOnes) {
  const std::string f = bad("unknown_placement.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":6:12: placement: unknown placement \"worst_fit\"; known: " +
                            known_placement_names());
  EXPECT_EQ(known_placement_names(), "best_fit, first_fit, topology");
}

TEST(CliBadInput, UnknownGpuTypeNamesTheFleetFileAndListsTheCatalog) {
  const std::string fleet = normal(bad("fleets/unknown_gpu_type.yaml"));
  expect_run_rejects(bad("unknown_gpu_type_in_fleet.yaml"),
                     "fleetsim: error: " + fleet +
                         ":9:62: sites[0].clusters[0].racks[1].gpu_type: unknown GPU type "
                         "\"H200_SXM\"; the catalog lists: A100, H100_SXM");
}

TEST(CliBadInput, DuplicateSiteNamesPointAtTheSecondOne) {
  const std::string fleet = normal(bad("fleets/duplicate_site_names.yaml"));
  expect_run_rejects(
      bad("duplicate_site_names.yaml"),
      "fleetsim: error: " + fleet + ":9:11: sites[1].name: site \"lab\" is listed twice");
}

// --- policy parameters ---

TEST(CliBadInput, PolicyParameterThePolicyDoesNotDeclare) {
  const std::string f = bad("policy_param_unknown.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":8:12: policy.params.depth: policy fifo_backfill has no parameter "
                            "\"depth\"; it declares: none");
}

TEST(CliBadInput, PolicyParameterOfTheWrongType) {
  const std::string f = bad("policy_param_wrong_type.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":7:26: policy.params.strict_order: expected true or false, got "
                            "\"maybe\"");
}

TEST(CliBadInput, PolicyParameterOutsideItsChoices) {
  const std::string f = bad("policy_param_not_a_choice.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":7:17: policy.params.key: expected one of gpu_time, duration, gpus, "
                            "got \"size\"");
}

TEST(CliBadInput, LasThresholdsThatDoNotAscend) {
  // The policy's own cross-parameter check; reported at the list element it names.
  const std::string f = bad("las_thresholds_not_ascending.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":8:24: policy.params.thresholds[1]: must be greater than "
                            "thresholds[0] (600 <= 3600)");
}

TEST(CliBadInput, PriorityQuotasThatPromiseMoreThanTheFleet) {
  const std::string f = bad("priority_quotas_sum_above_one.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f + ":8:13: policy.params.quotas: shares sum to 1.25, more than 1");
}

// --- jobs that can never run ---

TEST(CliBadInput, SyntheticSizeLargerThanTheFleetIsRejectedByValidate) {
  const std::string f = bad("synthetic_job_too_large.yaml");
  expect_validate_rejects(f, "fleetsim: error: " + f +
                                 ":9:9: gpus: job largest generated job needs 32 GPUs but the "
                                 "largest placement the fleet allows (one GPU type, one site) has "
                                 "16");
}

TEST(CliBadInput, SyntheticSizeLargerThanTheFleetIsRejectedByRunBeforeSimulating) {
  // The 32-GPU size has weight 1e-6, so none of the 10 jobs draws it; `run` must still refuse,
  // with the same line as `validate`, instead of depending on the draw.
  const std::string f = bad("synthetic_job_too_large.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":9:9: gpus: job largest generated job needs 32 GPUs but the largest "
                            "placement the fleet allows (one GPU type, one site) has 16");
}

TEST(CliBadInput, SyntheticSizeLargerThanItsResidencyIsRejectedByValidateToo) {
  // 16-GPU jobs fit the US site but may only run in Norway (8 GPUs). `validate` used to leave
  // the residency out and say "valid", while `run` failed at the first arrival.
  const std::string f = bad("synthetic_job_beyond_residency.yaml");
  const std::string line = "fleetsim: error: " + f +
                           ":8:9: gpus: job largest generated job needs 16 GPUs but the largest "
                           "placement the fleet allows (one GPU type, one site of its residency) "
                           "has 8";
  expect_run_rejects(f, line);
  expect_validate_rejects(f, line);
}

TEST(CliBadInput, TraceJobLargerThanTheFleetNamesTheTraceLine) {
  const std::string trace = normal(bad("traces/job_too_large.csv"));
  const std::string line = "fleetsim: error: " + trace +
                           ":4: gpus: job j1 needs 32 GPUs but the largest placement the fleet "
                           "allows (one GPU type it may use, one site) has 16";
  expect_run_rejects(bad("trace_job_too_large.yaml"), line);
  expect_validate_rejects(bad("trace_job_too_large.yaml"), line);
}

// --- trace rows with bad_rows: error ---

struct BrokenTrace {
  const char* scenario;  // tests/data/bad/trace_<name>.yaml -> traces/<name>.csv
  const char* csv;
  const char* rest;  // the line after "<csv path>"
};

void PrintTo(const BrokenTrace& c, std::ostream* os) { *os << c.scenario; }

class CliBrokenTraceRow : public ::testing::TestWithParam<BrokenTrace> {};

TEST_P(CliBrokenTraceRow, StopsTheRunWithOneLineNamingFileLineAndField) {
  const BrokenTrace& c = GetParam();
  expect_run_rejects(bad(c.scenario), "fleetsim: error: " + normal(bad(c.csv)) + c.rest);
}

INSTANTIATE_TEST_SUITE_P(
    BadRowsError, CliBrokenTraceRow,
    ::testing::Values(
        BrokenTrace{"trace_gpus_not_an_integer.yaml", "traces/gpus_not_an_integer.csv",
                    ":4: gpus: \"two\" is not a positive integer"},
        BrokenTrace{"trace_negative_duration.yaml", "traces/negative_duration.csv",
                    ":5: duration_s: \"-60\" is not a number of seconds in [0, 1e11]"},
        BrokenTrace{"trace_wrong_field_count.yaml", "traces/wrong_field_count.csv",
                    ":3: row has 5 fields; the header has 6"},
        BrokenTrace{"trace_unknown_gpu_type.yaml", "traces/unknown_gpu_type.csv",
                    ":4: gpu_type: unknown GPU type \"V100\"; the catalog lists: H100_SXM, A100"},
        BrokenTrace{"trace_duplicate_job_id.yaml", "traces/duplicate_job_id.csv",
                    ":5: job_id: job id \"j0\" appears twice"},
        BrokenTrace{"trace_bad_escape.yaml", "traces/bad_escape.csv",
                    ":4: malformed CSV: unknown escape sequence"},
        BrokenTrace{"trace_empty_job_id.yaml", "traces/empty_job_id.csv",
                    ":3: job_id: empty job id"},
        BrokenTrace{"trace_submit_time_not_a_number.yaml", "traces/submit_time_not_a_number.csv",
                    ":3: submit_time_s: \"noon\" is not a number of seconds in [0, 1e11]"},
        BrokenTrace{"trace_estimate_negative.yaml", "traces/estimate_negative.csv",
                    ":3: estimate_s: \"-5\" is not a number of seconds in [0, 1e11]"},
        BrokenTrace{"trace_max_gpus_below_gpus.yaml", "traces/max_gpus_below_gpus.csv",
                    ":3: max_gpus: \"3\" is not an integer in [4, 2147483648] (at least gpus)"},
        BrokenTrace{"trace_serial_fraction_above_one.yaml", "traces/serial_fraction_above_one.csv",
                    ":3: serial_fraction: \"1.5\" is not a fraction in [0, 1]"},
        BrokenTrace{"trace_gpu_milli_not_an_integer.yaml", "traces/gpu_milli_not_an_integer.csv",
                    ":3: gpu_milli: \"0.5\" is not an integer in [1, 1000]"},
        BrokenTrace{"trace_gpu_milli_above_1000.yaml", "traces/gpu_milli_above_1000.csv",
                    ":3: gpu_milli: \"1500\" is not an integer in [1, 1000]"},
        BrokenTrace{"trace_gpu_milli_of_several_gpus.yaml", "traces/gpu_milli_of_several_gpus.csv",
                    ":3: gpu_milli: a GPU share is of one GPU; gpus is 4"},
        BrokenTrace{"trace_gpu_milli_on_elastic_job.yaml", "traces/gpu_milli_on_elastic_job.csv",
                    ":3: gpu_milli: a GPU share is of one GPU; the job is elastic (min_gpus 1, "
                    "max_gpus 4)"},
        BrokenTrace{"trace_start_slack_negative.yaml", "traces/start_slack_negative.csv",
                    ":3: start_slack_s: \"-3600\" is not a number of seconds in [0, 1e11]"},
        BrokenTrace{"trace_preemptible_not_a_flag.yaml", "traces/preemptible_not_a_flag.csv",
                    ":3: preemptible: \"maybe\" is not true/false/1/0"},
        BrokenTrace{"trace_priority_out_of_range.yaml", "traces/priority_out_of_range.csv",
                    ":3: priority: \"2000000\" is not an integer in [-1000000, 1000000]"},
        BrokenTrace{"trace_data_site_unknown.yaml", "traces/data_site_unknown.csv",
                    ":3: data_site: unknown site \"eu\"; the fleet has: no, us"},
        BrokenTrace{"trace_data_gb_not_a_number.yaml", "traces/data_gb_not_a_number.csv",
                    ":3: data_gb: \"lots\" is not a number of GB >= 0"},
        BrokenTrace{"trace_data_gb_without_data_site.yaml", "traces/data_gb_without_data_site.csv",
                    ":3: data_gb: data_gb without a data_site"},
        BrokenTrace{"trace_residency_unknown.yaml", "traces/residency_unknown.csv",
                    ":3: residency: no site of the fleet is in \"JP\"; its countries and regions: "
                    "NO, US, america, europe"},
        BrokenTrace{"trace_gpu_utilisation_above_one.yaml", "traces/gpu_utilisation_above_one.csv",
                    ":3: gpu_utilisation: \"1.5\" is not a share in (0, 1]"},
        // Read through gzip: 2 MiB of digits compress to 2 KiB.
        BrokenTrace{"trace_line_too_long.yaml", "traces/line_too_long.csv.gz",
                    ":3: line longer than 1048576 bytes: not a row of this format"},
        // Header problems: no row can be read, so bad_rows: skip cannot help either.
        BrokenTrace{"trace_unknown_column_error.yaml", "traces/unknown_column.csv",
                    ":2: gpu_count: unknown column; expected job_id, submit_time_s, gpus, "
                    "duration_s and optionally gpu_type, tenant, estimate_s, preemptible, "
                    "priority, job_class, data_site, data_gb, residency, gpu_utilisation, "
                    "start_slack_s, min_gpus, max_gpus, serial_fraction, gpu_milli"},
        BrokenTrace{"trace_unknown_column_skip.yaml", "traces/unknown_column.csv",
                    ":2: gpu_count: unknown column; expected job_id, submit_time_s, gpus, "
                    "duration_s and optionally gpu_type, tenant, estimate_s, preemptible, "
                    "priority, job_class, data_site, data_gb, residency, gpu_utilisation, "
                    "start_slack_s, min_gpus, max_gpus, serial_fraction, gpu_milli"},
        BrokenTrace{"trace_missing_required_column_error.yaml",
                    "traces/missing_required_column.csv",
                    ":2: duration_s: missing required column"},
        BrokenTrace{"trace_missing_required_column_skip.yaml", "traces/missing_required_column.csv",
                    ":2: duration_s: missing required column"},
        BrokenTrace{"trace_column_listed_twice.yaml", "traces/column_listed_twice.csv",
                    ":1: gpus: column listed twice"},
        BrokenTrace{"trace_header_bad_escape.yaml", "traces/header_bad_escape.csv",
                    ":1: malformed CSV: unknown escape sequence"},
        // A fuzz finding: the CSV escape \n put a newline into the column name and the message.
        BrokenTrace{"trace_header_newline_in_column.yaml", "traces/header_newline_in_column.csv",
                    ":1: gpu\\ntype: unknown column; expected job_id, submit_time_s, gpus, "
                    "duration_s and optionally gpu_type, tenant, estimate_s, preemptible, "
                    "priority, job_class, data_site, data_gb, residency, gpu_utilisation, "
                    "start_slack_s, min_gpus, max_gpus, serial_fraction, gpu_milli"},
        BrokenTrace{"trace_no_header.yaml", "traces/no_header.csv", ": no header row"},
        BrokenTrace{"trace_file_missing.yaml", "traces/no_such_trace.csv",
                    ": cannot open trace file"},
        BrokenTrace{"trace_path_is_a_directory.yaml", "traces",
                    ": cannot open trace file: it is a directory"}),
    [](const ::testing::TestParamInfo<BrokenTrace>& p) {
      return std::filesystem::path(p.param.scenario).stem().string();
    });

// `validate` reads the trace as `run` does: with the fleet's sites, so data_site and residency
// resolve (it used to pass none, and reject line 2's good site "us" as unknown).
TEST_P(CliBrokenTraceRow, ValidateStopsAtTheSameLine) {
  const BrokenTrace& c = GetParam();
  expect_validate_rejects(bad(c.scenario), "fleetsim: error: " + normal(bad(c.csv)) + c.rest);
}

// --- trace rows with bad_rows: skip ---

TEST(CliBadInput, SkippedTraceRowsAreWarnedAboutCountedAndLeftOut) {
  TempDir tmp;
  const std::string csv = normal(bad("traces/broken_rows.csv"));
  const CliResult r = run_cli({"run", bad("trace_broken_rows_skip.yaml"), "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string w = "fleetsim: warning: " + csv;
  EXPECT_EQ(r.err, w + ":5: gpus: \"two\" is not a positive integer; row rejected\n" + w +
                       ":6: duration_s: \"-60\" is not a number of seconds in [0, 1e11]; row rejected\n" + w +
                       ":7: row has 5 fields; the header has 6; row rejected\n" + w +
                       ":8: gpu_type: unknown GPU type \"V100\"; the catalog lists: H100_SXM, "
                       "A100; row rejected\n" +
                       w + ":10: malformed CSV: unknown escape sequence; row rejected\n" + w +
                       ":12: job_id: job id \"j0\" appears twice; row rejected\n");
  const std::string summary = test::read_file(tmp.path() / "out" / "summary.json");
  EXPECT_NE(summary.find("\"trace_rows\": 10,"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"trace_rows_rejected\": 6,"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"jobs\": 4,"), std::string::npos) << summary;
  // The good rows ran: j0 (line 4, not its duplicate on line 12), j4, j8 and j9.
  const std::string jobs = test::read_file(tmp.path() / "out" / "jobs.csv");
  EXPECT_NE(jobs.find("\nj0,a,1,H100_SXM,0.000000,"), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("\nj4,c,4,"), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("\nj8,c,8,"), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("\nj9,d,1,"), std::string::npos) << jobs;
  EXPECT_EQ(std::count(jobs.begin(), jobs.end(), '\n'), 5) << jobs;  // header + 4 rows
  EXPECT_NE(r.out.find("trace rows        6 rejected of 10"), std::string::npos) << r.out;
}

TEST(CliBadInput, ValidateWarnsAboutSkippedRowsToo) {
  const CliResult r = run_cli({"validate", bad("trace_broken_rows_skip.yaml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 6) << r.err;
  EXPECT_NE(r.out.find(": 4 jobs from 10 rows (6 rejected)\n"), std::string::npos) << r.out;
}

// --- command-line mistakes ---

TEST(CliBadInput, NegativeSeedOnTheCommandLine) {
  TempDir tmp;
  const CliResult r = run_cli({"run", source_path("tests/data/scenarios/small_synthetic.yaml"),
                               "--seed", "-1", "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --seed: expected an integer >= 0, got \"-1\"\n");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

TEST(CliBadInput, SeedThatIsNotAnIntegerOnTheCommandLine) {
  const CliResult r = run_cli(
      {"validate", source_path("tests/data/scenarios/small_synthetic.yaml"), "--seed", "1.5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --seed: expected an integer >= 0, got \"1.5\"\n");
}

TEST(CliBadInput, MissingSubcommand) {
  const CliResult r = run_cli({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: A subcommand is required\n");
}

TEST(CliBadInput, RunWithoutAScenario) {
  const CliResult r = run_cli({"run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: scenario is required\n");
}

TEST(CliBadInput, MisspeltOption) {
  const CliResult r =
      run_cli({"run", source_path("tests/data/scenarios/small_synthetic.yaml"), "--polcy", "fifo"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: The following arguments were not expected: fifo --polcy\n");
}

TEST(CliBadInput, LogLevelThatIsNotOne) {
  const CliResult r = run_cli({"--log-level", "loud", "validate",
                               source_path("tests/data/scenarios/small_synthetic.yaml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "fleetsim: error: --log-level: loud not in {trace,debug,info,warning,error,off}\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliBadInput, ResultsFolderInsideAFile) {
  TempDir tmp;
  { std::ofstream(tmp / "file") << "x"; }
  const CliResult r = run_cli(
      {"run", source_path("tests/data/scenarios/small_synthetic.yaml"), "--out", tmp / "file/out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + (tmp / "file/out") +
                       ": cannot create results folder: Not a directory\n");
}

TEST(CliBadInput, ResultsFileThatIsAFolder) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() / "out/summary.json");
  const CliResult r = run_cli(
      {"run", source_path("tests/data/scenarios/small_synthetic.yaml"), "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "fleetsim: error: " + (tmp / "out/summary.json") + ": cannot write results file\n");
}

TEST(CliBadInput, TraceStatsBadRowsThatIsNeitherErrorNorSkip) {
  const CliResult r =
      run_cli({"trace-stats", source_path("tests/data/traces/excerpts/tiresias_60_job.csv"),
               "--format", "tiresias", "--bad-rows", "maybe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --bad-rows: maybe not in {error,skip}\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliBadInput, FailureProcessAtAnUnknownLevel) {
  const std::string f = bad("failure_level_unknown.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":8:26: failures.processes[0].level: expected one of gpu, node, rack, site, got \"socket\"");
}

TEST(CliBadInput, ScriptedFailureOfANodeTheFleetDoesNotHave) {
  // Found once the fleet is built: by `run` and (since it builds the failure model too) by
  // `validate`, which used to say "valid".
  const std::string f = bad("failure_scripted_index_out_of_range.yaml");
  const std::string line = "fleetsim: error: " + f +
                           ":8:38: failures.scripted[0].index: the fleet has 1 node components (0 "
                           "to 0), not 5";
  expect_run_rejects(f, line);
  expect_validate_rejects(f, line);
}

TEST(CliBadInput, CheckpointCostWithoutAnInterval) {
  const std::string f = bad("checkpoint_cost_without_interval.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":6:22: checkpoint.cost_s: a checkpoint cost needs a checkpoint interval_s > 0");
}

// --- inference services ---

TEST(CliBadInput, ServiceMinReplicasAboveMax) {
  const std::string f = bad("service_min_above_max.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":11:86: workload.services[0].min_replicas: min_replicas (5) is "
                            "greater than max_replicas (3)");
}

TEST(CliBadInput, ServiceNegativeDemandRate) {
  const std::string f = bad("service_negative_rate.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":16:41: workload.services[0].demand.mean_rps: expected a number >= "
                            "0, got \"-4\"");
}

TEST(CliBadInput, ServiceMisspeltKey) {
  const std::string f = bad("service_unknown_key.yaml");
  expect_run_rejects(
      f, "fleetsim: error: " + f +
             ":14:7: workload.services[0].slo_msec: unknown key; expected one of: name, model, "
             "gpus_per_replica, concurrency, throughput_rps, slo_ms, slo_goal, user_region, "
             "residency, rtt_ms, min_replicas, max_replicas, start_s, end_s, replica_start_s, "
             "autoscaler, demand, preemptible, priority, tenant");
}

TEST(CliBadInput, ServiceThroughputForAnUnknownGpuType) {
  const std::string f = bad("service_unknown_gpu_type.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":13:30: workload.services[0].throughput_rps.B200: unknown GPU type "
                            "\"B200\"");
}

TEST(CliBadInput, ServiceDemandStepsGoingBack) {
  const std::string f = bad("service_steps_not_ascending.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":16:57: workload.services[0].demand.points[2][0]: times must "
                            "increase (300 after 600)");
}

TEST(CliBadInput, ServiceWithoutALifetime) {
  const std::string f = bad("service_missing_end.yaml");
  expect_run_rejects(f, "fleetsim: error: " + f +
                            ":11:7: workload.services[0].end_s: missing required key");
}

TEST(CliBadInput, ServiceReplicaLargerThanAnySite) {
  // Found once the fleet is built: by `run` and by `validate` alike.
  const std::string f = bad("service_replica_too_large.yaml");
  const std::string line = "fleetsim: error: " + f +
                           ":12:25: workload.services[0].gpus_per_replica: a replica of 32 GPUs "
                           "of type H100_SXM fits on no site of the fleet (largest one-type "
                           "gang: 16 GPUs)";
  expect_run_rejects(f, line);
  expect_validate_rejects(f, line);
}

}  // namespace
}  // namespace fleetsim
