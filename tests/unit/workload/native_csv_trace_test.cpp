// read_native_csv: header in any column order, every optional column, '|' type lists, comments
// and blank lines, CRLF line ends, quoted fields, and broken rows (error or skip-and-count).
#include "sim/workload/native_csv_trace.hpp"

#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "sim/workload/vector_source.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::TempDir;

const GpuCatalog& catalog() {
  static const GpuCatalog c = test::test_catalog();  // H100 (reference), A100
  return c;
}

class NativeCsvTrace : public ::testing::Test {
 protected:
  // Writes `text` byte for byte and reads it back; errors name the file "t.csv".
  TraceReadResult read(const std::string& text, BadRows bad_rows = BadRows::Error) {
    const std::string path = dir_ / "t.csv";
    std::ofstream(path, std::ios::binary) << text;
    return read_native_csv(path, "t.csv", catalog(), bad_rows);
  }
  std::string error_of(const std::string& text, BadRows bad_rows = BadRows::Error) {
    try {
      read(text, bad_rows);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no ConfigError";
  }

  TempDir dir_;
};

TEST_F(NativeCsvTrace, RequiredColumnsOnlyGiveDefaults) {
  const TraceReadResult r = read("job_id,submit_time_s,gpus,duration_s\nj0,12.5,8,3600\n");
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.rows, 1u);
  EXPECT_EQ(r.rejected, 0u);
  const JobSpec& j = r.jobs[0];
  EXPECT_EQ(j.name, "j0");
  EXPECT_EQ(j.submit, 12'500'000);
  EXPECT_EQ(j.gpus, 8u);
  EXPECT_EQ(j.duration, 3'600'000'000);
  EXPECT_EQ(j.tenant, "default");
  EXPECT_EQ(j.job_class, "default");
  EXPECT_TRUE(j.allowed_types.empty());
  EXPECT_FALSE(j.estimate.has_value());
  EXPECT_TRUE(j.preemptible);
  EXPECT_EQ(j.priority, 0);
  EXPECT_EQ(j.source_line, 2u);
}

TEST_F(NativeCsvTrace, EveryOptionalColumnInAnyOrder) {
  const TraceReadResult r = read(
      "priority,job_class,preemptible,estimate_s,tenant,gpu_type,duration_s,gpus,submit_time_s,job_"
      "id\n"
      "-3,llm,false,4000.25,vc7,A100|H100,3600,16,1.5,big\n"
      "7,,1,,,,60,1,2,small\n");
  ASSERT_EQ(r.jobs.size(), 2u);
  const JobSpec& big = r.jobs[0];
  EXPECT_EQ(big.name, "big");
  EXPECT_EQ(big.submit, 1'500'000);
  EXPECT_EQ(big.gpus, 16u);
  EXPECT_EQ(big.duration, 3'600'000'000);
  EXPECT_EQ(big.allowed_types,
            (std::vector<GpuTypeId>{*catalog().find("A100"), *catalog().find("H100")}));
  EXPECT_EQ(big.tenant, "vc7");
  ASSERT_TRUE(big.estimate.has_value());
  EXPECT_EQ(*big.estimate, 4'000'250'000);
  EXPECT_FALSE(big.preemptible);
  EXPECT_EQ(big.priority, -3);
  EXPECT_EQ(big.job_class, "llm");
  // Empty optional cells take the defaults.
  const JobSpec& small = r.jobs[1];
  EXPECT_EQ(small.priority, 7);
  EXPECT_TRUE(small.preemptible);  // "1"
  EXPECT_EQ(small.tenant, "default");
  EXPECT_EQ(small.job_class, "default");
  EXPECT_TRUE(small.allowed_types.empty());
  EXPECT_FALSE(small.estimate.has_value());
}

TEST_F(NativeCsvTrace, StartSlackIsReadInSecondsAndEmptyMeansNotFlexible) {
  const TraceReadResult r = read(
      "job_id,submit_time_s,gpus,duration_s,start_slack_s\n"
      "f,0,8,3600,43200.5\n"
      "n,1,8,3600,\n");
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].start_slack, 43'200'500'000);
  EXPECT_EQ(r.jobs[1].start_slack, 0);
  EXPECT_EQ(error_of("job_id,submit_time_s,gpus,duration_s,start_slack_s\nf,0,8,60,-1\n"),
            "t.csv:2: start_slack_s: \"-1\" is not a number of seconds in [0, 1e11]");
  EXPECT_EQ(error_of("job_id,submit_time_s,gpus,duration_s,start_slack_s\nf,0,8,60,12h\n"),
            "t.csv:2: start_slack_s: \"12h\" is not a number of seconds in [0, 1e11]");
}

TEST_F(NativeCsvTrace, GpuMilliIsAShareOfOneGpuAndEmptyMeansAWholeOne) {
  const TraceReadResult r = read(
      "job_id,submit_time_s,gpus,duration_s,gpu_milli\n"
      "quarter,0,1,60,250\n"
      "least,1,1,60,1\n"
      "blank,2,1,60,\n"
      "whole,3,1,60,1000\n"
      "gang,4,8,60,1000\n"  // 1000 = whole GPUs: any gang may say so
      "gang_blank,5,8,60,\n");
  ASSERT_EQ(r.jobs.size(), 6u);
  EXPECT_EQ(r.jobs[0].gpu_milli, 250);
  EXPECT_EQ(r.jobs[1].gpu_milli, 1);
  for (std::size_t i = 2; i < 6; ++i) EXPECT_EQ(r.jobs[i].gpu_milli, 1000) << r.jobs[i].name;
  // Without the column every job asks for whole GPUs.
  EXPECT_EQ(read("job_id,submit_time_s,gpus,duration_s\nj0,0,1,60\n").jobs[0].gpu_milli, 1000);
}

TEST_F(NativeCsvTrace, GpuMilliOutOfRangeOrOnMoreThanOneGpuIsABrokenRow) {
  const std::string h = "job_id,submit_time_s,gpus,duration_s,gpu_milli\n";
  EXPECT_EQ(error_of(h + "j0,0,1,60,0.5\n"),
            "t.csv:2: gpu_milli: \"0.5\" is not an integer in [1, 1000]");
  EXPECT_EQ(error_of(h + "j0,0,1,60,half\n"),
            "t.csv:2: gpu_milli: \"half\" is not an integer in [1, 1000]");
  EXPECT_EQ(error_of(h + "j0,0,1,60,0\n"),
            "t.csv:2: gpu_milli: \"0\" is not an integer in [1, 1000]");
  EXPECT_EQ(error_of(h + "j0,0,1,60,1001\n"),
            "t.csv:2: gpu_milli: \"1001\" is not an integer in [1, 1000]");
  EXPECT_EQ(error_of(h + "j0,0,1,60,-250\n"),
            "t.csv:2: gpu_milli: \"-250\" is not an integer in [1, 1000]");
  EXPECT_EQ(error_of(h + "j0,0,2,60,500\n"),
            "t.csv:2: gpu_milli: a GPU share is of one GPU; gpus is 2");
  EXPECT_EQ(error_of(h + "j0,0,8,60,999\n"),
            "t.csv:2: gpu_milli: a GPU share is of one GPU; gpus is 8");
  // An elastic row may run on several GPUs; a rigid range of one (min = max = 1) is fine.
  const std::string e = "job_id,submit_time_s,gpus,duration_s,min_gpus,max_gpus,gpu_milli\n";
  EXPECT_EQ(error_of(e + "j0,0,1,60,1,4,500\n"),
            "t.csv:2: gpu_milli: a GPU share is of one GPU; the job is elastic (min_gpus 1, "
            "max_gpus 4)");
  EXPECT_EQ(read(e + "j0,0,1,60,1,1,500\n").jobs[0].gpu_milli, 500);
  EXPECT_EQ(read(e + "j0,0,1,60,1,4,1000\n").jobs[0].max_gang(), 4u);
}

TEST_F(NativeCsvTrace, SkipModeCountsBadGpuMilliRows) {
  const TraceReadResult r = read(
      "job_id,submit_time_s,gpus,duration_s,gpu_milli\n"
      "j0,0,1,60,500\n"
      "j1,1,2,60,500\n"   // a share of two GPUs
      "j2,2,1,60,2000\n"  // out of range
      "j3,3,2,60,\n",
      BadRows::Skip);
  EXPECT_EQ(r.rows, 4u);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(r.rejected_by_reason, (std::map<std::string, std::uint64_t>{{"bad gpu_milli", 2}}));
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].name, "j0");
  EXPECT_EQ(r.jobs[1].name, "j3");
  EXPECT_EQ(r.jobs[1].gpu_milli, 1000);
}

TEST_F(NativeCsvTrace, CommentsAndBlankLinesAreSkippedButCountedAsLines) {
  const TraceReadResult r = read(
      "# a trace\n"                             // 1
      "\n"                                      // 2
      "job_id,submit_time_s,gpus,duration_s\n"  // 3
      "# between rows\n"                        // 4
      "j0,0,1,60\n"                             // 5
      "\n"                                      // 6
      "j1,5,2,60\n");                           // 7
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.rows, 2u);
  EXPECT_EQ(r.jobs[0].source_line, 5u);
  EXPECT_EQ(r.jobs[1].source_line, 7u);
}

TEST_F(NativeCsvTrace, CrlfLineEndsReadLikeLf) {
  const TraceReadResult r =
      read("job_id,submit_time_s,gpus,duration_s,tenant\r\nj0,0,1,60,vc1\r\n\r\nj1,5,2,30,vc2\r\n");
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].tenant, "vc1");  // no '\r' left on the last cell
  EXPECT_EQ(r.jobs[1].tenant, "vc2");
  EXPECT_EQ(r.jobs[1].source_line, 4u);
}

TEST_F(NativeCsvTrace, QuotedFieldsMayHoldCommas) {
  const TraceReadResult r =
      read("job_id,submit_time_s,gpus,duration_s,tenant\n\"a,b\",0,1,60,\"vc, one\"\n");
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].name, "a,b");
  EXPECT_EQ(r.jobs[0].tenant, "vc, one");
}

TEST_F(NativeCsvTrace, RowsStayInFileOrderAndVectorSourceStableSortsBySubmitTime) {
  // j2 and j0 share submit 10 s: they keep their file order (j2 first) after sorting.
  TraceReadResult r = read(
      "job_id,submit_time_s,gpus,duration_s\n"
      "j2,10,1,60\n"
      "j3,30,1,60\n"
      "j0,10,1,60\n"
      "j1,5,1,60\n");
  std::vector<std::string> file_order;
  for (const JobSpec& j : r.jobs) file_order.push_back(j.name);
  EXPECT_EQ(file_order, (std::vector<std::string>{"j2", "j3", "j0", "j1"}));

  VectorSource source(std::move(r.jobs), "t.csv");
  std::vector<std::string> order;
  while (std::optional<JobSpec> j = source.next()) {
    order.push_back(j->name);
    if (j->name == "j0") {
      EXPECT_EQ(source.origin(*j).str(), "t.csv:4");  // origin = the row's line
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"j1", "j2", "j0", "j3"}));
}

TEST_F(NativeCsvTrace, ZeroDurationAndZeroSubmitAreAllowed) {
  const TraceReadResult r = read("job_id,submit_time_s,gpus,duration_s\nj0,0,1,0\n");
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].duration, 0);
}

TEST_F(NativeCsvTrace, BrokenRowsStopTheReadWithFileLineAndField) {
  const std::string h =
      "job_id,submit_time_s,gpus,duration_s,gpu_type,estimate_s,preemptible,priority\n";
  EXPECT_EQ(error_of(h + "j0,0,x,60,,,,\n"), "t.csv:2: gpus: \"x\" is not a positive integer");
  EXPECT_EQ(error_of(h + "j0,0,0,60,,,,\n"), "t.csv:2: gpus: \"0\" is not a positive integer");
  EXPECT_EQ(error_of(h + "j0,0,2.5,60,,,,\n"), "t.csv:2: gpus: \"2.5\" is not a positive integer");
  EXPECT_EQ(error_of(h + "j0,0,1,-1,,,,\n"), "t.csv:2: duration_s: \"-1\" is not a number of seconds in [0, 1e11]");
  EXPECT_EQ(error_of(h + "j0,-5,1,60,,,,\n"),
            "t.csv:2: submit_time_s: \"-5\" is not a number of seconds in [0, 1e11]");
  EXPECT_EQ(error_of(h + "j0,soon,1,60,,,,\n"),
            "t.csv:2: submit_time_s: \"soon\" is not a number of seconds in [0, 1e11]");
  EXPECT_EQ(error_of(h + ",0,1,60,,,,\n"), "t.csv:2: job_id: empty job id");
  EXPECT_EQ(error_of(h + "j0,0,1,60,H100|B200,,,\n"),
            "t.csv:2: gpu_type: unknown GPU type \"B200\"; the catalog lists: H100, A100");
  EXPECT_EQ(error_of(h + "j0,0,1,60,,-2,,\n"), "t.csv:2: estimate_s: \"-2\" is not a number of seconds in [0, 1e11]");
  EXPECT_EQ(error_of(h + "j0,0,1,60,,,yes,\n"),
            "t.csv:2: preemptible: \"yes\" is not true/false/1/0");
  EXPECT_EQ(error_of(h + "j0,0,1,60,,,,high\n"),
            "t.csv:2: priority: \"high\" is not an integer in [-1000000, 1000000]");
  EXPECT_EQ(error_of(h + "j0,0,1,60\n"), "t.csv:2: row has 4 fields; the header has 8");
  EXPECT_EQ(error_of(h + "j0,0,1,60,,,,\nj0,1,1,60,,,,\n"),
            "t.csv:3: job_id: job id \"j0\" appears twice");
  EXPECT_EQ(error_of(h + "j0,0,1,60,,,,\\q\n"), "t.csv:2: malformed CSV: unknown escape sequence");
}

TEST_F(NativeCsvTrace, HeaderProblemsAreErrorsEvenWhenSkippingRows) {
  EXPECT_EQ(error_of("job_id,submit_time_s,gpus\nj0,0,1\n", BadRows::Skip),
            "t.csv:1: duration_s: missing required column");
  EXPECT_EQ(error_of("job_id,submit_time_s,gpus,duration_s,user\n", BadRows::Skip),
            "t.csv:1: user: unknown column; expected job_id, submit_time_s, gpus, duration_s and "
            "optionally gpu_type, tenant, estimate_s, preemptible, priority, job_class, data_site, "
            "data_gb, residency, gpu_utilisation, start_slack_s, min_gpus, max_gpus, "
            "serial_fraction, gpu_milli");
  EXPECT_EQ(error_of("job_id,submit_time_s,gpus,duration_s,gpus\n", BadRows::Skip),
            "t.csv:1: gpus: column listed twice");
  EXPECT_EQ(error_of("# nothing but a comment\n", BadRows::Skip), "t.csv: no header row");
  EXPECT_EQ(error_of("", BadRows::Skip), "t.csv: no header row");
}

TEST_F(NativeCsvTrace, SkipModeCountsAndLeavesOutBrokenRows) {
  const TraceReadResult r = read(
      "job_id,submit_time_s,gpus,duration_s\n"
      "j0,0,1,60\n"
      "j1,0,x,60\n"  // gpus
      "j2,0,1\n"     // field count
      "j0,3,1,60\n"  // duplicate id
      "j3,4,2,30\n",
      BadRows::Skip);
  EXPECT_EQ(r.rows, 5u);
  EXPECT_EQ(r.rejected, 3u);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].name, "j0");
  EXPECT_EQ(r.jobs[0].submit, 0);  // the first j0 is kept, the duplicate dropped
  EXPECT_EQ(r.jobs[1].name, "j3");
}

TEST_F(NativeCsvTrace, MissingFileIsAConfigErrorNamingTheDisplayPath) {
  try {
    read_native_csv(dir_ / "absent.csv", "traces/absent.csv", catalog(), BadRows::Skip);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "traces/absent.csv: cannot open trace file");
  }
}

TEST_F(NativeCsvTrace, DirectoryIsNotATraceFile) {
  try {
    read_native_csv(dir_.str(), "traces", catalog(), BadRows::Skip);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "traces: cannot open trace file: it is a directory");
  }
}

TEST_F(NativeCsvTrace, HeaderOnlyTraceHasNoJobs) {
  const TraceReadResult r = read("job_id,submit_time_s,gpus,duration_s\n");
  EXPECT_TRUE(r.jobs.empty());
  EXPECT_EQ(r.rows, 0u);
}

}  // namespace
}  // namespace fleetsim
