// `fleetsim plot DIR`: the compare table as CSV plus PNG and SVG of each plot per scenario, drawn
// by scripts/plot_results.py. Skipped where Debian's python3-matplotlib is not installed.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
using test::CliResult;
using test::read_file;
using test::run_cli;
using test::source_path;
using test::TempDir;

bool has_matplotlib() {
  const int status = std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1");
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(SweepPlot, WritesCompareCsvAndEveryPlotAsPngAndSvg) {
  if (!has_matplotlib()) GTEST_SKIP() << "python3-matplotlib is not installed";
  TempDir tmp;
  // One scenario, five variants (las_grid.yaml): every plot once, in about a second.
  ASSERT_EQ(run_cli({"sweep", source_path("tests/data/sweeps/las_grid.yaml"), "--out",
                     tmp / "s"}).exit_code, 0);
  const CliResult r = run_cli({"plot", tmp / "s", "--baseline", "fifo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "plots in " + (tmp / "s/plots") + "/\n");
  const fs::path plots = tmp.path() / "s/plots";
  EXPECT_EQ(read_file(plots / "compare.csv").substr(0, 17), "scenario,variant,");
  for (const char* scenario : {"small_synthetic"}) {
    for (const char* plot : {"jct_cdf", "queue_delay_cdf", "utilisation", "compare"}) {
      const std::string stem = std::string(scenario) + "_" + plot;
      EXPECT_EQ(read_file(plots / (stem + ".png")).substr(1, 3), "PNG") << stem;
      EXPECT_NE(read_file(plots / (stem + ".svg")).find("<svg"), std::string::npos) << stem;
    }
  }
  // An uncapped single-site fleet has no per-site plot: it would repeat the utilisation one.
  for (const fs::directory_entry& e : fs::directory_iterator(plots)) {
    EXPECT_EQ(e.path().filename().string().find("_sites."), std::string::npos) << e.path();
  }
}

TEST(SweepPlot, ACappedFleetGetsEachSitesPowerAgainstItsCap) {
  if (!has_matplotlib()) GTEST_SKIP() << "python3-matplotlib is not installed";
  TempDir tmp;
  ASSERT_EQ(run_cli({"run", source_path("tests/data/scenarios/cap_schedule.yaml"), "--out",
                     tmp / "r/cap_schedule/seed-7"}).exit_code, 0);
  const CliResult r = run_cli({"plot", tmp / "r"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path plots = tmp.path() / "r/plots";
  EXPECT_EQ(read_file(plots / "cap_schedule_fifo_sites.png").substr(1, 3), "PNG");
  EXPECT_NE(read_file(plots / "cap_schedule_fifo_sites.svg").find("IT cap"), std::string::npos);
}

TEST(SweepPlot, InterpreterThatCannotStartIsBadInput) {
  TempDir tmp;
  ASSERT_EQ(run_cli({"sweep", source_path("tests/data/sweeps/two_by_two.yaml"), "--out",
                     tmp / "s"}).exit_code, 0);
  const CliResult r = run_cli({"plot", tmp / "s", "--python", tmp / "no_python"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --python: cannot start \"" + (tmp / "no_python") + "\"\n");
}

TEST(SweepPlot, ScriptThatFailsIsBadInput) {
  // `false` starts and exits 1, as the script does when its input is not what it expects.
  TempDir tmp;
  ASSERT_EQ(run_cli({"run", source_path("tests/data/scenarios/small_synthetic.yaml"), "--out",
                     tmp / "r/small_synthetic/seed-1"})
                .exit_code,
            0);
  const CliResult r = run_cli({"plot", tmp / "r", "--python", "false"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "fleetsim: error: plot: plot_results.py failed (exit 1); see its message above\n");
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace fleetsim
