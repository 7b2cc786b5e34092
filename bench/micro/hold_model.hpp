// The classic hold model for event calendars (pop the minimum, push it back a random increment
// later), shared by the calendar and engine-loop benchmarks, plus the "bare binary heap"
// baseline: std::priority_queue of the same Event, ordered the same way.
#pragma once

#include <ctime>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/random/exponential_distribution.hpp>

#include "sim/core/event.hpp"
#include "sim/core/time.hpp"

namespace fleetsim::bench {

constexpr Duration kMeanHoldIncrement = kMicrosPerSecond;      // any scale will do; 1 s of sim time
constexpr std::size_t kHoldIncrements = std::size_t{1} << 16;  // a power of two: index by mask

// Exponential increments with a fixed seed, drawn before the timed loop. Also used for the
// initial event times, so the pending set starts in the model's steady-state shape.
inline std::vector<Duration> exponential_durations(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  boost::random::exponential_distribution<double> exp(1.0 / to_seconds(kMeanHoldIncrement));
  std::vector<Duration> out(count);
  for (Duration& d : out) d = from_seconds(exp(rng));
  return out;
}

// The baseline: a binary heap (std::priority_queue, std::greater on Event's total order) with
// EventQueue's push/pop interface, assigning `order` exactly as EventQueue does.
class BareBinaryHeap {
 public:
  void push(SimTime time, EventKind kind, std::uint32_t index, std::uint32_t epoch = 0) {
    heap_.push(Event{time,
                     (std::uint64_t{static_cast<std::uint8_t>(phase_of(kind))} << 56) | next_seq_++,
                     kind, index, epoch});
  }
  Event pop() {
    Event top = heap_.top();
    heap_.pop();
    return top;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return b < a; }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  std::uint64_t next_seq_ = 0;
};

// Fills `queue` with `pending` events at exponential times from 0.
template <class Queue>
void prefill(Queue& queue, std::size_t pending, std::uint64_t seed) {
  const std::vector<Duration> times = exponential_durations(pending, seed);
  for (std::size_t i = 0; i < pending; ++i) {
    queue.push(times[i], EventKind::JobFinish, static_cast<std::uint32_t>(i));
  }
}

// One hold: pop the minimum, push it back `increment` later. Returns the popped time.
template <class Queue>
inline SimTime hold(Queue& queue, Duration increment) {
  const Event e = queue.pop();
  queue.push(e.time + increment, e.kind, e.index, e.epoch);
  return e.time;
}

// CPU seconds of the calling thread: unlike wall time, not inflated when other processes share
// the cores, so ratios measured with it hold up on a busy machine.
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Rate (per thread-CPU second) of the bare binary heap's hold model at `pending` events, over
// `holds` holds (setup not timed). For benchmarks that report a ratio against the heap.
inline double bare_heap_holds_per_second(std::size_t pending, std::uint64_t holds) {
  BareBinaryHeap heap;
  prefill(heap, pending, 1);
  const std::vector<Duration> increments = exponential_durations(kHoldIncrements, 2);
  SimTime sink = 0;
  const double start = thread_cpu_seconds();
  for (std::uint64_t i = 0; i < holds; ++i) {
    sink += hold(heap, increments[i & (kHoldIncrements - 1)]);
  }
  const double elapsed = thread_cpu_seconds() - start;
  benchmark::DoNotOptimize(sink);
  return static_cast<double>(holds) / elapsed;
}

}  // namespace fleetsim::bench
