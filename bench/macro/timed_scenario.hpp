// One scenario run per benchmark iteration, YAML load included, for the macro benchmarks that
// replay a whole trace under an overridden policy.
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>

#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"

namespace fleetsim::bench {

struct TimedRun {
  RunResult result;   // the last iteration's
  double wall_s = 0;  // mean wall time per iteration
};

// Runs `path` under `policy` once per iteration. On an error it skips the benchmark with the
// error's message and returns nothing.
inline std::optional<TimedRun> run_each_iteration(benchmark::State& state, const std::string& path,
                                                  const std::string& policy) {
  TimedRun run;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    try {
      ScenarioOverrides overrides;
      overrides.policy = policy;
      // As `fleetsim run`: finished jobs' records are dropped.
      run.result = run_scenario(load_scenario(path, overrides), {.keep_jobs = false});
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return std::nullopt;
    }
    run.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  run.wall_s /= static_cast<double>(state.iterations());
  return run;
}

}  // namespace fleetsim::bench
