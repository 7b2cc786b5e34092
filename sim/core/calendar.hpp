// The engine's pending events. Most live in the EventQueue heap; two kinds that never need a
// heap are kept aside in one slot each and merged in on pop, in the same (time, phase) order:
//  - the next arrival: the source yields jobs in submit order, so only one is ever pending;
//  - the scheduling pass requested for the current instant: in the heap it would sift up to the
//    root and straight back down, two full-depth sifts for every change.
// Per training job that leaves one push and one pop (its finish) of the four the heap did.
// A heap event and a slot never tie on (time, phase) except a policy wake-up and the current
// pass, which both mean "schedule now"; the heap's goes first, as its earlier sequence number did.
#pragma once

#include <optional>

#include "sim/core/event_queue.hpp"

namespace fleetsim {

class Calendar {
 public:
  void push(SimTime time, EventKind kind, std::uint32_t index, std::uint32_t epoch = 0) {
    heap_.push(time, kind, index, epoch);
  }
  // Replaces the pending arrival, if any.
  void set_arrival(SimTime time) { arrival_ = time; }
  // Requests a pass at `now`; a second request for the same instant is a no-op.
  void request_pass(SimTime now) { pass_ = now; }

  bool empty() const { return heap_.empty() && !arrival_ && !pass_; }
  // Precondition: !empty().
  SimTime next_time() const;
  // Precondition: !empty().
  EventKind next_kind() const;
  // Precondition: !empty(). Returns the next event in (time, phase) order.
  Event pop();
  // The heap's next event, for prefetching; nullptr when the heap is empty.
  const Event* next_heap_event() const { return heap_.empty() ? nullptr : &heap_.top(); }

 private:
  enum class Source { Heap, Arrival, Pass };
  Source next_source() const;

  EventQueue heap_;
  std::optional<SimTime> arrival_;
  std::optional<SimTime> pass_;
};

}  // namespace fleetsim
