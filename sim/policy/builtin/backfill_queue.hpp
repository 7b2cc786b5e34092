// The waiting jobs as EASY backfilling searches them: bucketed by gang size, each bucket in
// arrival (= id) order with a min-tree over the jobs' shortest possible run times. A pass then
// visits, in id order, only jobs that fit in the free GPUs by count and could pass the
// reservation test (gang <= extra GPUs, or short enough to end by the shadow time), so it costs
// O((jobs visited + buckets) x log queue) however deep the queue, instead of O(queue).
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
  void add(JobId id, std::uint32_t gpus, Duration shortest_run) {
    Bucket& bucket = buckets_[gpus];
    if (position_.size() <= id.index()) position_.resize(id.index() + 1);
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

  void remove(JobId id, std::uint32_t gpus) {
    auto it = buckets_.find(gpus);
    FLEETSIM_CHECK(it != buckets_.end(), "job {} was not queued", id.value);
    it->second.tree.remove(position_[id.index()]);
    --it->second.live;
  }

  // Visits queued jobs in id order, each at most once, skipping those with gang > free() or
  // (gang > extra() and shortest run > horizon()) at the moment they would be visited. The
  // limits may only shrink during a walk; extra() and horizon() are asked only once some
  // bucket's gang fits in free(). visit(id) returns false to stop.
  template <class Free, class Extra, class Horizon, class Visit>
  void walk(Free free, Extra extra, Horizon horizon, Visit visit) const {
    struct Cursor {
      std::uint32_t gpus;
      const Bucket* bucket;
      std::size_t at = 0;
      Duration limit = -1;  // not searched yet
    };
    std::vector<Cursor> cursors;
    for (const auto& [gpus, bucket] : buckets_) {
      if (bucket.live > 0) cursors.push_back({gpus, &bucket});
    }
    while (true) {
      const std::uint64_t free_gpus = free();
      Cursor* best = nullptr;
      for (Cursor& c : cursors) {
        if (c.gpus > free_gpus) break;  // sizes ascend
        const Duration limit = c.gpus <= extra() ? kAny : horizon();
        if (limit != c.limit) {
          c.limit = limit;
          c.at = c.bucket->tree.find_next(c.at, limit);
        }
        if (c.at < c.bucket->ids.size() &&
            (best == nullptr || c.bucket->ids[c.at] < best->bucket->ids[best->at])) {
          best = &c;
        }
      }
      if (best == nullptr) return;
      const JobId id = best->bucket->ids[best->at];
      best->at = best->bucket->tree.find_next(best->at + 1, best->limit);
      if (!visit(id)) return;
    }
  }

 private:
  struct Bucket {
    std::vector<JobId> ids;  // arrival order; removed jobs stay, marked in the tree
    MinTree tree;            // [position] -> shortest run, or kRemoved
    std::uint64_t live = 0;
  };
  std::map<std::uint32_t, Bucket> buckets_;  // gang size -> bucket
  std::vector<std::uint32_t> position_;      // [job] -> position in its bucket
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
