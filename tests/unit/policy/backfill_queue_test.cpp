// BackfillQueue and its MinTree: the index easy_backfill walks instead of the whole queue.
#include "sim/policy/builtin/backfill_queue.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

namespace fleetsim::detail {
namespace {

TEST(MinTree, FindsTheFirstPositionAtOrAfterWithAValueWithinTheLimit) {
  MinTree tree;
  // 40 values (the tree grows past its first 16 leaves): value at i = 100 - i.
  for (Duration i = 0; i < 40; ++i) EXPECT_EQ(tree.push(100 - i), static_cast<std::size_t>(i));
  EXPECT_EQ(tree.size(), 40u);
  EXPECT_EQ(tree.find_next(0, 100), 0u);
  EXPECT_EQ(tree.find_next(0, 90), 10u);   // 100 - 10 = 90
  EXPECT_EQ(tree.find_next(11, 90), 11u);  // 89
  EXPECT_EQ(tree.find_next(0, 61), 39u);   // only the last one, 61
  EXPECT_EQ(tree.find_next(0, 60), 40u);   // none: size()
  EXPECT_EQ(tree.find_next(40, 1000), 40u);
  tree.remove(39);
  EXPECT_EQ(tree.find_next(0, 61), 40u);
  tree.remove(10);
  EXPECT_EQ(tree.find_next(0, 90), 11u);
}

// The bucket key of a gang of `gpus` GPUs of any type; `variant` > 0 gives another shape of the
// same gang (GPU type variant - 1 only).
ShapeKey key(std::uint32_t gpus, std::uint32_t variant = 0) {
  ShapeKey k{JobShape{.sites = ~std::uint64_t{0}, .types = ~std::uint64_t{0}, .gpus = gpus}, 1.0F,
             JobId{}};
  if (variant > 0) k.shape.types = std::uint64_t{1} << (variant - 1);
  return k;
}

std::vector<std::uint32_t> walk(const BackfillQueue& queue, std::uint64_t free, std::uint64_t extra,
                                Duration horizon) {
  std::vector<std::uint32_t> visited;
  queue.walk([&](float) { return free; }, [&] { return extra; }, [&] { return horizon; },
             [&](JobId id) {
               visited.push_back(id.value);
               return WalkStep::next;
             });
  return visited;
}

TEST(BackfillQueue, VisitsInIdOrderOnlyJobsThatFitAndCouldPassTheReservation) {
  BackfillQueue queue;
  // id: gpus, shortest run
  queue.add(JobId{0u}, key(1), 500);
  queue.add(JobId{1u}, key(4), 50);
  queue.add(JobId{2u}, key(2), 100);
  queue.add(JobId{3u}, key(8), 10);
  queue.add(JobId{4u}, key(1), 20);
  // Everything fits and passes: id order across gang sizes.
  EXPECT_EQ(walk(queue, 8, 8, BackfillQueue::kAny), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  // 4 free GPUs: job 3 (8 GPUs) is skipped.
  EXPECT_EQ(walk(queue, 4, 8, BackfillQueue::kAny), (std::vector<std::uint32_t>{0, 1, 2, 4}));
  // extra 1, horizon 60: gangs of 1 pass whatever their run (0, 4); larger ones only if they
  // run <= 60 (1: 50 yes; 2: 100 no; 3: 10 but 8 GPUs > 4 free).
  EXPECT_EQ(walk(queue, 4, 1, 60), (std::vector<std::uint32_t>{0, 1, 4}));
  queue.remove(JobId{1u});
  queue.remove(JobId{0u});
  EXPECT_EQ(walk(queue, 8, 0, 60), (std::vector<std::uint32_t>{3, 4}));
}

TEST(BackfillQueue, LimitsThatShrinkDuringAWalkApplyToTheRest) {
  BackfillQueue queue;
  queue.add(JobId{0u}, key(2), 1000);
  queue.add(JobId{1u}, key(2), 1000);
  queue.add(JobId{2u}, key(1), 1000);
  queue.add(JobId{3u}, key(1), 10);
  // Each visit uses up 2 GPUs of "extra": after job 0, long 2-GPU jobs no longer pass, and
  // after job 2 long 1-GPU jobs do not either; job 3 is short enough to pass anyway.
  std::uint64_t extra = 3;
  std::vector<std::uint32_t> visited;
  queue.walk([](float) { return std::uint64_t{8}; }, [&] { return extra; },
             [] { return Duration{100}; },
             [&](JobId id) {
               visited.push_back(id.value);
               extra = extra >= 2 ? extra - 2 : 0;
               return WalkStep::next;
             });
  EXPECT_EQ(visited, (std::vector<std::uint32_t>{0, 2, 3}));
}

TEST(BackfillQueue, SkipShapeDropsTheRestOfThatShapeOnly) {
  BackfillQueue queue;
  // Jobs 0, 2, 4: one shape of 2 GPUs; jobs 1, 3: another shape of 2 GPUs (one GPU type).
  for (std::uint32_t id = 0; id < 5; ++id) queue.add(JobId{id}, key(2, id % 2), 100);
  std::vector<std::uint32_t> visited;
  queue.walk([](float) { return std::uint64_t{8}; }, [] { return std::uint64_t{8}; },
             [] { return BackfillQueue::kAny; },
             [&](JobId id) {
               visited.push_back(id.value);
               return id.value == 0 ? WalkStep::skip_shape : WalkStep::next;
             });
  EXPECT_EQ(visited, (std::vector<std::uint32_t>{0, 1, 3}));  // 2 and 4 share job 0's shape
  // A job of its own shape leaves its bucket with it.
  ShapeKey own = key(2);
  own.own = JobId{5u};
  queue.add(JobId{5u}, own, 100);
  EXPECT_EQ(walk(queue, 8, 8, BackfillQueue::kAny), (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5}));
  queue.remove(JobId{5u});
  EXPECT_EQ(walk(queue, 8, 8, BackfillQueue::kAny), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

// The walk a person would do over the whole queue: each waiting job in id order, tested against
// the limits as they are when it comes up, leaving out the rest of a skipped bucket.
TEST(BackfillQueue, MatchesAFullWalkOverRandomQueuesAndShrinkingLimits) {
  std::mt19937_64 rng(5);
  struct Waiting {
    ShapeKey key;
    Duration run;
  };
  for (int round = 0; round < 300; ++round) {
    BackfillQueue queue;
    std::map<std::uint32_t, Waiting> waiting;  // id -> what it was added with
    std::vector<std::uint32_t> removed;
    const auto jobs = static_cast<std::uint32_t>(1 + rng() % 60);
    for (std::uint32_t id = 0; id < jobs; ++id) {
      const Waiting w{key(1U << (rng() % 4), static_cast<std::uint32_t>(rng() % 3)),
                      static_cast<Duration>(rng() % 200)};
      queue.add(JobId{id}, w.key, w.run);
      waiting.emplace(id, w);
      if (rng() % 4 == 0) removed.push_back(static_cast<std::uint32_t>(rng() % (id + 1)));
    }
    for (std::uint32_t id : removed) {
      if (waiting.count(id) == 0) continue;
      queue.remove(JobId{id});
      waiting.erase(id);
    }
    // Each visit may use up GPUs and extra GPUs, and may skip its shape: decided by the job id
    // alone, so both walks see the same limits.
    const std::uint64_t free0 = 1 + rng() % 8;
    const std::uint64_t extra0 = rng() % 6;
    const Duration horizon = static_cast<Duration>(rng() % 200);
    const std::uint64_t seed = rng();
    const auto uses = [&](std::uint32_t id) { return (seed >> (id % 60)) & 1U; };
    const auto skips = [&](std::uint32_t id) { return ((seed >> ((id + 7) % 60)) & 3U) == 0; };

    std::uint64_t free = free0;
    std::uint64_t extra = extra0;
    std::vector<std::uint32_t> visited;
    queue.walk([&](float) { return free; }, [&] { return extra; }, [&] { return horizon; },
               [&](JobId id) {
                 visited.push_back(id.value);
                 free -= std::min<std::uint64_t>(free, uses(id.value));
                 extra -= std::min<std::uint64_t>(extra, uses(id.value));
                 return skips(id.value) ? WalkStep::skip_shape : WalkStep::next;
               });

    free = free0;
    extra = extra0;
    std::vector<std::uint32_t> expected;
    std::set<ShapeKey> skipped;
    for (const auto& [id, w] : waiting) {
      const std::uint32_t gpus = w.key.shape.gpus;
      if (skipped.count(w.key) > 0 || gpus > free) continue;
      if (gpus > extra && w.run > horizon) continue;
      expected.push_back(id);
      free -= std::min<std::uint64_t>(free, uses(id));
      extra -= std::min<std::uint64_t>(extra, uses(id));
      if (skips(id)) skipped.insert(w.key);
    }
    ASSERT_EQ(visited, expected) << "round " << round;
  }
}

}  // namespace
}  // namespace fleetsim::detail
