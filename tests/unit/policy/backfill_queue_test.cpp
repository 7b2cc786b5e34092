// BackfillQueue and its MinTree: the index easy_backfill walks instead of the whole queue.
#include "sim/policy/builtin/backfill_queue.hpp"

#include <vector>

#include <gtest/gtest.h>

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

std::vector<std::uint32_t> walk(const BackfillQueue& queue, std::uint64_t free, std::uint64_t extra,
                                Duration horizon) {
  std::vector<std::uint32_t> visited;
  queue.walk([&] { return free; }, [&] { return extra; }, [&] { return horizon; },
             [&](JobId id) {
               visited.push_back(id.value);
               return true;
             });
  return visited;
}

TEST(BackfillQueue, VisitsInIdOrderOnlyJobsThatFitAndCouldPassTheReservation) {
  BackfillQueue queue;
  // id: gpus, shortest run
  queue.add(JobId{0u}, 1, 500);
  queue.add(JobId{1u}, 4, 50);
  queue.add(JobId{2u}, 2, 100);
  queue.add(JobId{3u}, 8, 10);
  queue.add(JobId{4u}, 1, 20);
  // Everything fits and passes: id order across gang sizes.
  EXPECT_EQ(walk(queue, 8, 8, BackfillQueue::kAny), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  // 4 free GPUs: job 3 (8 GPUs) is skipped.
  EXPECT_EQ(walk(queue, 4, 8, BackfillQueue::kAny), (std::vector<std::uint32_t>{0, 1, 2, 4}));
  // extra 1, horizon 60: gangs of 1 pass whatever their run (0, 4); larger ones only if they
  // run <= 60 (1: 50 yes; 2: 100 no; 3: 10 but 8 GPUs > 4 free).
  EXPECT_EQ(walk(queue, 4, 1, 60), (std::vector<std::uint32_t>{0, 1, 4}));
  queue.remove(JobId{1u}, 4);
  queue.remove(JobId{0u}, 1);
  EXPECT_EQ(walk(queue, 8, 0, 60), (std::vector<std::uint32_t>{3, 4}));
}

TEST(BackfillQueue, LimitsThatShrinkDuringAWalkApplyToTheRest) {
  BackfillQueue queue;
  queue.add(JobId{0u}, 2, 1000);
  queue.add(JobId{1u}, 2, 1000);
  queue.add(JobId{2u}, 1, 1000);
  queue.add(JobId{3u}, 1, 10);
  // Each visit uses up 2 GPUs of "extra": after job 0, long 2-GPU jobs no longer pass, and
  // after job 2 long 1-GPU jobs do not either; job 3 is short enough to pass anyway.
  std::uint64_t extra = 3;
  std::vector<std::uint32_t> visited;
  queue.walk([] { return 8; }, [&] { return extra; }, [] { return Duration{100}; },
             [&](JobId id) {
               visited.push_back(id.value);
               extra = extra >= 2 ? extra - 2 : 0;
               return true;
             });
  EXPECT_EQ(visited, (std::vector<std::uint32_t>{0, 2, 3}));
}

}  // namespace
}  // namespace fleetsim::detail
