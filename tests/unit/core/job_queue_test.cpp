// JobQueue: the engine's queue of waiting jobs in id order, checked against std::set.
#include "sim/core/job_queue.hpp"

#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

std::vector<std::uint32_t> ids_of(const JobQueue& queue) {
  std::vector<std::uint32_t> out;
  for (JobId id : queue) out.push_back(id.value);
  return out;
}

TEST(JobQueue, KeepsIdOrderWhateverTheInsertOrder) {
  JobQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.begin(), queue.end());
  EXPECT_TRUE(queue.insert(JobId{5u}));
  EXPECT_TRUE(queue.insert(JobId{70u}));  // grows past the first word
  EXPECT_TRUE(queue.insert(JobId{2u}));   // a requeued job goes back to its place
  EXPECT_FALSE(queue.insert(JobId{5u}));  // already queued: nothing changes
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(ids_of(queue), (std::vector<std::uint32_t>{2, 5, 70}));
  EXPECT_TRUE(queue.contains(JobId{70u}));
  EXPECT_FALSE(queue.contains(JobId{6u}));
  EXPECT_FALSE(queue.contains(JobId{100000u}));  // beyond the bitset: not queued, no growth
}

TEST(JobQueue, EraseKeepsTheFirstJobRight) {
  JobQueue queue;
  for (std::uint32_t id : {3u, 4u, 9000u}) queue.insert(JobId{id});
  EXPECT_TRUE(queue.erase(JobId{3u}));
  EXPECT_EQ(*queue.begin(), JobId{4u});
  EXPECT_FALSE(queue.erase(JobId{3u}));  // not queued any more
  EXPECT_TRUE(queue.erase(JobId{4u}));
  EXPECT_EQ(*queue.begin(), JobId{9000u});  // 8,996 ids on, past two summary words
  EXPECT_TRUE(queue.erase(JobId{9000u}));
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.begin(), queue.end());
  queue.insert(JobId{1u});
  EXPECT_EQ(ids_of(queue), (std::vector<std::uint32_t>{1}));
}

TEST(JobQueue, MatchesAStdSetOverRandomInsertsAndErases) {
  std::mt19937_64 rng(7);
  JobQueue queue;
  std::set<JobId> reference;
  std::uint32_t next_id = 0;
  for (int step = 0; step < 20000; ++step) {
    const auto roll = rng() % 10;
    if (roll < 5 || reference.empty()) {
      const JobId id{next_id++};  // an arrival: the largest id so far
      EXPECT_EQ(queue.insert(id), reference.insert(id).second);
    } else if (roll < 6) {
      const JobId id{static_cast<std::uint32_t>(rng() % (next_id + 1))};  // a requeue, or a repeat
      EXPECT_EQ(queue.insert(id), reference.insert(id).second);
    } else {
      // A start or withdrawal: often the first job, else any id.
      const JobId id =
          roll < 8 ? *reference.begin() : JobId{static_cast<std::uint32_t>(rng() % (next_id + 1))};
      EXPECT_EQ(queue.erase(id), reference.erase(id) == 1);
    }
    ASSERT_EQ(queue.size(), reference.size()) << "step " << step;
    if (step % 97 == 0) {
      ASSERT_TRUE(std::equal(queue.begin(), queue.end(), reference.begin(), reference.end()))
          << "step " << step;
    }
  }
  EXPECT_TRUE(std::equal(queue.begin(), queue.end(), reference.begin(), reference.end()));
}

}  // namespace
}  // namespace fleetsim
