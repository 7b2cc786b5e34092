// The waiting jobs as EASY backfilling searches them: bucketed by shape (gang size, GPU types,
// sites, data site, utilisation: job_shape.hpp), each bucket in arrival (= id) order with a
// min-tree over the jobs' shortest possible run times. A pass then visits, in id order, only jobs
// that fit in the free GPUs by count and could pass the reservation test (gang <= extra GPUs, or
// short enough to end by the shadow time), and none of a bucket after one of its jobs failed to
// fit: it costs O((jobs visited + buckets) x log queue) however deep the queue, instead of
// O(queue), also when residency or power caps keep most of the queue out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/ids.hpp"
#include "sim/core/time.hpp"
#include "sim/policy/builtin/walk_step.hpp"
#include "sim/policy/job_shape.hpp"

namespace fleetsim::detail {

// Append-only array of durations with point removal and "first position >= from whose value is
// <= limit" in O(log n).
class MinTree {
 public:
  static constexpr Duration kRemoved = std::numeric_limits<Duration>::max();

  std::size_t size() const { return size_; }

  std::size_t push(Duration value) {
    if (size_ == capacity_) grow();
    const std::size_t at = size_++;
    set(at, value);
    return at;
  }
  void remove(std::size_t at) { set(at, kRemoved); }
  Duration value(std::size_t at) const { return tree_[capacity_ + at]; }

  // Smallest position >= from whose value is <= limit, or size() when there is none.
  std::size_t find_next(std::size_t from, Duration limit) const {
    if (from >= size_) return size_;
    const std::size_t found = find(1, 0, capacity_, from, limit);
    return found < size_ ? found : size_;
  }

 private:
  void set(std::size_t at, Duration value) {
    std::size_t node = capacity_ + at;
    tree_[node] = value;
    for (node /= 2; node >= 1; node /= 2) {
      tree_[node] = std::min(tree_[2 * node], tree_[2 * node + 1]);
    }
  }

  void grow() {
    const std::size_t capacity = capacity_ == 0 ? 16 : 2 * capacity_;
    std::vector<Duration> tree(2 * capacity, kRemoved);
    for (std::size_t i = 0; i < size_; ++i) tree[capacity + i] = tree_[capacity_ + i];
    for (std::size_t node = capacity - 1; node >= 1; --node) {
      tree[node] = std::min(tree[2 * node], tree[2 * node + 1]);
    }
    tree_ = std::move(tree);
    capacity_ = capacity;
  }

  std::size_t find(std::size_t node, std::size_t lo, std::size_t hi, std::size_t from,
                   Duration limit) const {
    if (hi <= from || tree_[node] > limit) return capacity_;
    if (hi - lo == 1) return lo;
    const std::size_t mid = (lo + hi) / 2;
    const std::size_t left = find(2 * node, lo, mid, from, limit);
    return left != capacity_ ? left : find(2 * node + 1, mid, hi, from, limit);
  }

  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::vector<Duration> tree_;  // [1] = root; leaves at [capacity_, 2 * capacity_)
};

class BackfillQueue {
 public:
  static constexpr Duration kAny = MinTree::kRemoved - 1;

  // `shortest_run`: the least wall time the job could need (clamped below kAny).
  void add(JobId id, const ShapeKey& key, Duration shortest_run) {
    auto& entry = *buckets_.try_emplace(key).first;
    Bucket& bucket = entry.second;
    if (bucket_of_.size() <= id.index()) {
      bucket_of_.resize(id.index() + 1, nullptr);
      position_.resize(id.index() + 1);
    }
    bucket_of_[id.index()] = &entry;
    // EASY never preempts, but a failure requeues a job behind later arrivals: rebuild its
    // bucket in id order (O(bucket), and failures are rare next to arrivals).
    if (!bucket.ids.empty() && !(bucket.ids.back() < id)) {
      rebuild_with(bucket, id, std::min(shortest_run, kAny - 1));
      return;
    }
    position_[id.index()] =
        static_cast<std::uint32_t>(bucket.tree.push(std::min(shortest_run, kAny - 1)));
    bucket.ids.push_back(id);
    ++bucket.live;
  }

  void remove(JobId id) {
    FLEETSIM_CHECK(id.index() < bucket_of_.size() && bucket_of_[id.index()] != nullptr,
                   "job {} was not queued", id.value);
    auto& [key, bucket] = *bucket_of_[id.index()];
    bucket_of_[id.index()] = nullptr;
    bucket.tree.remove(position_[id.index()]);
    // A job's own bucket (no shape) goes when it empties, so those do not pile up.
    if (--bucket.live == 0 && key.own.valid()) buckets_.erase(key);
  }

  // Visits queued jobs in id order, each at most once, skipping those with gang >
  // free(gpu_utilisation) or (gang > extra() and shortest run > horizon()) at the moment they
  // would be visited, and the rest of a bucket after visit(id) returned skip_shape. The limits
  // may only shrink during a walk; extra() and horizon() are asked only for buckets whose gang
  // fits in free().
  template <class Free, class Extra, class Horizon, class Visit>
  void walk(Free free, Extra extra, Horizon horizon, Visit visit) const {
    struct Cursor {
      std::uint32_t gpus;
      float gpu_utilisation;
      const Bucket* bucket;
      std::size_t at = 0;
      Duration limit = -1;  // not searched yet
      JobId job() const { return bucket->ids[at]; }
    };
    // A min-heap of the buckets' next jobs by id. An entry's position may be stale (found with
    // a looser limit): it is searched again when it comes out on top, and only moves later, so
    // the entry on top with a current limit holds the next job in id order.
    const auto later = [](const Cursor& a, const Cursor& b) { return b.job() < a.job(); };
    std::vector<Cursor> heap;
    for (const auto& [key, bucket] : buckets_) {
      if (bucket.live == 0 || key.shape.gpus > free(key.gpu_utilisation)) continue;
      Cursor c{key.shape.gpus, key.gpu_utilisation, &bucket};
      c.limit = c.gpus <= extra() ? kAny : horizon();
      c.at = bucket.tree.find_next(0, c.limit);
      if (c.at < bucket.ids.size()) heap.push_back(c);
    }
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Cursor& c = heap.back();
      if (c.gpus > free(c.gpu_utilisation)) {  // free GPUs only shrink: the bucket is done
        heap.pop_back();
        continue;
      }
      if (const Duration limit = c.gpus <= extra() ? kAny : horizon(); limit != c.limit) {
        c.limit = limit;
        c.at = c.bucket->tree.find_next(c.at, limit);
      } else {
        const JobId id = c.job();
        c.at = c.bucket->tree.find_next(c.at + 1, c.limit);
        const WalkStep step = visit(id);
        if (step == WalkStep::stop) return;
        if (step == WalkStep::skip_shape) c.at = c.bucket->ids.size();
      }
      if (c.at < c.bucket->ids.size()) {
        std::push_heap(heap.begin(), heap.end(), later);
      } else {
        heap.pop_back();
      }
    }
  }

 private:
  struct Bucket {
    std::vector<JobId> ids;  // arrival order; removed jobs stay, marked in the tree
    MinTree tree;            // [position] -> shortest run, or kRemoved
    std::uint64_t live = 0;
  };
  std::map<ShapeKey, Bucket> buckets_;  // nodes are stable: bucket_of_ points into them
  std::vector<std::pair<const ShapeKey, Bucket>*> bucket_of_;  // [job] -> its bucket, while queued
  std::vector<std::uint32_t> position_;  // [job] -> position in its bucket
  void rebuild_with(Bucket& bucket, JobId id, Duration value) {
    std::vector<std::pair<JobId, Duration>> live;
    for (std::size_t at = 0; at < bucket.ids.size(); ++at) {
      const Duration v = bucket.tree.value(at);
      if (v != MinTree::kRemoved) live.emplace_back(bucket.ids[at], v);
    }
    live.emplace_back(id, value);
    std::sort(live.begin(), live.end());
    bucket.ids.clear();
    bucket.tree = MinTree();
    for (const auto& [job, v] : live) {
      position_[job.index()] = static_cast<std::uint32_t>(bucket.tree.push(v));
      bucket.ids.push_back(job);
    }
    bucket.live = live.size();
  }
};

}  // namespace fleetsim::detail
