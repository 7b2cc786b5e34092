// The event calendar under the classic hold model at 10^3..10^6 pending events: fleetsim's
// 4-ary EventQueue against a bare std::priority_queue of the same Event. One iteration = one
// hold (pop the minimum + push one event), so items/s = events/s.
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/micro/hold_model.hpp"
#include "sim/core/event_queue.hpp"

namespace fleetsim::bench {
namespace {

template <class Queue>
void run_hold_model(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  Queue queue;
  prefill(queue, pending, 1);
  const std::vector<Duration> increments = exponential_durations(kHoldIncrements, 2);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hold(queue, increments[i++ & (kHoldIncrements - 1)]));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(queue.size());
}

void BM_EventQueue_Hold(benchmark::State& state) { run_hold_model<EventQueue>(state); }
void BM_BinaryHeap_Hold(benchmark::State& state) { run_hold_model<BareBinaryHeap>(state); }

BENCHMARK(BM_EventQueue_Hold)->RangeMultiplier(10)->Range(1'000, 1'000'000);
BENCHMARK(BM_BinaryHeap_Hold)->RangeMultiplier(10)->Range(1'000, 1'000'000);

}  // namespace
}  // namespace fleetsim::bench
