// The event calendar: a 4-ary min-heap of Events ordered by (time, phase, seq).
// A 4-ary heap halves the depth of a binary heap and keeps siblings in one cache line, which
// matters at 10^6 pending events. Stale events (a preempted job's finish) are skipped by the
// engine on pop (lazy deletion), so there is no decrease-key.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/event.hpp"

namespace fleetsim {

class EventQueue {
 public:
  // O(log n). Assigns the event's order from its kind's phase and a running sequence number.
  void push(SimTime time, EventKind kind, std::uint32_t index, std::uint32_t epoch = 0);
  // Precondition: !empty(). O(log n).
  Event pop();
  const Event& top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void reserve(std::size_t n) { heap_.reserve(n); }

 private:
  static constexpr std::size_t kArity = 4;
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace fleetsim
