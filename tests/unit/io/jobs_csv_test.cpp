// jobs.csv rows added in any order (as jobs finish, then the unfinished ones) come out by job
// id, and the optional columns are decided over every row, whenever the job that needs them was
// added.
#include "sim/io/jobs_csv.hpp"

#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/core/error.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

constexpr std::string_view kHeader =
    "job_id,tenant,gpus,gpu_type,submit_s,first_start_s,end_s,queue_delay_s,jct_s,run_time_s,"
    "preemptions,nodes,racks,clusters,sites,outcome,interruptions,lost_s,checkpoint_s,"
    "restart_s,site,staging_s,held_s";

// The header followed by `rest`. Appended, not `std::string(a) + b`: g++ 12 -O2 warns
// (-Wrestrict, a false positive) on the latter.
std::string header_then(std::string_view rest) {
  std::string text(kHeader);
  text.append(rest);
  return text;
}

Job never_started() {  // submitted at 0 s on 8 GPUs, still waiting at the end
  Job j;
  j.spec = test::job("a", 0, 8, 50);
  return j;
}

Job finished() {  // submitted at 10 s, ran from 20 to 120 s on one node of site0
  Job j;
  j.spec = test::job("b", 10, 8, 100);
  j.state = JobState::Done;
  j.first_start = from_seconds(20);
  j.end = from_seconds(120);
  j.run_time = from_seconds(100);
  j.gpu_seconds = 800;
  j.span = {1, 1, 1, 1};
  j.gpu_type = GpuTypeId{0};
  j.site = SiteId{0};
  return j;
}

TEST(JobsCsv, RowsComeOutByIdWhateverTheOrderAdded) {
  JobsCsv csv(test::single_cluster_fleet(1, 1, 8));
  csv.add(JobId{2}, finished());       // finished first
  csv.add(JobId{0}, never_started());  // at the end of the run; id 1 is a replica: no row
  EXPECT_EQ(csv.rows(), 2u);
  // b: delay 20 - 10 = 10 s, JCT 120 - 10 = 110 s.
  EXPECT_EQ(csv.text(),
            header_then("\n"
                        "a,default,8,,0.000000,,,,,0.000000,0,0,0,0,0,never_started,0,0.000000,"
                        "0.000000,0.000000,,0.000000,0.000000\n"
                        "b,default,8,H100,10.000000,20.000000,120.000000,10.000000,110.000000,"
                        "100.000000,0,1,1,1,1,finished,0,0.000000,0.000000,0.000000,site0,"
                        "0.000000,0.000000\n"));
}

TEST(JobsCsv, AnElasticJobAddedLastGivesEveryRowTheElasticColumns) {
  JobsCsv csv(test::single_cluster_fleet(1, 1, 8));
  csv.add(JobId{1}, finished());
  Job elastic = never_started();
  elastic.spec.min_gpus = 2;
  elastic.spec.max_gpus = 8;
  csv.add(JobId{0}, elastic);
  const std::string text = csv.text();
  EXPECT_TRUE(text.starts_with(header_then(",min_gpus,max_gpus,gpu_s,resizes\n")))
      << text;
  EXPECT_NE(text.find(",0.000000,0.000000,2,8,0.000000,0\nb,"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with(",site0,0.000000,0.000000,8,8,800.000000,0\n")) << text;
  EXPECT_EQ(text.find("gpu_milli"), std::string::npos);
}

// The text is kept in 8 MiB chunks: 60,000 rows of ~150 bytes fill two, and every row still
// comes out whole and in id order.
TEST(JobsCsv, RowsAcrossChunksComeOutWhole) {
  JobsCsv csv(test::single_cluster_fleet(1, 1, 8));
  constexpr std::size_t kRows = 60'000;
  for (std::size_t id = kRows; id-- > 0;) {
    Job j = finished();
    j.spec.name = fmt::format("job-{}", id);
    csv.add(JobId{id}, j);
  }
  std::istringstream lines(csv.text());
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, kHeader);
  std::size_t rows = 0;
  for (; std::getline(lines, line); ++rows) {
    ASSERT_EQ(line, fmt::format("job-{},default,8,H100,10.000000,20.000000,120.000000,10.000000,"
                                "110.000000,100.000000,0,1,1,1,1,finished,0,0.000000,0.000000,"
                                "0.000000,site0,0.000000,0.000000",
                                rows));
  }
  EXPECT_EQ(rows, kRows);
}

TEST(JobsCsv, AnIdAddedTwiceIsAnInternalError) {
  JobsCsv csv(test::single_cluster_fleet(1, 1, 8));
  csv.add(JobId{0}, finished());
  EXPECT_THROW(csv.add(JobId{0}, finished()), InternalError);
}

TEST(JobsCsv, NoRowsIsTheHeaderAlone) {
  EXPECT_EQ(JobsCsv(test::single_cluster_fleet(1, 1, 8)).text(), header_then("\n"));
}

}  // namespace
}  // namespace fleetsim
