#include "sim/core/calendar.hpp"

#include <tuple>

namespace fleetsim {

Calendar::Source Calendar::find_next_source() const {
  using Key = std::tuple<SimTime, Phase>;
  Source best = Source::Heap;
  std::optional<Key> best_key;
  if (!heap_.empty()) best_key = Key{heap_.top().time, heap_.top().phase()};
  // Strictly earlier only: on a tie the heap's event goes first (see the header).
  if (arrival_ && (!best_key || Key{*arrival_, Phase::Arrival} < *best_key)) {
    best = Source::Arrival;
    best_key = Key{*arrival_, Phase::Arrival};
  }
  if (pass_ && (!best_key || Key{*pass_, Phase::Schedule} < *best_key)) best = Source::Pass;
  return best;
}

Event Calendar::pop() {
  Event e;
  const Source source = next_source();
  next_.reset();
  switch (source) {
    case Source::Arrival:
      e.time = *arrival_;
      e.kind = EventKind::JobArrival;
      arrival_.reset();
      return e;
    case Source::Pass:
      e.time = *pass_;
      e.kind = EventKind::ScheduleRound;
      pass_.reset();
      return e;
    case Source::Heap: break;
  }
  return heap_.pop();
}

}  // namespace fleetsim
