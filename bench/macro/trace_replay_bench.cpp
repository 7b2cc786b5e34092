// Whole-trace replay: the Philly job table (82,247 jobs) on Philly's 2,490 GPUs
// (configs/scenarios/trace_philly.yaml) under fifo, fifo_backfill and las, trace reading
// included; and reading the table alone. A run counts only if every one of the 82,247 jobs
// finished (the checksum), so a reader that dropped rows fails the benchmark.
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "bench/macro/timed_scenario.hpp"
#include "sim/workload/traces/trace_reader.hpp"

namespace fleetsim::bench {
namespace {

constexpr std::uint64_t kPhillyJobs = 82'247;  // traces README, philly-pollux/

void BM_TraceReplay_Philly(benchmark::State& state, const std::string& policy) {
  const std::optional<TimedRun> run = run_each_iteration(
      state, FLEETSIM_SOURCE_DIR "/configs/scenarios/trace_philly.yaml", policy);
  if (!run) return;
  const RunResult& result = run->result;
  const Summary& s = result.summary;
  if (s.jobs != kPhillyJobs || s.finished != kPhillyJobs || result.trace_rows != kPhillyJobs) {
    state.SkipWithError(fmt::format("checksum failed: rows={} jobs={} finished={} (want {})",
                                    result.trace_rows, s.jobs, s.finished, kPhillyJobs)
                            .c_str());
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(result.totals.events) * state.iterations());
  state.counters["jobs"] = static_cast<double>(s.jobs);
  state.counters["wall_s"] = run->wall_s;
  state.counters["jct_mean_h"] = s.jct_s.mean / 3600;
  state.counters["jct_p95_h"] = s.jct_s.p95 / 3600;
  state.counters["utilisation"] = s.gpu_utilisation;
}

void BM_TraceRead_Philly(benchmark::State& state) {
  TraceOptions o;
  o.format = "philly";
  o.path = FLEETSIM_SOURCE_DIR "/traces/philly-pollux/philly.csv";
  o.display_path = o.path;
  const GpuCatalog catalog({GpuType{"P100", 18.7, 12, 250, 25, 0, {}}}, "P100");
  std::size_t jobs = 0;
  for (auto _ : state) {
    const TraceReadResult r = read_trace(o, catalog);
    jobs = r.jobs.size();
    benchmark::DoNotOptimize(r.jobs.data());
  }
  if (jobs != kPhillyJobs) {
    state.SkipWithError(fmt::format("checksum failed: {} jobs", jobs).c_str());
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(jobs) * state.iterations());
}

BENCHMARK_CAPTURE(BM_TraceReplay_Philly, fifo, std::string("fifo"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TraceReplay_Philly, fifo_backfill, std::string("fifo_backfill"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TraceReplay_Philly, las, std::string("las"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_TraceRead_Philly)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace fleetsim::bench
