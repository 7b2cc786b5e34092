// An inflated trace run end to end: one 400-milli job drawn until its demand equals a 16-GPU
// node. Two shares fill 800 of each GPU's 1000 and a third never fits, so 32 of the 40 draws
// start, 8 wait for ever, and 16 - 32 x 0.4 = 3.2 GPUs stay unallocated with 40 % of that
// demand waiting: the fragmentation FGD's inflation experiment measures.
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::run_cli;
using test::source_path;
using test::TempDir;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(InflationRun, SharesOfFourHundredMilliLeaveAFifthOfEachGpuUnallocated) {
  TempDir tmp;
  write(tmp / "jobs.csv", "job_id,submit_time_s,gpus,duration_s,gpu_milli\nsmall,5,1,60,400\n");
  write(tmp / "s.yaml",
        "name: inflated\nfleet: " + source_path("tests/data/fleets/one_node_16gpu.yaml") +
            "\nworkload:\n  source: trace\n  path: jobs.csv\n"
            "  inflate: {demand: 1, interval_s: 2, departures: false}\n"
            "policy: {name: fifo_backfill}\nrun: {until_s: 100}\n");
  // validate draws the same jobs the run will: 40 of 400 milli make 16 GPUs.
  const test::CliResult v = run_cli({"validate", tmp / "s.yaml"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("  inflated    40 jobs drawn (demand 1 x 16 GPUs, one every 2 s, none "
                       "ending)\n"),
            std::string::npos)
      << v.out;
  const test::CliResult r = run_cli({"run", tmp / "s.yaml", "--check", "--out", tmp / "out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(": all held\n"), std::string::npos) << r.out;

  std::istringstream jobs(test::read_file(tmp.path() / "out" / "jobs.csv"));
  std::string line;
  std::getline(jobs, line);  // header
  int running = 0, queued = 0, rows = 0;
  while (std::getline(jobs, line)) {
    const std::string name = fmt::format("small#{}", rows);
    EXPECT_EQ(line.rfind(name + ",", 0), 0U) << line;  // drawn in order, named by draw
    // Arrivals every 2 s from 0; a share that fits starts on arrival.
    const std::string submit = fmt::format(",{}.000000,", 2 * rows);
    EXPECT_NE(line.find(submit), std::string::npos) << line;
    running += line.find(",running_at_end,") != std::string::npos;
    queued += line.find(",never_started,") != std::string::npos;
    ++rows;
  }
  EXPECT_EQ(rows, 40);
  EXPECT_EQ(running, 32);
  EXPECT_EQ(queued, 8);
  const std::string summary = test::read_file(tmp.path() / "out" / "summary.json");
  EXPECT_NE(summary.find("\"mean_fragmented_gpus\""), std::string::npos);
}

}  // namespace
}  // namespace fleetsim
