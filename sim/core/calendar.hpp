// The engine's pending events. Most live in the EventQueue heap; two kinds that never need a
// heap are kept aside in one slot each and merged in on pop, in the same (time, phase) order:
//  - the next arrival: the source yields jobs in submit order, so only one is ever pending;
//  - the scheduling pass requested for the current instant: in the heap it would sift up to the
//    root and straight back down, two full-depth sifts for every change.
// Per training job that leaves one push and one pop (its finish) of the four the heap did.
// A heap event and a slot never tie on (time, phase) except a policy wake-up and the current
// pass, which both mean "schedule now"; the heap's goes first, as its earlier sequence number did.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/core/event_queue.hpp"

namespace fleetsim {

class Calendar {
 public:
  void push(SimTime time, EventKind kind, std::uint32_t index, std::uint32_t epoch = 0) {
    heap_.push(time, kind, index, epoch);
    next_.reset();
  }
  // Replaces the pending arrival, if any.
  void set_arrival(SimTime time) {
    arrival_ = time;
    next_.reset();
  }
  // Requests a pass at `now`; a second request for the same instant is a no-op.
  void request_pass(SimTime now) {
    pass_ = now;
    next_.reset();
  }

  bool empty() const { return heap_.empty() && !arrival_ && !pass_; }
  // Precondition: !empty().
  SimTime next_time() const {
    switch (next_source()) {
      case Source::Arrival:
        return *arrival_;
      case Source::Pass:
        return *pass_;
      case Source::Heap:
        break;
    }
    return heap_.top().time;
  }
  // Precondition: !empty().
  EventKind next_kind() const {
    switch (next_source()) {
      case Source::Arrival:
        return EventKind::JobArrival;
      case Source::Pass:
        return EventKind::ScheduleRound;
      case Source::Heap:
        break;
    }
    return heap_.top().kind;
  }
  // Precondition: !empty(). Returns the next event in (time, phase) order.
  Event pop();
  // The heap's next event, for prefetching; nullptr when the heap is empty.
  const Event* next_heap_event() const { return heap_.empty() ? nullptr : &heap_.top(); }

 private:
  enum class Source : std::uint8_t { Heap, Arrival, Pass };
  // The engine asks for the next event's time and kind several times before it pops it.
  Source next_source() const {
    if (!next_) next_ = find_next_source();
    return *next_;
  }
  Source find_next_source() const;

  EventQueue heap_;
  std::optional<SimTime> arrival_;
  std::optional<SimTime> pass_;
  mutable std::optional<Source> next_;  // next_source(), until the calendar changes
};

}  // namespace fleetsim
