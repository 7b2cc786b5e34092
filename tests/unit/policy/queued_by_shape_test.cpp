// QueuedByShape, the index fifo_backfill and its kin walk instead of the whole queue: after any
// mix of arrivals, starts, requeues and withdrawals, a walk visits exactly the waiting jobs whose
// gang fits, in id order, skip_shape drops just the rest of that job's bucket (one kind, replica
// or training, of one shape), size() counts the waiting jobs, and for_each_bucket gives each
// waiting job once, in its bucket, after the bucket's first.
#include "sim/policy/builtin/queued_by_shape.hpp"

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "sim/core/scheduler_state.hpp"
#include "sim/policy/registry.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim::detail {
namespace {

class QueuedByShapeTest : public ::testing::Test {
 protected:
  QueuedByShapeTest()
      : fleet_(test::single_cluster_fleet(1, 1, 8)),
        placement_(find_placement("first_fit")->make()),
        state_(fleet_, *placement_, 0) {}

  // A job of `gpus` GPUs; `own_bucket` gives it a GPU type beyond the shape's 64-bit mask, so
  // it shares no bucket (JobShape::of is nullopt).
  JobId add_job(std::uint32_t gpus, float utilisation, bool own_bucket) {
    JobSpec spec = test::job("j", 0, gpus, 60);
    spec.gpu_utilisation = utilisation;
    if (own_bucket) spec.allowed_types = {GpuTypeId{70u}};
    state_.jobs.emplace_back(std::move(spec));
    return JobId{state_.jobs.size() - 1};
  }
  void change(JobId id, JobChangeKind kind) { state_.changes.push_back({id, kind}); }
  void update() {
    queue_.update(SchedulerView(state_));
    state_.changes.clear();
  }
  // Ids visited by a walk with `free` GPUs; the visitor says skip_shape at the first job of
  // `skip_gpus` GPUs (at utilisation 1) it sees.
  std::vector<std::uint32_t> walk(std::uint32_t free, std::uint32_t skip_gpus = 0) const {
    std::vector<std::uint32_t> visited;
    const auto visit = [&](JobId id) {
      visited.push_back(id.value);
      const JobSpec& spec = state_.jobs[id].spec;
      const bool skip =
          spec.gpus == skip_gpus && spec.gpu_utilisation == 1.0F && spec.allowed_types.empty();
      return skip ? WalkStep::skip_shape : WalkStep::next;
    };
    queue_.walk_fitting([&](float) { return std::uint64_t{free}; }, visit);
    return visited;
  }

  // One pass's worth of random changes, as the engine reports them: arrivals (1-8 GPUs, some
  // at utilisation 0.5, some in a bucket of their own), starts, requeues, withdrawals.
  void random_changes(std::mt19937_64& rng, std::set<JobId>& waiting,
                      std::vector<JobId>& running) {
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < changes; ++c) {
      const auto roll = rng() % 10;
      if (roll < 4 || waiting.empty()) {
        const std::uint32_t gpus = 1U << (rng() % 4);  // 1, 2, 4, 8
        const JobId id = add_job(gpus, rng() % 3 == 0 ? 0.5F : 1.0F, rng() % 8 == 0);
        change(id, JobChangeKind::Arrived);
        waiting.insert(id);
      } else if (roll < 7) {
        // Start the first waiting job, or any.
        auto it = waiting.begin();
        if (rng() % 2 == 0) std::advance(it, static_cast<long>(rng() % waiting.size()));
        change(*it, JobChangeKind::Started);
        running.push_back(*it);
        waiting.erase(it);
      } else if (roll < 9 && !running.empty()) {
        const std::size_t at = rng() % running.size();
        change(running[at], JobChangeKind::Requeued);  // back in the middle of its bucket
        waiting.insert(running[at]);
        running.erase(running.begin() + static_cast<long>(at));
      } else {
        auto it = waiting.begin();
        std::advance(it, static_cast<long>(rng() % waiting.size()));
        change(*it, JobChangeKind::Withdrawn);
        waiting.erase(it);
      }
    }
  }

  // 3,000 passes of random_changes from `seed`; check(round, waiting, rng) after each update.
  template <class Check>
  void over_random_changes(std::uint64_t seed, Check check) {
    std::mt19937_64 rng(seed);
    std::set<JobId> waiting;
    std::vector<JobId> running;
    for (int round = 0; round < 3000; ++round) {
      random_changes(rng, waiting, running);
      update();
      check(round, waiting, rng);
      if (HasFatalFailure()) return;  // an ASSERT in `check` ends only the lambda
    }
  }

  Fleet fleet_;
  std::unique_ptr<Placement> placement_;
  SchedulerState state_;
  QueuedByShape queue_;
};

TEST_F(QueuedByShapeTest, WalksFittingJobsInIdOrderAcrossBuckets) {
  // ids 0..4: gangs 1, 4, 2, 8, 1.
  for (std::uint32_t gpus : {1u, 4u, 2u, 8u, 1u})
    change(add_job(gpus, 1.0F, false), JobChangeKind::Arrived);
  update();
  EXPECT_EQ(queue_.size(), 5u);
  EXPECT_EQ(walk(8), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(walk(2), (std::vector<std::uint32_t>{0, 2, 4}));  // the 4- and 8-GPU jobs do not fit
  change(JobId{0u}, JobChangeKind::Started);
  change(JobId{2u}, JobChangeKind::Started);
  update();
  EXPECT_EQ(queue_.size(), 3u);
  EXPECT_EQ(walk(8), (std::vector<std::uint32_t>{1, 3, 4}));
  // Job 0 is preempted and requeued: it goes back before job 4 in its bucket.
  change(JobId{0u}, JobChangeKind::Requeued);
  update();
  EXPECT_EQ(queue_.size(), 4u);
  EXPECT_EQ(walk(1), (std::vector<std::uint32_t>{0, 4}));
}

TEST_F(QueuedByShapeTest, KeepsReplicasApartFromTrainingJobsOfTheirShape) {
  // ids 0..3: 2-GPU jobs, training, replica, training, replica. The visitor leaves a bucket at
  // its first 2-GPU job: job 0 ends the training bucket (job 2), job 1 the replicas' (job 3).
  for (const bool replica : {false, true, false, true}) {
    const JobId id = add_job(2, 1.0F, false);
    if (replica) state_.jobs[id].spec.service = ServiceId{0u};
    change(id, JobChangeKind::Arrived);
  }
  update();
  EXPECT_EQ(walk(8, 2), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(walk(8), (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

TEST_F(QueuedByShapeTest, MatchesAFullFifoWalkOverRandomChanges) {
  over_random_changes(3, [&](int round, const std::set<JobId>& waiting, std::mt19937_64& rng) {
    ASSERT_EQ(queue_.size(), waiting.size()) << "round " << round;
    const auto free = static_cast<std::uint32_t>(1 + rng() % 8);
    const std::uint32_t skip = 1U << (rng() % 4);
    // The FIFO walk a person would do: every waiting job that fits, in id order, leaving out
    // the jobs of the skipped bucket after its first.
    std::vector<std::uint32_t> expected;
    bool skipped = false;
    for (JobId id : waiting) {
      const JobSpec& spec = state_.jobs[id].spec;
      if (spec.gpus > free) continue;
      const bool in_skipped_bucket =
          spec.gpus == skip && spec.gpu_utilisation == 1.0F && spec.allowed_types.empty();
      if (in_skipped_bucket && skipped) continue;
      skipped = skipped || in_skipped_bucket;
      expected.push_back(id.value);
    }
    ASSERT_EQ(walk(free, skip), expected) << "round " << round;
  });
}

TEST_F(QueuedByShapeTest, ForEachBucketGivesEveryWaitingJobOnceWithItsBucketsFirst) {
  over_random_changes(5, [&](int round, const std::set<JobId>& waiting, std::mt19937_64&) {
    std::set<JobId> seen;
    queue_.for_each_bucket([&](std::uint32_t gpus, JobId first, const auto& each_job) {
      std::vector<JobId> ids;
      each_job([&](JobId id) { ids.push_back(id); });
      ASSERT_FALSE(ids.empty()) << "round " << round;
      EXPECT_EQ(first, ids.front()) << "round " << round;
      EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << "round " << round;
      const JobSpec& head = state_.jobs[first].spec;
      for (JobId id : ids) {
        const JobSpec& spec = state_.jobs[id].spec;
        EXPECT_EQ(spec.gpus, gpus) << "round " << round;
        EXPECT_EQ(spec.gpu_utilisation, head.gpu_utilisation) << "round " << round;
        EXPECT_EQ(spec.allowed_types, head.allowed_types) << "round " << round;
        EXPECT_TRUE(seen.insert(id).second) << "job " << id.value << " twice, round " << round;
      }
    });
    ASSERT_EQ(seen, waiting) << "round " << round;
  });
}

}  // namespace
}  // namespace fleetsim::detail
