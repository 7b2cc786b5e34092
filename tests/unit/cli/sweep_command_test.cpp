// `fleetsim sweep --check`: every cell run is watched by the InvariantChecker (as `run --check`
// watches one run), the summary says what was checked, and a violation in any cell is printed
// naming the cell's scenario, variant and seed, with exit code 4. The engine breaks no invariant
// on purpose, so the violation case feeds report_sweep_check a sweep report by hand.
#include <filesystem>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "sim/cli/commands.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::CheckEnvironment;
using test::CliResult;
using test::run_cli;
using test::source_path;
using test::TempDir;

std::string two_by_two() { return source_path("tests/data/sweeps/two_by_two.yaml"); }

TEST(SweepCommand, CheckWatchesEveryCellRunAndSaysWhatItChecked) {
  const CheckEnvironment unset(nullptr);
  TempDir tmp;
  // Two of the 12 cells (--max-runs 2), checked: no violation, nothing on stderr but progress.
  const CliResult r =
      run_cli({"sweep", two_by_two(), "-j", "1", "--max-runs", "2", "--check", "--out", tmp / "a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("check:"), std::string::npos) << r.err;
  const std::size_t line = r.out.find("\n  checked 2 cells: ");
  ASSERT_NE(line, std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" job, failure and sample events: all held\n", line), std::string::npos)
      << r.out;
  // Unchecked, the summary has no such line; FLEETSIM_CHECK_INVARIANTS=1 checks as --check does.
  const CliResult plain =
      run_cli({"sweep", two_by_two(), "-j", "1", "--max-runs", "2", "--out", tmp / "b"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("  checked "), std::string::npos) << plain.out;
  const CheckEnvironment set("1");
  const CliResult env =
      run_cli({"sweep", two_by_two(), "-j", "1", "--max-runs", "2", "--out", tmp / "c"});
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_NE(env.out.find("\n  checked 2 cells: "), std::string::npos) << env.out;
  // Cells already complete are not run again, so not checked.
  const CliResult resumed =
      run_cli({"sweep", two_by_two(), "-j", "1", "--max-runs", "1", "--check", "--out", tmp / "c"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("12 cells: 1 run, 2 already complete, 9 left"), std::string::npos)
      << resumed.out;
  EXPECT_NE(resumed.out.find("\n  checked 1 cell: "), std::string::npos) << resumed.out;
}

TEST(SweepCommand, AViolationInOneCellIsNamedByScenarioVariantAndSeedAndExitsFour) {
  // two_by_two's cells in order: small_synthetic x {fifo, fifo_backfill} x seeds 1-3 (0-5),
  // then small_busy likewise (6-11): cell 4 is small_synthetic/fifo_backfill seed 2.
  const SweepPlan plan = load_sweep(two_by_two());
  ASSERT_EQ(plan.cells.size(), 12u);
  SweepReport report;
  report.ran = {4, 7};
  report.checks = {{4, {120, 5000, 3, {"t=5 job j1: a", "t=9: b"}}}, {7, {130, 5200, 0, {}}}};
  std::ostringstream err;
  EXPECT_EQ(report_sweep_check(plan, report, err), kExitCheck);
  EXPECT_EQ(err.str(),
            "fleetsim: check: small_synthetic/fifo_backfill seed 2: t=5 job j1: a\n"
            "fleetsim: check: small_synthetic/fifo_backfill seed 2: t=9: b\n"
            "fleetsim: check: small_synthetic/fifo_backfill seed 2: 3 invariant violations in "
            "5000 checks\n");
  // Clean cells print nothing.
  report.checks.erase(report.checks.begin());
  std::ostringstream clean;
  EXPECT_EQ(report_sweep_check(plan, report, clean), kExitOk);
  EXPECT_EQ(clean.str(), "");
}

}  // namespace
}  // namespace fleetsim
