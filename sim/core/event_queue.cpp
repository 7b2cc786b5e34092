#include "sim/core/event_queue.hpp"

#include "sim/core/error.hpp"

namespace fleetsim {

void EventQueue::push(SimTime time, EventKind kind, std::uint32_t index, std::uint32_t epoch) {
  FLEETSIM_CHECK(next_seq_ < (std::uint64_t{1} << 56), "event sequence overflow");
  Event e{time, (std::uint64_t{static_cast<std::uint8_t>(phase_of(kind))} << 56) | next_seq_++,
          kind, index, epoch};
  std::size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {  // sift up
    std::size_t parent = (i - 1) / kArity;
    if (!(e < heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

Event EventQueue::pop() {
  Event top = heap_.front();
  Event last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return top;
  std::size_t i = 0;
  while (true) {  // sift down: move the smallest child up until `last` fits
    std::size_t first = i * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (heap_[c] < heap_[best]) best = c;
    }
    if (!(heap_[best] < last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
  return top;
}

}  // namespace fleetsim
