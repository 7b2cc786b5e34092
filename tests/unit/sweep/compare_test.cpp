// `fleetsim compare`: finds runs in a sweep's layout, groups them by scenario and variant, and
// reports mean +- 95% CI and paired differences vs the baseline, checked against hand arithmetic
// on summaries written by the test.
#include "sim/sweep/compare.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/sweep/compare_format.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
using test::CliResult;
using test::run_cli;
using test::TempDir;

// A summary.json with the fields compare reads; JCT mean `jct_h` hours, carbon `carbon_t`, the
// rest fixed.
void write_summary(const fs::path& dir, const std::string& scenario, const std::string& policy,
                   int seed, double jct_h, const std::string& site_selection = "any",
                   double carbon_t = 1) {
  fs::create_directories(dir);
  std::ofstream(dir / "summary.json") << fmt::format(
      R"({{"scenario": "{}", "seed": {}, "policy": "{}", "site_selection": "{}", "finished": 40,
          "preemptions": 0, "jct_s": {{"mean": {}, "p50": 0, "p95": 0, "p99": 0}},
          "queue_delay_s": {{"mean": 0, "p95": 0}}, "makespan_s": 7200,
          "gpu_utilisation": 0.5, "energy": {{"it_mwh": 2, "facility_mwh": 2.4,
          "carbon_t": {}, "cost_usd": 100}}}})",
      scenario, seed, policy, site_selection, jct_h * 3600, carbon_t);
}

// Seeds 1-3 of fifo (JCT 10, 12, 14 h) and las (11, 14, 15 h) in a sweep's layout, plus las
// seed 4, which fifo lacks and so cannot be paired.
void write_sweep(const fs::path& root) {
  const double fifo[] = {10, 12, 14};
  const double las[] = {11, 14, 15, 20};
  for (int s = 1; s <= 3; ++s) {
    write_summary(root / fmt::format("toy/fifo/seed-{}", s), "toy", "fifo", s, fifo[s - 1]);
  }
  for (int s = 1; s <= 4; ++s) {
    write_summary(root / fmt::format("toy/las/skip_blocked=true/seed-{}", s), "toy", "las", s,
                  las[s - 1]);
  }
  fs::create_directories(root / "toy/fifo/.seed-4.partial");  // an unfinished cell: ignored
  write_summary(root / "toy/fifo/.seed-4.partial", "toy", "fifo", 4, 99);
}

TEST(SweepCompare, MeansIntervalsAndPairedDifferencesMatchHandArithmetic) {
  TempDir tmp;
  write_sweep(tmp.path());
  const std::vector<RunRecord> runs = find_runs({tmp.str()});
  ASSERT_EQ(runs.size(), 7u);
  const Comparison c = compare_runs(runs, "fifo");
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0].variant, "fifo");  // the baseline first
  EXPECT_EQ(c.rows[1].variant, "las/skip_blocked=true");
  EXPECT_EQ(c.rows[1].seeds, (std::vector<std::uint64_t>{1, 2, 3, 4}));
  ASSERT_EQ(compared_metrics()[0], "jct_mean_h");
  // fifo {10, 12, 14}: mean 12, s = 2, half = t(0.975, 2) * 2 / sqrt(3) = 4.968275.
  EXPECT_DOUBLE_EQ(c.rows[0].metrics[0].value.mean, 12.0);
  EXPECT_NEAR(c.rows[0].metrics[0].value.half_width, 4.968275, 1e-6);
  EXPECT_FALSE(c.rows[0].metrics[0].vs_baseline);
  // las {11, 14, 15, 20}: mean 15; squares 16 + 1 + 0 + 25 = 42, s^2 = 14, s = 3.741657;
  // t(0.975, 3) = 3.182446; half = 3.182446 * 3.741657 / 2 = 3.182446 * 1.870829 = 5.953812.
  EXPECT_DOUBLE_EQ(c.rows[1].metrics[0].value.mean, 15.0);
  EXPECT_NEAR(c.rows[1].metrics[0].value.half_width, 5.953812, 1e-6);
  // Paired on seeds 1-3 only: differences {1, 2, 1}, mean 4/3, half = 4.302653 / 3 = 1.434218.
  ASSERT_TRUE(c.rows[1].metrics[0].vs_baseline);
  EXPECT_EQ(c.rows[1].metrics[0].vs_baseline->n, 3u);
  EXPECT_NEAR(c.rows[1].metrics[0].vs_baseline->mean, 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(c.rows[1].metrics[0].vs_baseline->half_width, 1.434218, 1e-6);
  // Utilisation is 0.5 everywhere: zero-width intervals, zero difference.
  EXPECT_DOUBLE_EQ(c.rows[1].metrics[7].value.half_width, 0.0);
  EXPECT_DOUBLE_EQ(c.rows[1].metrics[7].vs_baseline->mean, 0.0);
}

TEST(SweepCompare, CsvHasOneRowPerVariantAndMetricWithBounds) {
  TempDir tmp;
  write_sweep(tmp.path());
  const std::string csv =
      format_comparison(compare_runs(find_runs({tmp.str()}), "fifo"), CompareFormat::Csv);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "scenario,variant,metric,n,mean,ci95_low,ci95_high,baseline,diff_n,diff_mean,"
            "diff_ci95_low,diff_ci95_high");
  EXPECT_NE(csv.find("\ntoy,fifo,jct_mean_h,3,12.000000,7.031725,16.968275,fifo,,,,\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\ntoy,las/skip_blocked=true,jct_mean_h,4,15.000000,9.046188,20.953812,"
                     "fifo,3,1.333333,-0.100884,2.767551\n"),
            std::string::npos)
      << csv;
  // The header, then 2 variants x 14 metrics.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 14);
}

TEST(SweepCompare, CommandPrintsTableAndMarkdownAndRejectsAnUnknownBaseline) {
  TempDir tmp;
  write_sweep(tmp.path());
  CliResult r = run_cli({"compare", tmp.str(), "--baseline", "fifo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("scenario toy: mean ± 95% CI across seeds (Student t)\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("12.000 ± 4.968"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1.333 ± 1.434"), std::string::npos) << r.out;
  r = run_cli({"compare", tmp.str(), "--baseline", "fifo", "--format", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| jct_mean_h | `fifo` | 3 | 12.000 ± 4.968 |  |\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("|  | `las/skip_blocked=true` | 4 | 15.000 ± 5.954 | 1.333 ± 1.434 |\n"),
            std::string::npos)
      << r.out;
  r = run_cli({"compare", tmp.str(), "--baseline", "sjf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: --baseline: no runs of \"sjf\" in scenario toy; it has: "
                   "fifo, las/skip_blocked=true\n");
}

TEST(SweepCompare, GridVariantsAreNamedByTheirFoldersEvenFromTheScenarioFolder) {
  TempDir tmp;
  ASSERT_EQ(run_cli({"sweep", test::source_path("tests/data/sweeps/las_grid.yaml"), "--out",
                     tmp.str()}).exit_code, 0);
  for (const std::string& dir : {tmp.str(), tmp / "small_synthetic"}) {
    const Comparison c = compare_runs(find_runs({dir}), "fifo");
    std::vector<std::string> variants;
    for (const VariantComparison& row : c.rows) variants.push_back(row.variant);
    EXPECT_EQ(variants, (std::vector<std::string>{
                            "fifo", "las/service=gpu_time/skip_blocked=false",
                            "las/service=gpu_time/skip_blocked=true",
                            "las/service=run_time/skip_blocked=false",
                            "las/service=run_time/skip_blocked=true"}))
        << dir;
    EXPECT_EQ(c.rows[1].seeds, (std::vector<std::uint64_t>{4, 5}));
  }
}

TEST(SweepCompare, SameRunReachedTwiceIsBadInputNamingBothFolders) {
  TempDir tmp;
  write_sweep(tmp.path());
  const CliResult r = run_cli({"compare", tmp.str(), tmp / "toy/fifo"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + (tmp / "toy/fifo/seed-1") +
                       ": scenario toy, fifo, seed 1 is also in " + (tmp / "toy/fifo/seed-1") + "\n");
}

TEST(SweepCompare, FolderWithoutResultsIsBadInput) {
  TempDir tmp;
  const CliResult r = run_cli({"compare", tmp.str()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + tmp.str() +
                       ": no results found (no folder with a summary.json)\n");
}

TEST(SweepCompare, FolderThatDoesNotExistIsBadInput) {
  TempDir tmp;
  const CliResult r = run_cli({"compare", tmp / "no_such_results"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + (tmp / "no_such_results") + ": not a results folder\n");
}

TEST(SweepCompare, SummaryThatIsNotJsonIsBadInput) {
  const std::string dir = test::source_path("tests/data/bad/results/summary_not_json");
  const CliResult r = run_cli({"compare", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + dir +
                       "/summary.json: not a fleetsim summary.json (cannot parse it)\n");
}

TEST(SweepCompare, SummaryWithoutASeedIsBadInput) {
  const std::string dir = test::source_path("tests/data/bad/results/summary_without_seed");
  const CliResult r = run_cli({"compare", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fleetsim: error: " + dir +
                       "/summary.json: not a fleetsim summary.json: "
                       "[json.exception.out_of_range.403] key 'seed' not found\n");
}

TEST(SweepCompare, RunsOfOnePolicyAreToldApartByTheirSiteSelectionAndCompareCarbon) {
  // Two results folders of one policy, as `fleetsim run --site-selection` writes them: pack
  // (carbon 10 t) and carbon_aware (8 t). Each is its own variant; paired on seed 1, carbon_aware
  // differs from the baseline by 8 - 10 = -2 t.
  TempDir tmp;
  write_summary(tmp.path() / "pack", "grid", "fifo_backfill", 1, 5, "pack", 10);
  write_summary(tmp.path() / "carbon", "grid", "fifo_backfill", 1, 6, "carbon_aware", 8);
  const std::vector<RunRecord> runs = find_runs({tmp.str()});
  const Comparison c = compare_runs(runs, "fifo_backfill+pack");
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0].variant, "fifo_backfill+pack");
  EXPECT_EQ(c.rows[1].variant, "fifo_backfill+carbon_aware");
  const auto& names = compared_metrics();
  const auto carbon = static_cast<std::size_t>(
      std::find(names.begin(), names.end(), "carbon_t") - names.begin());
  ASSERT_LT(carbon, names.size());
  EXPECT_DOUBLE_EQ(c.rows[1].metrics[carbon].value.mean, 8);
  ASSERT_TRUE(c.rows[1].metrics[carbon].vs_baseline.has_value());
  EXPECT_DOUBLE_EQ(c.rows[1].metrics[carbon].vs_baseline->mean, -2);
}

}  // namespace
}  // namespace fleetsim
