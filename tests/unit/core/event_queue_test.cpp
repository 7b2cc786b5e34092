// EventQueue: the calendar's total order (time, phase, insertion sequence), checked by hand on
// small cases and against a sorted reference on a long random push/pop sequence.
#include "sim/core/event_queue.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace fleetsim {
namespace {

TEST(EventQueue, PopsEarlierTimesFirst) {
  EventQueue q;
  q.push(30, EventKind::JobArrival, 3);
  q.push(10, EventKind::Sample, 1);  // a late phase, but the earliest time
  q.push(20, EventKind::JobFinish, 2);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q.pop().index, 1u);
  EXPECT_EQ(q.pop().index, 2u);
  EXPECT_EQ(q.pop().index, 3u);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, PopsSameTimeEventsInPhaseThenInsertionOrder) {
  // All at t=5, pushed in the reverse of the phase order. Expected: the three Completion-phase
  // events (JobFinish, GpusReleased) in push order, then Arrival, Schedule, Sample.
  EventQueue q;
  q.push(5, EventKind::Sample, 0);
  q.push(5, EventKind::ScheduleRound, 1);
  q.push(5, EventKind::JobArrival, 2);
  q.push(5, EventKind::JobFinish, 3, 7);
  q.push(5, EventKind::GpusReleased, 4);
  q.push(5, EventKind::JobFinish, 5, 9);
  std::vector<std::uint32_t> order;
  while (!q.empty()) {
    const std::uint32_t top_index = q.top().index;
    const Event e = q.pop();
    EXPECT_EQ(top_index, e.index);  // top() shows what pop() returns
    EXPECT_EQ(e.time, 5);
    order.push_back(e.index);
  }
  EXPECT_EQ(order, (std::vector<std::uint32_t>{3, 4, 5, 2, 1, 0}));
}

TEST(EventQueue, KeepsKindEpochAndPhaseOfEachEvent) {
  EventQueue q;
  q.push(1, EventKind::JobFinish, 42, 7);
  const Event e = q.pop();
  EXPECT_EQ(e.kind, EventKind::JobFinish);
  EXPECT_EQ(e.index, 42u);
  EXPECT_EQ(e.epoch, 7u);
  EXPECT_EQ(e.phase(), Phase::Completion);
}

TEST(EventQueue, PhaseOfEachKindPutsReleasesBeforeArrivalsBeforeSchedulingBeforeSamples) {
  EXPECT_EQ(phase_of(EventKind::JobFinish), Phase::Completion);
  EXPECT_EQ(phase_of(EventKind::GpusReleased), Phase::Completion);
  EXPECT_EQ(phase_of(EventKind::JobArrival), Phase::Arrival);
  EXPECT_EQ(phase_of(EventKind::ScheduleRound), Phase::Schedule);
  EXPECT_EQ(phase_of(EventKind::Sample), Phase::Sample);
  EXPECT_LT(Phase::Completion, Phase::Arrival);
  EXPECT_LT(Phase::Arrival, Phase::Schedule);
  EXPECT_LT(Phase::Schedule, Phase::Sample);
}

TEST(EventQueue, HandlesNegativeAndExtremeTimes) {
  EventQueue q;
  q.push(kTimeNever, EventKind::JobArrival, 0);
  q.push(-5, EventKind::JobArrival, 1);
  q.push(0, EventKind::JobArrival, 2);
  EXPECT_EQ(q.pop().time, -5);
  EXPECT_EQ(q.pop().time, 0);
  EXPECT_EQ(q.pop().time, kTimeNever);
}

// 200,000 operations, pushes and pops interleaved, times drawn from a small range so that
// most events tie on time and many on phase. The reference is a std::set ordered by
// (time, phase, push number); the queue must pop exactly its minimum each time.
TEST(EventQueue, RandomPushPopMatchesSortedReference) {
  constexpr EventKind kKinds[] = {EventKind::JobFinish, EventKind::GpusReleased,
                                  EventKind::JobArrival, EventKind::ScheduleRound,
                                  EventKind::Sample};
  std::mt19937_64 rng(20240601);
  boost::random::uniform_int_distribution<int> op(0, 99);
  boost::random::uniform_int_distribution<SimTime> time(0, 300);
  boost::random::uniform_int_distribution<int> kind(0, 4);
  using Key = std::tuple<SimTime, int, std::uint32_t>;  // time, phase, push number
  std::set<Key> reference;
  std::vector<EventKind> kind_of;  // [push number]
  EventQueue q;
  SimTime floor = 0;  // like the engine, never push before the last popped time
  std::uint32_t pushed = 0;
  std::uint64_t popped = 0;
  for (int step = 0; step < 200'000; ++step) {
    if (reference.empty() || op(rng) < 55) {
      const EventKind k = kKinds[kind(rng)];
      const SimTime t = floor + time(rng);
      q.push(t, k, pushed, pushed * 3);
      reference.emplace(t, static_cast<int>(phase_of(k)), pushed);
      kind_of.push_back(k);
      ++pushed;
    } else {
      const Key want = *reference.begin();
      reference.erase(reference.begin());
      ASSERT_EQ(q.top().index, std::get<2>(want)) << "at step " << step;
      const Event e = q.pop();
      ASSERT_EQ(e.time, std::get<0>(want));
      ASSERT_EQ(e.index, std::get<2>(want)) << "at step " << step;
      ASSERT_EQ(static_cast<int>(e.phase()), std::get<1>(want));
      ASSERT_EQ(e.kind, kind_of[e.index]);
      ASSERT_EQ(e.epoch, e.index * 3);
      floor = e.time;
      ++popped;
    }
    ASSERT_EQ(q.size(), reference.size());
  }
  while (!reference.empty()) {  // drain
    ASSERT_EQ(q.pop().index, std::get<2>(*reference.begin()));
    reference.erase(reference.begin());
    ++popped;
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(popped, pushed);
}

}  // namespace
}  // namespace fleetsim
