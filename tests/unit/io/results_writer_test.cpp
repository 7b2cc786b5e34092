// The results folder: jobs.csv and timeseries.csv rows checked by hand, summary.json's keys, and
// scenario.resolved.yaml, which must load again and reproduce the run byte for byte.
#include "sim/io/results_writer.hpp"

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"
#include "sim/workload/synthetic_generator.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::read_file;
using test::source_path;
using test::TempDir;

SimTime s(double seconds) { return from_seconds(seconds); }

// What run_scenario derives from the jobs: their jobs.csv rows (on the 16-GPU test fleet of
// small_trace.yaml) and the summary. Again after a test changes a job.
void derive_from_jobs(RunResult& r) {
  const ScenarioConfig c = load_scenario(source_path("tests/data/scenarios/small_trace.yaml"));
  r.jobs_csv = JobsCsv(build_fleet(c.fleet, c.start_unix_s));
  for (std::size_t id = 0; id < r.jobs.size(); ++id) r.jobs_csv.add(JobId{id}, r.jobs[id]);
  r.summary = summarize(r.jobs, r.totals);
}

// A run result made by hand (no engine), on the 16-GPU test fleet of small_trace.yaml.
RunResult hand_made_result() {
  RunResult r;
  Job done;  // submit 12.5 s, start 100 s, end 3,700.25 s, preempted once, spread over 2 nodes
  done.spec.name = "j,1";  // a comma: the cell must be quoted
  done.spec.tenant = "vc1";
  done.spec.gpus = 8;
  done.spec.submit = s(12.5);
  done.state = JobState::Done;
  done.first_start = s(100);
  done.end = s(3700.25);
  done.run_time = s(3600.25);
  done.preemptions = 1;
  done.span = {2, 1, 1, 1};
  done.gpu_type = GpuTypeId{0};
  done.site = SiteId{0};
  Job waiting;  // never started
  waiting.spec.name = "j2";
  waiting.spec.tenant = "vc2";
  waiting.spec.gpus = 4;
  waiting.spec.submit = s(20);
  r.jobs = {done, waiting};
  r.totals.end_time = s(3800);
  r.totals.total_gpus = 16;
  r.totals.allocated_gpu_seconds = 8 * 3600.25;
  r.samples = {{s(0), 0, 16, 0, 0, 0, {}}, {s(600), 8, 16, 1, 1, 0, {}}, {s(1200.5), 12, 16, 0, 2, 1, {}}};
  derive_from_jobs(r);
  r.trace_rows = 3;
  r.trace_rows_rejected = 1;
  return r;
}

class ResultsWriter : public ::testing::Test {
 protected:
  ScenarioConfig config_ = load_scenario(source_path("tests/data/scenarios/small_trace.yaml"));
  TempDir dir_;
};

TEST_F(ResultsWriter, WritesTheFourFiles) {
  write_results(dir_ / "out", config_, hand_made_result());  // creates the folder
  for (const char* name :
       {"summary.json", "jobs.csv", "timeseries.csv", "scenario.resolved.yaml"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(dir_.path() / "out" / name)) << name;
  }
}

TEST_F(ResultsWriter, JobsCsvHeaderAndHandComputedRows) {
  write_results(dir_.str(), config_, hand_made_result());
  // Finished: queue delay 100 - 12.5 = 87.5 s; JCT 3,700.25 - 12.5 = 3,687.75 s.
  // Never started: no type, start, end, delay or JCT; zero run time and span.
  EXPECT_EQ(read_file(dir_.path() / "jobs.csv"),
            "job_id,tenant,gpus,gpu_type,submit_s,first_start_s,end_s,queue_delay_s,jct_s,"
            "run_time_s,preemptions,nodes,racks,clusters,sites,outcome,interruptions,lost_s,"
            "checkpoint_s,restart_s,site,staging_s,held_s\n"
            "\"j,1\",vc1,8,H100_SXM,12.500000,100.000000,3700.250000,87.500000,3687.750000,"
            "3600.250000,1,2,1,1,1,finished,0,0.000000,0.000000,0.000000,lab,0.000000,0.000000\n"
            "j2,vc2,4,,20.000000,,,,,0.000000,0,0,0,0,0,never_started,0,0.000000,0.000000,"
            "0.000000,,0.000000,0.000000\n");
}

TEST_F(ResultsWriter, TimeseriesCsvHasOneRowPerSample) {
  write_results(dir_.str(), config_, hand_made_result());
  EXPECT_EQ(read_file(dir_.path() / "timeseries.csv"),
            "time_s,allocated_gpus,gpu_utilisation,queued_jobs,running_jobs,finished_jobs\n"
            "0.000000,0,0.000000,0,0,0\n"
            "600.000000,8,0.500000,1,1,0\n"      // 8 / 16
            "1200.500000,12,0.750000,0,2,1\n");  // 12 / 16
}

TEST_F(ResultsWriter, SummaryJsonHasTheDocumentedKeysInOrder) {
  write_results(dir_.str(), config_, hand_made_result());
  const nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(read_file(dir_.path() / "summary.json"));
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"fleetsim_version",
                                            "scenario",
                                            "seed",
                                            "policy",
                                            "placement",
                                            "site_selection",
                                            "jobs",
                                            "finished",
                                            "unfinished",
                                            "arrivals_after_horizon",
                                            "trace_rows",
                                            "trace_rows_rejected",
                                            "jct_s",
                                            "queue_delay_s",
                                            "makespan_s",
                                            "gpu_utilisation",
                                            "gpu_utilisation_during_arrivals",
                                            "allocated_gpu_hours",
                                            "total_gpus",
                                            "preemptions",
                                            "jobs_preempted",
                                            "failures",
                                            "staging_gpu_hours",
                                            "energy",
                                            "events",
                                            "scheduling_passes",
                                            "sim_end_s"}));
  EXPECT_EQ(j["fleetsim_version"], fleetsim_version());
  EXPECT_EQ(j["scenario"], "small_trace");
  EXPECT_EQ(j["seed"], 1);
  EXPECT_EQ(j["policy"], "fifo");
  EXPECT_EQ(j["placement"], "first_fit");
  EXPECT_EQ(j["jobs"], 2);
  EXPECT_EQ(j["finished"], 1);
  EXPECT_EQ(j["unfinished"]["never_started"], 1);
  EXPECT_EQ(j["unfinished"]["queued_at_end"], 0);
  EXPECT_EQ(j["unfinished"]["running_at_end"], 0);
  EXPECT_EQ(j["trace_rows"], 3);
  EXPECT_EQ(j["trace_rows_rejected"], 1);
  EXPECT_EQ(j["jct_s"]["count"], 1);
  EXPECT_EQ(j["jct_s"]["p50"], 3687.75);
  EXPECT_EQ(j["queue_delay_s"]["max"], 87.5);
  EXPECT_EQ(j["makespan_s"], 3800 - 12.5);  // unfinished jobs: to the end of the run
  EXPECT_EQ(j["preemptions"], 1);
  EXPECT_EQ(j["jobs_preempted"], 1);
  EXPECT_EQ(j["total_gpus"], 16);
  EXPECT_EQ(j["sim_end_s"], 3800.0);
  // Nothing from the machine: no wall time, host or absolute path.
  const std::string text = j.dump();
  EXPECT_EQ(text.find("wall"), std::string::npos);
  EXPECT_EQ(text.find(FLEETSIM_SOURCE_DIR), std::string::npos);
}

TEST_F(ResultsWriter, FlexibleJobsAddACarbonDelayBlockAndTheirHoldToJobsCsv) {
  RunResult r = hand_made_result();
  Job& held = r.jobs[0];  // 8 GPUs x 3,600 s of work, held 80 s of its 87.5 s queueing delay
  held.spec.start_slack = s(7200);
  held.spec.duration = s(3600);
  held.held = s(80);
  r.jobs[1].spec.start_slack = s(600);  // flexible, not held
  derive_from_jobs(r);
  write_results(dir_.str(), config_, r);
  const nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(read_file(dir_.path() / "summary.json"));
  EXPECT_EQ(j["carbon_delay"].dump(),
            R"({"flexible_jobs":2,"held_jobs":1,"held_work_gpu_hours":8.0,"mean_hold_s":80.0,)"
            R"("max_hold_s":80.0})");
  const std::string jobs = read_file(dir_.path() / "jobs.csv");
  EXPECT_NE(jobs.find(",lab,0.000000,80.000000\n"), std::string::npos) << jobs;
  // Without flexible jobs the block is left out (hand_made_result: see the key list above).
}

TEST_F(ResultsWriter, FractionalJobsAddAGpuMilliColumnToJobsCsv) {
  RunResult r = hand_made_result();
  r.jobs[0].spec.gpus = 1;  // a quarter of one GPU
  r.jobs[0].spec.gpu_milli = 250;
  derive_from_jobs(r);
  write_results(dir_.str(), config_, r);
  // The same rows as JobsCsvHeaderAndHandComputedRows (1 GPU instead of 8), each ending in the
  // job's share; a whole-GPU job says 1000.
  EXPECT_EQ(read_file(dir_.path() / "jobs.csv"),
            "job_id,tenant,gpus,gpu_type,submit_s,first_start_s,end_s,queue_delay_s,jct_s,"
            "run_time_s,preemptions,nodes,racks,clusters,sites,outcome,interruptions,lost_s,"
            "checkpoint_s,restart_s,site,staging_s,held_s,gpu_milli\n"
            "\"j,1\",vc1,1,H100_SXM,12.500000,100.000000,3700.250000,87.500000,3687.750000,"
            "3600.250000,1,2,1,1,1,finished,0,0.000000,0.000000,0.000000,lab,0.000000,0.000000,"
            "250\n"
            "j2,vc2,4,,20.000000,,,,,0.000000,0,0,0,0,0,never_started,0,0.000000,0.000000,"
            "0.000000,,0.000000,0.000000,1000\n");
  // Without a fractional job there is no column (JobsCsvHeaderAndHandComputedRows), and
  // summary.json is the same either way.
  TempDir whole;
  write_results(whole.str(), config_, hand_made_result());
  EXPECT_EQ(read_file(dir_.path() / "summary.json"), read_file(whole.path() / "summary.json"));
}

TEST_F(ResultsWriter, ElasticColumnsComeBeforeGpuMilli) {
  RunResult r = hand_made_result();
  r.jobs[0].spec.gpus = 1;
  r.jobs[0].spec.gpu_milli = 500;
  r.jobs[1].spec.min_gpus = 2;  // j2: elastic 2..8 around its 4 GPUs; never started
  r.jobs[1].spec.max_gpus = 8;
  derive_from_jobs(r);
  write_results(dir_.str(), config_, r);
  const std::string jobs = read_file(dir_.path() / "jobs.csv");
  EXPECT_NE(jobs.find(",held_s,min_gpus,max_gpus,gpu_s,resizes,gpu_milli\n"), std::string::npos)
      << jobs;
  EXPECT_NE(jobs.find(",lab,0.000000,0.000000,1,1,0.000000,0,500\n"), std::string::npos) << jobs;
  EXPECT_NE(jobs.find(",,0.000000,0.000000,2,8,0.000000,0,1000\n"), std::string::npos) << jobs;
}

TEST_F(ResultsWriter, FractionalBlockIsEchoedAndLoadsBack) {
  ScenarioConfig c = load_scenario(source_path("tests/data/scenarios/small_synthetic.yaml"));
  std::get<SyntheticConfig>(c.workload.source).fractional = {0.3, {250, 500}};
  write_results(dir_.str(), c, hand_made_result());
  const std::string resolved = read_file(dir_.path() / "scenario.resolved.yaml");
  EXPECT_NE(resolved.find("\n  fractional: {fraction: 0.29999999999999999, milli: [250, 500]}\n"),
            std::string::npos)
      << resolved;
  const ScenarioConfig back = load_scenario(dir_ / "scenario.resolved.yaml");
  const FractionalConfig& f = std::get<SyntheticConfig>(back.workload.source).fractional;
  EXPECT_EQ(f.fraction, 0.3);  // bit for bit
  EXPECT_EQ(f.milli, (std::vector<std::uint16_t>{250, 500}));
  // Without the block (fraction 0) nothing is echoed.
  TempDir plain;
  write_results(plain.str(),
                load_scenario(source_path("tests/data/scenarios/small_synthetic.yaml")),
                hand_made_result());
  EXPECT_EQ(read_file(plain.path() / "scenario.resolved.yaml").find("fractional"),
            std::string::npos);
}

TEST_F(ResultsWriter, GpuMilliColumnCarriesTheGeneratedShares) {
  const ScenarioConfig c = load_scenario(source_path("tests/data/scenarios/small_fractional.yaml"));
  write_results(dir_.str(), c, run_scenario(c));
  // The same workload drawn again, straight from the generator (seed 7): job-n is row n + 1.
  const auto& synthetic = std::get<SyntheticConfig>(c.workload.source);
  const GpuCatalog catalog(c.fleet.gpu_types, c.fleet.reference_type);
  SyntheticGenerator generator(synthetic, catalog, RngStreams(c.seed));
  std::istringstream rows(read_file(dir_.path() / "jobs.csv"));
  std::string line;
  std::getline(rows, line);
  EXPECT_TRUE(line.ends_with(",held_s,gpu_milli")) << line;
  int fractional = 0;
  for (std::uint64_t n = 0; n < synthetic.jobs; ++n) {
    const JobSpec job = *generator.next();
    ASSERT_TRUE(std::getline(rows, line));
    ASSERT_TRUE(line.starts_with(job.name + ",")) << line;
    EXPECT_TRUE(line.ends_with(fmt::format(",{}", job.gpu_milli))) << line;
    fractional += job.gpu_milli < 1000;
  }
  EXPECT_GT(fractional, 0);  // 40 jobs, 4 in 10 of 1 GPU, 40 % of those: ~6
}

TEST_F(ResultsWriter, ResolvedScenarioLoadsBackToTheSameConfig) {
  ScenarioConfig c = load_scenario(source_path("tests/data/scenarios/small_synthetic.yaml"));
  c.preempt_overhead = s(30);
  c.until = s(86400);
  std::get<SyntheticConfig>(c.workload.source).flexible = {0.25, 7.5};
  write_results(dir_.str(), c, hand_made_result());
  const ScenarioConfig back = load_scenario(dir_ / "scenario.resolved.yaml");
  EXPECT_EQ(back.name, c.name);
  EXPECT_EQ(back.seed, c.seed);
  EXPECT_EQ(back.policy, c.policy);
  EXPECT_EQ(back.policy_params, c.policy_params);
  EXPECT_EQ(back.placement, c.placement);
  EXPECT_EQ(back.preempt_overhead, c.preempt_overhead);
  EXPECT_EQ(back.resume_overhead, c.resume_overhead);
  EXPECT_EQ(back.until, c.until);
  EXPECT_EQ(back.sample_interval, c.sample_interval);
  EXPECT_EQ(back.fleet.sites.size(), c.fleet.sites.size());
  EXPECT_EQ(back.fleet.gpu_types.size(), c.fleet.gpu_types.size());
  const auto& a = std::get<SyntheticConfig>(c.workload.source);
  const auto& b = std::get<SyntheticConfig>(back.workload.source);
  EXPECT_EQ(b.jobs, a.jobs);
  EXPECT_EQ(b.rate_per_hour, a.rate_per_hour);  // bit for bit: written with 17 digits
  EXPECT_EQ(b.gpu_values, a.gpu_values);
  EXPECT_EQ(b.gpu_weights, a.gpu_weights);
  EXPECT_EQ(b.duration.kind, a.duration.kind);
  EXPECT_EQ(b.duration.median_s, a.duration.median_s);
  EXPECT_EQ(b.duration.sigma, a.duration.sigma);
  EXPECT_EQ(b.tenants, a.tenants);
  EXPECT_EQ(b.preemptible_fraction, a.preemptible_fraction);
  EXPECT_EQ(b.flexible.fraction, 0.25);
  EXPECT_EQ(b.flexible.slack_h, 7.5);
  // Written again, it is the same text: resolving is a fixed point.
  TempDir again;
  write_results(again.str(), back, hand_made_result());
  EXPECT_EQ(read_file(again.path() / "scenario.resolved.yaml"),
            read_file(dir_.path() / "scenario.resolved.yaml"));
}

// Runs `config` and writes its results to `dir`.
void run_into(const ScenarioConfig& config, const std::string& dir) {
  write_results(dir, config, run_scenario(config));
}

void expect_same_results(const std::filesystem::path& a, const std::filesystem::path& b) {
  for (const char* name :
       {"summary.json", "jobs.csv", "timeseries.csv", "scenario.resolved.yaml"}) {
    const std::string left = read_file(a / name);
    EXPECT_FALSE(left.empty()) << name;
    EXPECT_TRUE(left == read_file(b / name)) << name << " differs between " << a << " and " << b;
  }
}

// The reproducibility guarantee: `fleetsim run results/x/scenario.resolved.yaml` gives the same
// bytes as the run that wrote it.
class ResolvedScenarioReproduces : public ::testing::TestWithParam<const char*> {};

TEST_P(ResolvedScenarioReproduces, ByteForByte) {
  TempDir first, second;
  run_into(load_scenario(source_path(GetParam())), first.str());
  run_into(load_scenario(first / "scenario.resolved.yaml"), second.str());
  expect_same_results(first.path(), second.path());
}

INSTANTIATE_TEST_SUITE_P(ResultsFolders, ResolvedScenarioReproduces,
                         ::testing::Values("tests/data/scenarios/small_synthetic.yaml",
                                           "tests/data/scenarios/small_trace.yaml",
                                           "tests/data/scenarios/small_fractional.yaml",
                                           "tests/data/scenarios/small_inflated.yaml",
                                           "tests/data/bad/trace_broken_rows_skip.yaml",
                                           "configs/scenarios/default.yaml",
                                           "configs/scenarios/h100_las.yaml"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::filesystem::path(p.param).stem().string();
                         });

// `fleetsim run` lets the engine drop finished jobs' records (RunOptions::keep_jobs = false):
// jobs.csv and the summary are taken as jobs finish. The files must be the same bytes as from
// a run that keeps every record, with jobs unfinished at a horizon, preemptions, failures,
// elastic and fractional jobs, and inference replicas (never in jobs.csv).
class DroppingFinishedJobs : public ::testing::TestWithParam<const char*> {};

TEST_P(DroppingFinishedJobs, WritesTheSameResults) {
  const ScenarioConfig config = load_scenario(source_path(GetParam()));
  TempDir kept, dropped;
  const RunResult keeping = run_scenario(config);
  ASSERT_FALSE(keeping.jobs.empty());
  // The rows taken as jobs finished are those of the records at the end of the run.
  JobsCsv from_records(build_fleet(config.fleet, config.start_unix_s));
  for (std::size_t i = 0; i < keeping.jobs.size(); ++i) from_records.add(JobId{i}, keeping.jobs[i]);
  EXPECT_TRUE(from_records.text() == keeping.jobs_csv.text());
  write_results(kept.str(), config, keeping);
  const RunResult dropping = run_scenario(config, {.keep_jobs = false});
  EXPECT_TRUE(dropping.jobs.empty());
  EXPECT_TRUE(dropping.replicas.empty());
  EXPECT_EQ(dropping.jobs_csv.rows(), keeping.jobs.size());
  write_results(dropped.str(), config, dropping);
  expect_same_results(kept.path(), dropped.path());
  for (const char* name : {"sites.csv", "services.csv"}) {
    const bool exists = std::filesystem::exists(kept.path() / name);
    EXPECT_EQ(exists, std::filesystem::exists(dropped.path() / name)) << name;
    if (exists) {
      EXPECT_TRUE(read_file(kept.path() / name) == read_file(dropped.path() / name)) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ResultsFolders, DroppingFinishedJobs,
                         ::testing::Values("tests/data/scenarios/small_trace.yaml",
                                           "tests/data/scenarios/small_fractional.yaml",
                                           "tests/data/scenarios/small_inflated.yaml",
                                           "tests/data/scenarios/small_services.yaml",
                                           "configs/scenarios/h100_las.yaml",
                                           "configs/scenarios/llama3_405b_failures.yaml",
                                           "configs/scenarios/policies/elastic_64.yaml"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::filesystem::path(p.param).stem().string();
                         });

TEST(ResolvedScenario, ReproducesThroughTheCli) {
  TempDir first, second;
  const test::CliResult a = test::run_cli(
      {"run", source_path("configs/scenarios/toy.yaml"), "--seed", "5", "--out", first.str()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const test::CliResult b =
      test::run_cli({"run", first / "scenario.resolved.yaml", "--out", second.str()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  expect_same_results(first.path(), second.path());
  // The --seed override is part of the resolved scenario.
  EXPECT_NE(read_file(first.path() / "scenario.resolved.yaml").find("\nseed: 5\n"),
            std::string::npos);
}

TEST(ResolvedScenario, TracePathWorksForARelativeScenarioAndAnAbsoluteResultsFolder) {
  // `cd repo && fleetsim run tests/data/scenarios/small_trace.yaml --out /tmp/x`: the loader
  // holds the trace as a relative path, the results folder is absolute; the resolved scenario
  // must still point at the trace.
  TempDir first, second;
  {
    test::InDirectory in_repo(FLEETSIM_SOURCE_DIR);
    run_into(load_scenario("tests/data/scenarios/small_trace.yaml"), first.str());
  }
  const ScenarioConfig back = load_scenario(first / "scenario.resolved.yaml");
  EXPECT_EQ(std::get<TraceConfig>(back.workload.source).path,
            test::normal(source_path("tests/data/traces/small.csv")));
  run_into(back, second.str());
  expect_same_results(first.path(), second.path());
}

TEST(ResultsWriterCapSchedule, SitesCsvFollowsTheCapAndTheResolvedScenarioKeepsTheProfile) {
  const ScenarioConfig c = load_scenario(source_path("tests/data/scenarios/cap_schedule.yaml"));
  TempDir dir;
  run_into(c, dir.str());
  // sites.csv: it_cap_mw (7th column) is 0.012 MW on even hours and 0.008 MW on odd ones.
  std::istringstream rows(read_file(dir.path() / "sites.csv"));
  std::string row;
  std::getline(rows, row);  // header
  std::size_t even = 0, odd = 0;
  while (std::getline(rows, row)) {
    std::vector<std::string> cells;
    std::istringstream cell_stream(row);
    for (std::string cell; std::getline(cell_stream, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 9u) << row;
    const auto hour = static_cast<long>(std::stod(cells[0]) / 3600);
    EXPECT_EQ(cells[6], hour % 2 == 0 ? "0.012000" : "0.008000") << row;
    (hour % 2 == 0 ? even : odd) += 1;
  }
  EXPECT_GT(even, 0u);
  EXPECT_GT(odd, 0u);
  const nlohmann::json j = nlohmann::json::parse(read_file(dir.path() / "summary.json"));
  EXPECT_EQ(j["energy"]["sites"][0]["it_cap_mw"]["min"], 0.008);
  EXPECT_EQ(j["energy"]["sites"][0]["it_cap_mw"]["max"], 0.012);
  EXPECT_EQ(j["energy"]["cap_sheds"], j["energy"]["sites"][0]["cap_sheds"]);
  // The resolved scenario keeps the daily form, loads back to the same profile and runs the same.
  const ScenarioConfig back = load_scenario(dir / "scenario.resolved.yaml");
  ASSERT_TRUE(back.fleet.sites[0].power_cap_mw.has_value());
  EXPECT_EQ(back.fleet.sites[0].power_cap_mw->kind, ProfileConfig::Kind::Daily);
  EXPECT_EQ(back.fleet.sites[0].power_cap_mw->hourly, c.fleet.sites[0].power_cap_mw->hourly);
  TempDir again;
  run_into(back, again.str());
  expect_same_results(dir.path(), again.path());
}

}  // namespace
}  // namespace fleetsim
