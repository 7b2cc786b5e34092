// Public trace formats end to end through the CLI: a broken row of each format stops the run with
// one line naming file, line and field (exit 2); bad_rows: skip counts rows by reason in stdout
// and summary.json; `trace-stats` prints the report pinned here for a three-job excerpt.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::CliResult;
using test::normal;
using test::run_cli;
using test::source_path;
using test::TempDir;

std::string bad(const std::string& name) { return source_path("tests/data/bad/" + name); }

struct BrokenFormatRow {
  const char* scenario;  // tests/data/bad/<scenario>
  const char* trace;     // the trace it reads, under tests/data/bad/
  const char* rest;      // the error line after "<trace path>"
};

void PrintTo(const BrokenFormatRow& c, std::ostream* os) { *os << c.scenario; }

class CliBrokenFormatRow : public ::testing::TestWithParam<BrokenFormatRow> {};

TEST_P(CliBrokenFormatRow, StopsTheRunWithOneLineNamingFileLineAndField) {
  const BrokenFormatRow& c = GetParam();
  TempDir tmp;
  const CliResult r = run_cli({"run", bad(c.scenario), "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + normal(bad(c.trace)) + c.rest + "\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

INSTANTIATE_TEST_SUITE_P(
    EachFormat, CliBrokenFormatRow,
    ::testing::Values(
        BrokenFormatRow{"trace_philly_bad_timestamp.yaml", "traces/philly_bad_timestamp.csv",
                        ":3: timestamp: \"2017-13-01 06:13:03\" is not a date-time YYYY-MM-DD "
                        "HH:MM:SS"},
        BrokenFormatRow{"trace_philly_wrong_header.yaml", "traces/philly_wrong_header.csv",
                        ":1: header: expected \"timestamp,duration,num_gpus,gpu_time,cluster\" for "
                        "format philly, got \"job_id,submit_time_s,gpus,duration_s\""},
        BrokenFormatRow{"trace_itp_negative_duration.yaml", "traces/itp_negative_duration.csv",
                        ":3: duration: \"-767\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_gavel_wrong_field_count.yaml",
                        "traces/gavel_wrong_field_count.trace.gz",
                        ":2: row has 6 fields; the format has 7"},
        // zcat recovers 1,451 whole lines; zlib's gzgets stops at what it could check, so the
        // first line it cannot give whole is 1,450 (Debian 12 zlib 1.2.13).
        BrokenFormatRow{"trace_gavel_truncated_gzip.yaml", "traces/gavel_truncated.trace.gz",
                        ":1450: cannot read compressed data: unexpected end of file"},
        BrokenFormatRow{"trace_pollux_replicas_not_a_number.yaml",
                        "traces/pollux_replicas_not_a_number.csv",
                        ":3: num_replicas: \"six\" is not an integer in [0, 1048576]"},
        BrokenFormatRow{"trace_sia_time_with_unit.yaml", "traces/sia_time_with_unit.csv",
                        ":2: time: \"8h\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_tiresias_fractional_gpus.yaml",
                        "traces/tiresias_fractional_gpus.csv",
                        ":4: num_gpu: \"1.5\" is not an integer in [0, 1048576]"},
        BrokenFormatRow{"trace_openb_deleted_before_scheduled.yaml",
                        "traces/openb_deleted_before_scheduled.csv",
                        ":3: deletion_time: 150 is before the start 200"},
        BrokenFormatRow{"trace_philly_negative_hour.yaml", "traces/philly_negative_hour.csv",
                        ":3: timestamp: \"2017-10-09 -1:13:03\" is not a date-time YYYY-MM-DD "
                        "HH:MM:SS"},
        BrokenFormatRow{"trace_philly_gpu_time_mismatch.yaml",
                        "traces/philly_gpu_time_mismatch.csv",
                        ":3: gpu_time: 1546000.0 is not duration x num_gpus = 1546048"},
        BrokenFormatRow{"trace_philly_empty_vc.yaml", "traces/philly_empty_vc.csv",
                        ":3: cluster: empty VC"},
        BrokenFormatRow{"trace_itp_empty_job_id.yaml", "traces/itp_empty_job_id.csv",
                        ":3: job_id: empty job id"},
        BrokenFormatRow{"trace_gavel_run_time_too_long.yaml", "../traces/excerpts/23dbec.trace.gz",
                        ":1: total_steps: 14612 steps at 1e-300 steps/s (v100 throughput) take "
                        "more than 1e11 seconds"},
        BrokenFormatRow{"trace_gavel_empty_job_type.yaml", "traces/gavel_empty_job_type.trace",
                        ":2: job_type: empty job type"},
        BrokenFormatRow{"trace_pollux_empty_name.yaml", "traces/pollux_empty_name.csv",
                        ":3: name: empty job name"},
        BrokenFormatRow{"trace_pollux_fractional_time.yaml", "traces/pollux_fractional_time.csv",
                        ":3: time: \"110.5\" is not a whole number of seconds"},
        BrokenFormatRow{"trace_pollux_empty_application.yaml",
                        "traces/pollux_empty_application.csv",
                        ":3: application: empty application"},
        BrokenFormatRow{"trace_pollux_application_without_work.yaml",
                        "traces/pollux_application_without_work.csv",
                        ":3: application: \"ncf\" has no gpu_s_by_application entry"},
        BrokenFormatRow{"trace_tiresias_empty_model_name.yaml",
                        "traces/tiresias_empty_model_name.csv",
                        ":3: model_name: empty model name"},
        BrokenFormatRow{"trace_openb_empty_pod_name.yaml", "traces/openb_empty_pod_name.csv",
                        ":3: name: empty pod name"},
        BrokenFormatRow{"trace_openb_gpu_pod_with_zero_share.yaml",
                        "traces/openb_gpu_pod_with_zero_share.csv",
                        ":3: gpu_milli: 0 for a pod that asks for GPUs"},
        // Checked for every format by the shared row driver, not by the openb reader.
        BrokenFormatRow{"trace_openb_gpu_share_of_several_gpus.yaml",
                        "traces/openb_gpu_share_of_several_gpus.csv",
                        ":3: gpu_milli: a GPU share is of one GPU; gpus is 2"},
        BrokenFormatRow{"trace_openb_scheduled_before_creation.yaml",
                        "traces/openb_scheduled_before_creation.csv",
                        ":3: scheduled_time: 9679000 is before creation_time 9679175"},
        BrokenFormatRow{"trace_openb_gpu_model_unmapped.yaml",
                        "traces/openb_gpu_model_unmapped.csv",
                        ":3: gpu_type: GPU model \"V100M16\" is neither mapped (gpu_types:) nor a "
                        "catalog type"},
        // Every number column of each format, one fixture per column (shared range checks,
        // but a field name and a line of their own).
        BrokenFormatRow{"trace_philly_duration_not_a_number.yaml",
                        "traces/philly_duration_not_a_number.csv",
                        ":3: duration: \"NaN\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_philly_num_gpus_negative.yaml",
                        "traces/philly_num_gpus_negative.csv",
                        ":3: num_gpus: \"-2\" is not an integer in [0, 1048576]"},
        BrokenFormatRow{"trace_philly_gpu_time_empty.yaml", "traces/philly_gpu_time_empty.csv",
                        ":3: gpu_time: \"\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_itp_submission_time_not_a_number.yaml",
                        "traces/itp_submission_time_not_a_number.csv",
                        ":3: submission_time: \"yesterday\" is not a number of seconds in [0, "
                        "1e11]"},
        BrokenFormatRow{"trace_itp_num_gpu_too_large.yaml", "traces/itp_num_gpu_too_large.csv",
                        ":3: num_gpu: \"2097152\" is not an integer in [0, 1048576]"},
        BrokenFormatRow{"trace_gavel_total_steps_zero.yaml", "traces/gavel_total_steps_zero.trace",
                        ":2: total_steps: \"0\" is not an integer in [1, 4000000000]"},
        BrokenFormatRow{"trace_gavel_arrival_time_negative.yaml",
                        "traces/gavel_arrival_time_negative.trace",
                        ":2: arrival_time: \"-11.000000\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_gavel_scale_factor_fractional.yaml",
                        "traces/gavel_scale_factor_fractional.trace",
                        ":2: scale_factor: \"0.5\" is not an integer in [0, 1048576]"},
        BrokenFormatRow{"trace_pollux_batch_size_zero.yaml", "traces/pollux_batch_size_zero.csv",
                        ":3: batch_size: \"0\" is not an integer in [1, 1073741824]"},
        BrokenFormatRow{"trace_tiresias_empty_job_id.yaml", "traces/tiresias_empty_job_id.csv",
                        ":3: job_id: empty job id"},
        BrokenFormatRow{"trace_tiresias_submit_time_not_a_number.yaml",
                        "traces/tiresias_submit_time_not_a_number.csv",
                        ":3: submit_time: \"30s\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_tiresias_duration_too_long.yaml",
                        "traces/tiresias_duration_too_long.csv",
                        ":3: duration: \"1e12\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_openb_num_gpu_not_a_number.yaml",
                        "traces/openb_num_gpu_not_a_number.csv",
                        ":3: num_gpu: \"two\" is not an integer in [0, 1024]"},
        BrokenFormatRow{"trace_openb_gpu_milli_above_1000.yaml",
                        "traces/openb_gpu_milli_above_1000.csv",
                        ":3: gpu_milli: \"1500\" is not an integer in [0, 1000]"},
        BrokenFormatRow{"trace_openb_creation_time_empty.yaml",
                        "traces/openb_creation_time_empty.csv",
                        ":3: creation_time: \"\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_openb_deletion_time_not_a_number.yaml",
                        "traces/openb_deletion_time_not_a_number.csv",
                        ":3: deletion_time: \"never\" is not a number of seconds in [0, 1e11]"},
        BrokenFormatRow{"trace_openb_scheduled_time_negative.yaml",
                        "traces/openb_scheduled_time_negative.csv",
                        ":3: scheduled_time: \"-5\" is not a number of seconds in [0, 1e11]"},
        // The file itself, read by the shared line reader of every format.
        BrokenFormatRow{"trace_itp_file_missing.yaml", "traces/no_such_cluster.csv",
                        ": cannot open trace file"},
        BrokenFormatRow{"trace_itp_path_is_a_directory.yaml", "traces",
                        ": cannot open trace file: it is a directory"},
        BrokenFormatRow{"trace_itp_empty_file.yaml", "traces/itp_empty.csv", ": no header row"}),
    [](const ::testing::TestParamInfo<BrokenFormatRow>& p) {
      return std::filesystem::path(p.param.scenario).stem().string();
    });

TEST(CliTraceFormats, MisspeltFormatListsTheKnownOnes) {
  const std::string f = bad("trace_unknown_format.yaml");
  TempDir tmp;
  const CliResult r = run_cli({"run", f, "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + f +
                       ":4:35: workload.format: unknown trace format \"phily\"; expected one of: "
                       "native, native_csv, gavel, itp, openb, philly, pollux, sia, tiresias\n");
}

TEST(CliTraceFormats, SkippedAndExcludedRowsAreCountedByReason) {
  TempDir tmp;
  const std::string csv = normal(bad("traces/openb_broken_rows.csv"));
  const CliResult r =
      run_cli({"run", bad("trace_openb_broken_rows_skip.yaml"), "--out", tmp / "out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Unusable and broken rows are warned about with their line; the window is the user's choice.
  EXPECT_EQ(r.err, "fleetsim: warning: " + csv + ":3: no GPU requested; row rejected\n" +
                       "fleetsim: warning: " + csv +
                       ":4: num_gpu: \"two\" is not an integer in [0, 1024]; row rejected\n");
  EXPECT_NE(r.out.find("  trace rows        3 rejected of 5\n"
                       "    rejected        bad num_gpu: 1\n"
                       "    rejected        no GPU requested: 1\n"
                       "    rejected        outside the time window: 1\n"),
            std::string::npos)
      << r.out;
  const std::string summary = test::read_file(tmp.path() / "out" / "summary.json");
  EXPECT_NE(summary.find("\"trace_rows_rejected_by_reason\": {\n    \"bad num_gpu\": 1,\n"
                         "    \"no GPU requested\": 1,\n    \"outside the time window\": 1\n  }"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("\"jobs\": 2,"), std::string::npos) << summary;  // p0 and p3
}

TEST(CliTraceFormats, TraceStatsReportForThreeTiresiasJobs) {
  const std::string f = source_path("tests/data/traces/excerpts/tiresias_60_job.csv");
  const CliResult r = run_cli({"trace-stats", f, "--format", "tiresias"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Submits 0, 30, 53 s; GPUs 1, 8, 2; durations 164, 147, 127 s.
  // Rate: 3 jobs / (53 s / 3600) = 203.77 /h. Percentiles of [127, 147, 164] at index
  // round(p x 2): p50 -> 147, p90 and p99 -> 164. GPU-hours (164 + 8 x 147 + 2 x 127) / 3600 =
  // 0.44.
  EXPECT_EQ(r.out,
            "trace " + f +
                " (format tiresias)\n"
                "  rows              3 read, 3 jobs, 0 rejected\n"
                "  submit span       0 s .. 53 s on the trace clock (0.0 h)\n"
                "  arrival rate      203.77 jobs/h over the span; per clock hour p50 3, p90 3, max 3 "
            "(the hour from 0 s)\n"
                "  arrivals by hour of day (trace clock; UTC for date-time traces)\n"
                "    00h       3 01h       0 02h       0 03h       0 04h       0 05h       0\n"
                "    06h       0 07h       0 08h       0 09h       0 10h       0 11h       0\n"
                "    12h       0 13h       0 14h       0 15h       0 16h       0 17h       0\n"
                "    18h       0 19h       0 20h       0 21h       0 22h       0 23h       0\n"
                "  GPUs per job      1:1 2:1 8:1\n"
                "  duration s        p50 147  p90 164  p99 164  max 164  (nearest, 3 jobs)\n"
                "  GPU-hours         0.4\n"
                "  tenants           1: (none):3\n");
}

TEST(CliTraceFormats, TraceStatsOverThreeThousandYearsCountsTheEmptyHours) {
  // A fuzz finding: the per-hour percentiles stored every hour of the span, 28 million here,
  // which took seconds and hundreds of MB. Submits 0 and 1e11 s: hours 0 and floor(1e11 / 3600)
  // = 27,777,777 (09h of its day, as 27,777,777 = 24 x 1,157,407 + 9), so 27,777,778 hours, all
  // but two empty: p50 and p90 0, max 1, first busiest hour 0. GPU-hours (60 + 2 x 60) / 3600.
  const std::string f = bad("traces/itp_span_3000_years.csv");
  const CliResult r = run_cli({"trace-stats", f, "--format", "itp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "trace " + f +
                " (format itp)\n"
                "  rows              2 read, 2 jobs, 0 rejected\n"
                "  submit span       0 s .. 100000000000 s on the trace clock (27777777.8 h)\n"
                "  arrival rate      0.00 jobs/h over the span; per clock hour p50 0, p90 0, max 1 "
                "(the hour from 0 s)\n"
                "  arrivals by hour of day (trace clock; UTC for date-time traces)\n"
                "    00h       1 01h       0 02h       0 03h       0 04h       0 05h       0\n"
                "    06h       0 07h       0 08h       0 09h       1 10h       0 11h       0\n"
                "    12h       0 13h       0 14h       0 15h       0 16h       0 17h       0\n"
                "    18h       0 19h       0 20h       0 21h       0 22h       0 23h       0\n"
                "  GPUs per job      1:1 2:1\n"
                "  duration s        p50 60  p90 60  p99 60  max 60  (nearest, 2 jobs)\n"
                "  GPU-hours         0.1\n"
                "  tenants           1: itp_span_3000_years:2\n");
}

// Request traces are read by trace-stats only; a broken row ends it like a run.
struct BrokenRequestRow {
  const char* format;
  const char* trace;  // under tests/data/bad/traces/
  const char* rest;
};

void PrintTo(const BrokenRequestRow& c, std::ostream* os) { *os << c.trace; }

class CliBrokenRequestRow : public ::testing::TestWithParam<BrokenRequestRow> {};

TEST_P(CliBrokenRequestRow, TraceStatsStopsWithOneLineNamingFileLineAndField) {
  const BrokenRequestRow& c = GetParam();
  const std::string file = bad(std::string("traces/") + c.trace);
  const CliResult r = run_cli({"trace-stats", file, "--format", c.format});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + file + c.rest + "\n");
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    EachRequestFormat, CliBrokenRequestRow,
    ::testing::Values(
        BrokenRequestRow{"azure_llm", "azure_llm_bad_hour.csv",
                         ":3: TIMESTAMP: \"2023-11-16 25:17:04.0319600\" is not a date-time "
                         "YYYY-MM-DD HH:MM:SS.fffffff"},
        BrokenRequestRow{"mooncake", "mooncake_too_few_blocks.jsonl",
                         ":2: hash_ids: 2 blocks for input_length 1025 (expected 3)"},
        BrokenRequestRow{"dlrm", "dlrm_unknown_role.csv", ":3: role: \"XN\" is neither HN nor CN"},
        BrokenRequestRow{"dlrm", "dlrm_empty_instance.csv", ":3: instance_sn: empty instance id"},
        BrokenRequestRow{"dlrm", "dlrm_deleted_before_scheduled.csv",
                         ":3: deletion_time: 3000.0 is before scheduled_time 3973.0"},
        BrokenRequestRow{"mooncake", "mooncake_not_an_object.jsonl", ":2: not a JSON object"},
        BrokenRequestRow{"mooncake", "mooncake_timestamp_negative.jsonl",
                         ":2: timestamp: missing or not a non-negative integer"},
        BrokenRequestRow{"mooncake", "mooncake_hash_ids_not_a_list.jsonl",
                         ":2: hash_ids: missing or not a list"},
        BrokenRequestRow{
            "genai", "genai_exec_time_not_a_number.csv",
            ":3: exec_time_seconds: \"fast\" is not a number of seconds in [0, 1e11]"},
        BrokenRequestRow{"genai", "genai_gmt_create_with_t.csv",
                         ":3: gmt_create: \"2024-11-15T18:16:14\" is not a date-time YYYY-MM-DD "
                         "HH:MM:SS"},
        BrokenRequestRow{"azure_llm", "azure_llm_context_tokens_not_a_number.csv",
                         ":3: ContextTokens: \"lots\" is not an integer in [0, 16777216]"},
        BrokenRequestRow{"azure_llm", "azure_llm_generated_tokens_negative.csv",
                         ":3: GeneratedTokens: \"-8\" is not an integer in [0, 16777216]"},
        BrokenRequestRow{"dlrm", "dlrm_gpu_request_above_64.csv",
                         ":3: gpu_request: \"65\" is not an integer in [0, 64]"},
        BrokenRequestRow{"dlrm", "dlrm_creation_time_not_a_number.csv",
                         ":3: creation_time: \"soon\" is not a number of seconds in [0, 1e11]"},
        BrokenRequestRow{"dlrm", "dlrm_scheduled_time_negative.csv",
                         ":3: scheduled_time: \"-1.0\" is not a number of seconds in [0, 1e11]"},
        BrokenRequestRow{"dlrm", "dlrm_deletion_time_not_a_number.csv",
                         ":3: deletion_time: \"-\" is not a number of seconds in [0, 1e11]"},
        BrokenRequestRow{"mooncake", "mooncake_input_length_negative.jsonl",
                         ":2: input_length: missing or not a non-negative integer"}),
    [](const ::testing::TestParamInfo<BrokenRequestRow>& p) {
      return std::filesystem::path(p.param.trace).stem().string();
    });

TEST(CliTraceFormats, RequestTraceInAWorkloadPointsToServiceDemand) {
  const std::string f = bad("trace_request_trace_as_workload.yaml");
  TempDir tmp;
  const CliResult r = run_cli({"run", f, "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + f +
                       ":4:35: workload.format: \"azure_llm\" is a request trace (inference), "
                       "not jobs: replay it as a service's demand (services: demand: {kind: "
                       "trace})\n");
}

TEST(CliTraceFormats, TraceStatsUnknownFormatIsBadInput) {
  const CliResult r = run_cli({"trace-stats", "x.csv", "--format", "slurm"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "fleetsim: error: --format: unknown format \"slurm\"; expected one of: gavel, itp, "
      "openb, philly, pollux, sia, tiresias, openb_nodes, pai_machines, spot_nodes, azure_llm, "
      "dlrm, genai, mooncake\n");
}

TEST(CliTraceFormats, TraceStatsNodeList) {
  const CliResult r =
      run_cli({"trace-stats", source_path("tests/data/traces/excerpts/pai_machines.csv"),
               "--format", "pai_machines"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  GPUs              16 on 2 GPU nodes (1 CPU-only nodes)\n"
                       "  GPUs by model     MISC:16 (2 nodes)\n"
                       "  nodes by GPUs     0:1 8:2\n"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace fleetsim
