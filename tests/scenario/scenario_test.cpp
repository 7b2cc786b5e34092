// Every configs/scenarios/*.yaml, run twice: the two results folders must be byte-identical (a
// run is a pure function of scenario and seed), and must match the golden files in
// tests/data/expected/<name>/ (see the README there for how and when to regenerate them). The
// first run is watched by the invariant checker (fleetsim run --check) and must break nothing.
// gb200_100k and stargate run with 20,000 of their 1,000,000 and 200,000 jobs, to fit in CI.
// Also: switching the policy leaves the generated workload alone; switching the seed does not;
// a small fractional (GPU sharing) scenario runs byte-identically twice under every policy.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/crc.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/io/results_writer.hpp"
#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"
#include "sim/policy/registry.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
using test::read_file;
using test::source_path;
using test::TempDir;

// Scenarios too big for CI run with fewer synthetic jobs; the golden files are for that size.
const std::map<std::string, std::uint64_t> kJobsOverride = {
    {"gb200_100k", 20'000},          {"gb200_100k_10sites", 20'000}, {"gb200_2m_10sites_day", 2'000},
    {"gb200_2m_10sites_year", 2'000}, {"stargate", 20'000}};
// Above this size jobs.csv is kept as a checksum only (jobs.csv.crc32), not as a golden file.
constexpr std::uintmax_t kMaxGoldenBytes = 2'000'000;

const char* const kResultFiles[] = {"summary.json", "jobs.csv", "timeseries.csv",
                                    "scenario.resolved.yaml", "services.csv"};
const char* const kGoldenFiles[] = {"summary.json", "jobs.csv", "timeseries.csv", "services.csv"};
// Written only by scenarios with inference services.
bool optional_file(const std::string& file) { return file == "services.csv"; }

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(source_path("configs/scenarios"))) {
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path expected_dir(const std::string& name) {
  return fs::path(source_path("tests/data/expected")) / name;
}

ScenarioConfig load(const std::string& name) {
  ScenarioConfig config = load_scenario(source_path("configs/scenarios/" + name + ".yaml"));
  if (auto it = kJobsOverride.find(name); it != kJobsOverride.end()) {
    std::get<SyntheticConfig>(config.workload.source).jobs = it->second;
  }
  return config;
}

// With `check`, the run is watched by the invariant checker and fails the test on a violation.
void run_into(const ScenarioConfig& config, const fs::path& dir, bool check = false) {
  const RunResult result = run_scenario(config, {.check = check});
  if (check) {
    for (const std::string& v : result.check->violations) ADD_FAILURE() << "--check: " << v;
    EXPECT_EQ(result.check->violation_count, 0u) << config.name << ": invariant violations";
  }
  write_results(dir.string(), config, result);
}

// "crc32 <hex> bytes <n>": CRC-32 as zlib and Python's zlib.crc32 compute it.
std::string checksum_line(const std::string& bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return fmt::format("crc32 {:08x} bytes {}\n", crc.checksum(), bytes.size());
}

// Where two texts first differ, as "line N: want ... / got ...", for a readable failure.
std::string first_difference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "texts differ only in the final newline";
    if (!more_a || !more_b || la != lb) {
      return fmt::format("first difference at line {}:\n  golden: {}\n  now:    {}", line,
                         more_a ? la : "<end of file>", more_b ? lb : "<end of file>");
    }
  }
}

bool updating_goldens() {
  const char* v = std::getenv("FLEETSIM_UPDATE_GOLDENS");
  return v != nullptr && std::string(v) == "1";
}

void write_golden(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

class ScenarioGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioGolden, RunsTwiceByteIdenticalAndMatchesTheGoldenFiles) {
  const std::string name = GetParam();
  const ScenarioConfig config = load(name);
  TempDir first, second;
  // The first run is checked, the second not: checking must change no result either.
  run_into(config, first.path(), true);
  run_into(config, second.path());
  for (const char* file : kResultFiles) {
    if (optional_file(file) && !fs::exists(first.path() / file)) continue;
    const std::string a = read_file(first.path() / file);
    ASSERT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == read_file(second.path() / file))
        << name << ": " << file << " differs between two runs of the same scenario and seed: "
        << first_difference(a, read_file(second.path() / file));
  }

  const fs::path golden = expected_dir(name);
  if (updating_goldens()) {
    fs::remove_all(golden);
    for (const char* file : kGoldenFiles) {
      if (optional_file(file) && !fs::exists(first.path() / file)) continue;
      const std::string bytes = read_file(first.path() / file);
      if (std::string(file) == "jobs.csv" && bytes.size() > kMaxGoldenBytes) {
        write_golden(golden / "jobs.csv.crc32", checksum_line(bytes));
      } else {
        write_golden(golden / file, bytes);
      }
    }
    GTEST_SKIP() << "FLEETSIM_UPDATE_GOLDENS=1: wrote " << golden;
  }

  ASSERT_TRUE(fs::is_directory(golden)) << "no golden files for " << name << " in " << golden
                                        << "; see tests/data/expected/README.md to create them";
  for (const char* file : kGoldenFiles) {
    if (optional_file(file)) {
      EXPECT_EQ(fs::exists(first.path() / file), fs::exists(golden / file)) << name << ": " << file;
      if (!fs::exists(golden / file)) continue;
    }
    const std::string now = read_file(first.path() / file);
    if (std::string(file) == "jobs.csv" && !fs::exists(golden / file)) {
      ASSERT_TRUE(fs::exists(golden / "jobs.csv.crc32")) << "neither jobs.csv nor jobs.csv.crc32";
      EXPECT_EQ(checksum_line(now), read_file(golden / "jobs.csv.crc32"))
          << name << ": jobs.csv no longer matches the golden checksum";
      continue;
    }
    const std::string want = read_file(golden / file);
    EXPECT_TRUE(now == want) << name << ": " << file << " differs from " << golden / file << ": "
                             << first_difference(want, now);
  }
}

INSTANTIATE_TEST_SUITE_P(Scenario, ScenarioGolden, ::testing::ValuesIn(scenario_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// tests/data/scenarios/small_fractional.yaml (40 % of its 1-GPU jobs hold shares of a GPU) under
// every registered policy, with a few seeds: two runs, the first checked, write byte-identical
// results, and some jobs do share (jobs.csv lists their gpu_milli).
class ScenarioFractional : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioFractional, RunsTwiceByteIdentical) {
  const std::string path = source_path("tests/data/scenarios/small_fractional.yaml");
  for (std::uint64_t seed : {7, 8, 9}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    const ScenarioConfig config = load_scenario(
        path, {.policy = GetParam(), .seed = seed, .site_selection = {}, .placement = {}});
    TempDir first, second;
    run_into(config, first.path(), true);
    run_into(config, second.path());
    for (const char* file : kResultFiles) {
      if (optional_file(file) && !fs::exists(first.path() / file)) continue;
      const std::string a = read_file(first.path() / file);
      ASSERT_FALSE(a.empty()) << file;
      EXPECT_TRUE(a == read_file(second.path() / file))
          << GetParam() << ": " << file
          << " differs between two runs: " << first_difference(a, read_file(second.path() / file));
    }
    const std::string jobs = read_file(first.path() / "jobs.csv");
    EXPECT_NE(jobs.find("gpu_milli"), std::string::npos) << "no fractional job in the workload";
  }
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const PolicyInfo& info : registered_policies()) names.push_back(info.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Scenario, ScenarioFractional, ::testing::ValuesIn(policy_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// The generated workload as jobs.csv shows it: the columns no policy can change.
std::string workload_columns(const std::string& jobs_csv) {
  std::istringstream in(jobs_csv);
  std::string line, out;
  while (std::getline(in, line)) {
    // job_id,tenant,gpus,gpu_type,submit_s,...: keep fields 0, 1, 2 and 4 (no quoting in
    // generated jobs).
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() < 5) return "malformed row: " + line;
    out += cells[0] + "," + cells[1] + "," + cells[2] + "," + cells[4] + "\n";
  }
  return out;
}

std::string run_jobs_csv(const std::vector<std::string>& extra_args) {
  TempDir out;
  std::vector<std::string> args = {"run", source_path("configs/scenarios/toy.yaml"), "--out",
                                   out.str()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const test::CliResult r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return read_file(out.path() / "jobs.csv");
}

TEST(ScenarioWorkload, DifferentPolicyLeavesTheGeneratedJobsUnchanged) {
  // The toy fleet is offered ~118 % load, so FIFO and LAS schedule differently...
  const std::string fifo = run_jobs_csv({"--policy", "fifo"});
  const std::string las = run_jobs_csv({"--policy", "las"});
  EXPECT_NE(fifo, las) << "the policies made the same schedule; the test shows nothing";
  // ...but job ids, tenants, sizes and submit times come from the seed alone.
  EXPECT_EQ(std::count(fifo.begin(), fifo.end(), '\n'), 201);  // header + 200 jobs
  EXPECT_EQ(workload_columns(fifo), workload_columns(las));
}

TEST(ScenarioWorkload, DifferentSeedChangesTheGeneratedJobs) {
  const std::string seed1 = run_jobs_csv({"--seed", "1"});
  const std::string seed2 = run_jobs_csv({"--seed", "2"});
  EXPECT_EQ(workload_columns(seed1), workload_columns(run_jobs_csv({})));  // toy.yaml says seed 1
  EXPECT_NE(workload_columns(seed1), workload_columns(seed2));
}

}  // namespace
}  // namespace fleetsim
