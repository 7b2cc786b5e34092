// `fleetsim sweep`: the fixed layout of a 2 x 2 x 3 grid, resume after an interrupted sweep (no
// cell lost or run twice, a half-written cell redone), cells byte-identical to `fleetsim run` of
// the same scenario, policy and seed, and the same bytes whatever -j.
#include "sim/sweep/sweep_runner.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>
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

const char* const kResultFiles[] = {"summary.json", "jobs.csv", "timeseries.csv",
                                    "scenario.resolved.yaml"};

std::string two_by_two() { return source_path("tests/data/sweeps/two_by_two.yaml"); }

// Every file under `root` (relative path -> bytes), for comparing whole trees.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).string()] = read_file(entry.path());
    }
  }
  return files;
}

TEST(SweepRunner, TwoScenariosTwoPoliciesThreeSeedsGiveTwelveCellFoldersInTheFixedLayout) {
  TempDir tmp;
  const CliResult r = run_cli({"sweep", two_by_two(), "-j", "2", "--out", tmp / "out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sweep two_by_two: 12 cells: 12 run, 0 already complete, 0 left"),
            std::string::npos)
      << r.out;
  std::set<std::string> folders;
  for (const auto& entry : fs::recursive_directory_iterator(tmp.path() / "out")) {
    if (entry.is_directory()) folders.insert(fs::relative(entry.path(), tmp.path() / "out").string());
  }
  std::set<std::string> expected;
  for (const char* scenario : {"small_synthetic", "small_busy"}) {
    expected.insert(scenario);
    for (const char* policy : {"fifo", "fifo_backfill"}) {
      expected.insert(fmt::format("{}/{}", scenario, policy));
      for (int seed : {1, 2, 3}) {
        const std::string cell = fmt::format("{}/{}/seed-{}", scenario, policy, seed);
        expected.insert(cell);
        for (const char* file : kResultFiles) {
          EXPECT_TRUE(fs::is_regular_file(tmp.path() / "out" / cell / file)) << cell << file;
        }
      }
    }
  }
  EXPECT_EQ(folders, expected);  // and nothing else: no partial folder left behind
}

TEST(SweepRunner, CellIsByteIdenticalToRunOfTheSameScenarioPolicyAndSeed) {
  TempDir tmp;
  ASSERT_EQ(run_cli({"sweep", two_by_two(), "-j", "2", "--out", tmp / "sweep"}).exit_code, 0);
  // Same depth below tmp as the cell folder, so relative paths in the resolved YAML agree.
  for (const auto& [scenario, file, policy, seed] :
       {std::tuple{"small_synthetic", "tests/data/scenarios/small_synthetic.yaml", "fifo_backfill", "2"},
        std::tuple{"small_busy", "tests/data/sweeps/small_busy.yaml", "fifo", "3"}}) {
    const std::string run_dir = tmp / fmt::format("run/{}/{}/seed-{}", scenario, policy, seed);
    const CliResult r =
        run_cli({"run", source_path(file), "--policy", policy, "--seed", seed, "--out", run_dir});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path cell = tmp.path() / "sweep" / scenario / policy / fmt::format("seed-{}", seed);
    for (const char* name : kResultFiles) {
      EXPECT_EQ(read_file(cell / name), read_file(fs::path(run_dir) / name)) << cell << name;
    }
  }
}

TEST(SweepRunner, SameBytesWithOneThreadAndWithTwo) {
  TempDir tmp;
  ASSERT_EQ(run_cli({"sweep", two_by_two(), "-j", "1", "--out", tmp / "j1"}).exit_code, 0);
  ASSERT_EQ(run_cli({"sweep", two_by_two(), "-j", "2", "--out", tmp / "j2"}).exit_code, 0);
  const auto j1 = tree(tmp.path() / "j1");
  EXPECT_EQ(j1.size(), 12u * 5u);
  EXPECT_TRUE(j1 == tree(tmp.path() / "j2"));
}

TEST(SweepRunner, ResumeAfterAnInterruptedSweepRunsEachMissingCellOnceAndNoneTwice) {
  TempDir tmp;
  const SweepPlan plan = load_sweep(two_by_two());
  ASSERT_EQ(plan.cells.size(), 12u);
  const std::string out = tmp / "out";

  // The first attempt stops after 5 cells, as a killed sweep would.
  SweepOptions first;
  first.threads = 2;
  first.max_runs = 5;
  const SweepReport a = run_sweep(plan, out, first);
  ASSERT_EQ(a.ran.size(), 5u);
  EXPECT_TRUE(a.skipped.empty());
  const auto after_first = tree(out);

  // A kill while writing a cell leaves its temporary folder half-written: it must not count.
  const std::size_t victim = [&] {
    for (std::size_t i = 0; i < plan.cells.size(); ++i) {
      if (std::find(a.ran.begin(), a.ran.end(), i) == a.ran.end()) return i;
    }
    return plan.cells.size();
  }();
  ASSERT_LT(victim, plan.cells.size());
  const fs::path cell = cell_folder(out, plan.cells[victim]);
  // fmt: g++ 12 -O3 warns falsely (-Wrestrict) on "." + a std::string.
  const fs::path partial =
      cell.parent_path() / fmt::format(".{}.partial", cell.filename().string());
  fs::create_directories(partial);
  std::ofstream(partial / "summary.json") << "{\"truncat";

  SweepOptions second;
  second.threads = 2;
  std::vector<std::size_t> reported;
  second.on_cell_done = [&](const CellDone& c) {
    if (!c.skipped) reported.push_back(c.index);
  };
  const SweepReport b = run_sweep(plan, out, second);
  EXPECT_EQ(b.skipped, a.ran);  // every finished cell kept ...
  std::set<std::size_t> all(a.ran.begin(), a.ran.end());
  for (std::size_t i : b.ran) {
    EXPECT_TRUE(all.insert(i).second) << "cell " << i << " ran twice";  // ... none run again
  }
  EXPECT_EQ(all.size(), 12u);  // ... and none lost
  EXPECT_EQ(reported.size(), b.ran.size());
  EXPECT_FALSE(fs::exists(partial));

  // The resumed tree equals an uninterrupted sweep's, and the first cells were not rewritten.
  const auto resumed = tree(out);
  for (const auto& [path, bytes] : after_first) EXPECT_EQ(resumed.at(path), bytes) << path;
  TempDir fresh;
  run_sweep(plan, fresh.str(), SweepOptions{});
  EXPECT_TRUE(resumed == tree(fresh.path()));

  // A third run finds nothing to do.
  const SweepReport c = run_sweep(plan, out, second);
  EXPECT_TRUE(c.ran.empty());
  EXPECT_EQ(c.skipped.size(), 12u);
}

TEST(SweepRunner, MaxRunsOnTheCommandLineLeavesTheRestForTheNextRun) {
  TempDir tmp;
  CliResult r = run_cli({"sweep", two_by_two(), "-j", "1", "--max-runs", "7", "--out", tmp / "o"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("12 cells: 7 run, 0 already complete, 5 left"), std::string::npos) << r.out;
  r = run_cli({"sweep", two_by_two(), "-j", "2", "--out", tmp / "o"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("12 cells: 5 run, 7 already complete, 0 left"), std::string::npos) << r.out;
  // Not a terminal: one plain line per cell run, none for the skipped ones but a count.
  EXPECT_NE(r.err.find("fleetsim: sweep: 7 cells already complete, skipped\n"), std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 6) << r.err;
}

TEST(SweepRunner, CellFolderThatIsAFileIsBadInput) {
  // The first cell of las_grid.yaml is a file: the cell runs (it has no results folder yet), and
  // its finished folder cannot be renamed onto the file.
  TempDir tmp;
  fs::create_directories(tmp.path() / "small_synthetic/fifo");
  { std::ofstream(tmp.path() / "small_synthetic/fifo/seed-4") << "x"; }
  const CliResult r = run_cli(
      {"sweep", source_path("tests/data/sweeps/las_grid.yaml"), "-j", "1", "--out", tmp.str()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + (tmp / "small_synthetic/fifo/seed-4") +
                       ": cannot move the finished cell into place: Not a directory\n");
  EXPECT_EQ(r.out, "");
}

TEST(SweepRunner, ShareOfOneRankTakesEveryStrideThCell) {
  TempDir tmp;
  const SweepPlan plan = load_sweep(two_by_two());
  SweepOptions options;
  options.stride = 3;
  options.offset = 1;
  const SweepReport r = run_sweep(plan, tmp.str(), options);
  EXPECT_EQ(r.ran, (std::vector<std::size_t>{1, 4, 7, 10}));
}

TEST(SweepRunner, CheckedCellsAreReportedInCellOrderAndWriteTheSameFiles) {
  TempDir tmp;
  const SweepPlan plan = load_sweep(two_by_two());
  SweepOptions checked;
  checked.threads = 2;
  checked.stride = 3;  // cells 1, 4, 7 and 10
  checked.offset = 1;
  checked.check = true;
  const SweepReport r = run_sweep(plan, tmp / "checked", checked);
  ASSERT_EQ(r.ran, (std::vector<std::size_t>{1, 4, 7, 10}));
  ASSERT_EQ(r.checks.size(), 4u);
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    const CheckReport& check = r.checks[i].report;
    EXPECT_EQ(r.checks[i].index, r.ran[i]);
    EXPECT_EQ(check.violation_count, 0u) << (check.violations.empty() ? "" : check.violations[0]);
    // Each of the cell's 40 jobs arrives, starts and finishes: at least 120 hooks.
    EXPECT_GE(check.events, 120u);
  }
  // Unchecked: no reports, and the same files.
  SweepOptions plain = checked;
  plain.check = false;
  EXPECT_TRUE(run_sweep(plan, tmp / "plain", plain).checks.empty());
  EXPECT_TRUE(tree(tmp.path() / "checked") == tree(tmp.path() / "plain"));
}

TEST(SweepRunner, HelpOfSweepCompareAndPlotNamesTheirOptions) {
  for (const auto& [command, option] : {std::pair{"sweep", "--max-runs"}, {"sweep", "--jobs"},
                                        {"sweep", "--check"},
                                        {"compare", "--baseline"}, {"compare", "--format"},
                                        {"plot", "--python"}}) {
    const CliResult r = run_cli({command, "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find(option), std::string::npos) << command << r.out;
  }
}

}  // namespace
}  // namespace fleetsim
