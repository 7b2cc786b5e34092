// Whole scenarios end to end (YAML load excluded): gb200_100k with 100,000 and 1,000,000 jobs
// under fifo_backfill and las, the same on ten capped sites with energy accounting
// (gb200_100k_10sites), and the default scenario. One iteration each; every run checks
// that each job is accounted for and finished.
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <variant>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"

namespace fleetsim::bench {
namespace {

// `jobs` = 0 keeps the scenario's own job count.
void run_scenario_bench(benchmark::State& state, const std::string& scenario,
                        const std::optional<std::string>& policy, std::uint64_t jobs) {
  ScenarioConfig config;
  try {
    ScenarioOverrides overrides;
    overrides.policy = policy;
    config = load_scenario(FLEETSIM_SOURCE_DIR "/configs/scenarios/" + scenario, overrides);
  } catch (const ConfigError& e) {
    state.SkipWithError(e.what());
    return;
  }
  if (jobs > 0) {
    auto* synthetic = std::get_if<SyntheticConfig>(&config.workload.source);
    if (synthetic == nullptr) {
      state.SkipWithError("the scenario's workload is not synthetic; cannot set its job count");
      return;
    }
    synthetic->jobs = jobs;
  }
  std::uint64_t expected_jobs = jobs;
  if (auto* synthetic = std::get_if<SyntheticConfig>(&config.workload.source)) {
    expected_jobs = synthetic->jobs;
  }

  RunResult result;
  double wall_s = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    try {
      result = run_scenario(config, {.keep_jobs = false});  // as `fleetsim run`
    } catch (const std::exception& e) {  // ConfigError, PolicyError, or a failed check
      state.SkipWithError(e.what());
      return;
    }
    wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  // Checksum: every job is in exactly one outcome, and with no horizon every job finished.
  const Summary& s = result.summary;
  const std::uint64_t accounted = s.finished + s.never_started + s.queued_at_end + s.running_at_end;
  if (accounted != s.jobs || (expected_jobs > 0 && s.jobs != expected_jobs) ||
      s.finished != s.jobs) {
    state.SkipWithError(fmt::format("checksum failed: jobs={} expected={} finished={} "
                                    "never_started={} queued_at_end={} running_at_end={}",
                                    s.jobs, expected_jobs, s.finished, s.never_started,
                                    s.queued_at_end, s.running_at_end)
                            .c_str());
    return;
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(result.totals.events) * state.iterations());
  state.counters["jobs"] = static_cast<double>(s.jobs);
  state.counters["events"] = static_cast<double>(result.totals.events);
  state.counters["passes"] = static_cast<double>(result.totals.scheduling_passes);
  state.counters["wall_s"] = wall_s / iterations;
  state.counters["events_per_s"] = static_cast<double>(result.totals.events) * iterations / wall_s;
  // Over the whole makespan, which the multi-week tail of the longest jobs dominates; while jobs
  // still arrive, it shows the load the scheduler actually faced.
  state.counters["utilisation"] = s.gpu_utilisation;
  state.counters["util_while_arriving"] = s.gpu_utilisation_during_arrivals;
  state.counters["queue_delay_mean_s"] = s.queue_delay_s.mean;
  state.counters["preemptions"] = static_cast<double>(s.preemptions);
}

void BM_Scenario_Default(benchmark::State& state) {
  run_scenario_bench(state, "default.yaml", std::nullopt, 0);
}
void BM_Scenario_Gb200_FifoBackfill(benchmark::State& state) {
  run_scenario_bench(state, "gb200_100k.yaml", "fifo_backfill",
                     static_cast<std::uint64_t>(state.range(0)));
}
void BM_Scenario_Gb200_Las(benchmark::State& state) {
  run_scenario_bench(state, "gb200_100k.yaml", "las", static_cast<std::uint64_t>(state.range(0)));
}
void BM_Scenario_Gb200_10Sites_FifoBackfill(benchmark::State& state) {
  run_scenario_bench(state, "gb200_100k_10sites.yaml", "fifo_backfill",
                     static_cast<std::uint64_t>(state.range(0)));
}

BENCHMARK(BM_Scenario_Default)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Scenario_Gb200_FifoBackfill)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_Scenario_Gb200_Las)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

BENCHMARK(BM_Scenario_Gb200_10Sites_FifoBackfill)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace fleetsim::bench
