// FGD's inflation experiment (configs/scenarios/policies/openb_gpuspec33_inflation.yaml): about
// 8,600 pods drawn from the gpuspec33 trace arrive one a second on the 6,212-GPU openb cluster
// and never leave, under fgd and under fifo_backfill with the same best_fit placement. It
// measures what fgd's per-node fragmentation search costs over a plain placement. A run counts
// only if every drawn job is accounted for (running or never started; none can finish).
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "bench/macro/timed_scenario.hpp"

namespace fleetsim::bench {
namespace {

void BM_Inflation_OpenbGpuspec33(benchmark::State& state, const std::string& policy) {
  const std::optional<TimedRun> run = run_each_iteration(
      state, FLEETSIM_SOURCE_DIR "/configs/scenarios/policies/openb_gpuspec33_inflation.yaml",
      policy);
  if (!run) return;
  const RunResult& result = run->result;
  const Summary& s = result.summary;
  if (s.jobs == 0 || s.finished != 0 || s.running_at_end + s.never_started != s.jobs ||
      !result.fragmentation) {
    state.SkipWithError(fmt::format("checksum failed: jobs={} finished={} running={} never={}",
                                    s.jobs, s.finished, s.running_at_end, s.never_started)
                            .c_str());
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(s.jobs) * state.iterations());
  state.counters["jobs"] = static_cast<double>(s.jobs);
  state.counters["never_started"] = static_cast<double>(s.never_started);
  state.counters["wall_s"] = run->wall_s;
  state.counters["mean_unallocated_gpus"] = result.fragmentation->mean_unallocated_gpus;
}

BENCHMARK_CAPTURE(BM_Inflation_OpenbGpuspec33, fgd, std::string("fgd"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Inflation_OpenbGpuspec33, fifo_backfill, std::string("fifo_backfill"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace fleetsim::bench
