// The waiting jobs bucketed by shape (gang size, GPU types, sites, data site: job_shape.hpp),
// GPU utilisation and kind (inference replicas apart from training jobs: the partitioned
// policies give each kind its own side), each bucket in id (= submit) order, kept up to date from
// the view's changes. A greedy FIFO walk then visits only jobs whose gang could fit in the GPUs
// still free, and stops visiting a bucket once one of its jobs failed to fit: a pass costs O((jobs
// started + buckets) x log buckets), not O(queue). That is what lets fifo_backfill keep up with a
// deep queue on a 100,000-GPU fleet, and on a multi-site one where residency and power caps keep
// most of a queue out while thousands of GPUs are free.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "sim/fleet/id_bitset.hpp"
#include "sim/policy/builtin/walk_step.hpp"
#include "sim/policy/job_shape.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

class QueuedByShape {
 public:
  // The gang a job is bucketed by: the one it asks for, or its minimum (elastic admits jobs on
  // their minimum; the same for a rigid job).
  enum class Gang : std::uint8_t { requested, minimum };
  explicit QueuedByShape(Gang gang = Gang::requested) : gang_(gang) {}

  // Call once at the start of each decide(). O(changes x log buckets).
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) apply(view, change);
  }

  // One change of the view's, for a policy that splits the queue over several of these (each
  // must see every change of the jobs it holds). O(log buckets).
  void apply(const SchedulerView& view, const JobChange& change) {
    switch (change.kind) {
      case JobChangeKind::Arrived:
      case JobChangeKind::Requeued: {
        const JobId id = change.job;
        queued_.grow_to_hold(id.index());
        if (bucket_of_.size() < queued_.size()) bucket_of_.resize(queued_.size(), nullptr);
        Bucket& bucket = bucket_for(key_of(view.job(id).spec, id));
        if (!queued_.test(id.index())) ++waiting_;
        queued_.set(id.index());
        bucket.add(id, queued_);
        bucket_of_[id.index()] = &bucket;
        break;
      }
      case JobChangeKind::Started:
      case JobChangeKind::Withdrawn: {
        // An emptied bucket of a shape stays for the next job of that shape (re-creating it
        // cost an allocation per job when every job starts on arrival); a job's own bucket
        // (no shape) goes, so those do not pile up. Walks skip empty buckets.
        const JobId id = change.job;
        if (id.index() >= queued_.size() || !queued_.test(id.index())) break;
        queued_.reset(id.index());
        --waiting_;
        Bucket& bucket = *bucket_of_[id.index()];
        bucket.left(queued_);
        if (bucket.live == 0 && bucket.own) {
          if (last_bucket_ == &bucket) last_bucket_ = nullptr;
          buckets_.erase(key_of(view.job(id).spec, id));
        }
        break;
      }
      case JobChangeKind::Preempted:
      case JobChangeKind::Finished:
        break;  // neither enters nor leaves the queue
    }
  }

  // Jobs waiting, as the view's changes said.
  std::size_t size() const { return waiting_; }

  // Calls visit(gpus, first, each_job) for each bucket holding waiting jobs: `gpus` is the gang
  // of its jobs, `first` its first waiting job, and each_job(f) calls f(id) for its waiting jobs
  // in id order. The jobs of one bucket share shape and GPU utilisation, so where
  // FreeCapacity::shape_decides_fit() a take that failed for one fails for the others while
  // free GPUs and power only shrink.
  template <class Visit>
  void for_each_bucket(Visit visit) const {
    for (const auto& entry : buckets_) {
      const Bucket& bucket = entry.second;  // a named reference: clang 14 cannot capture bindings
      if (bucket.live == 0) continue;
      // `head` is live: left() moves it past stale entries, and add() moves it back only to a
      // job it makes live.
      visit(entry.first.shape_key.shape.gpus, bucket.ids[bucket.head], [&](auto&& each) {
        for (std::size_t at = bucket.head; at < bucket.ids.size(); ++at) {
          if (queued_.test(bucket.ids[at].index())) each(bucket.ids[at]);
        }
      });
    }
  }

  // Visits waiting jobs in id order, skipping every job whose gang exceeds
  // `free_gpus(gpu_utilisation)` at the moment it would be visited, and the rest of a bucket
  // after `visit(id)` returned skip_shape. Since free GPUs and power only shrink during a walk,
  // the jobs skipped are jobs a full FIFO walk would have tried in vain or passed over (the
  // visitor must only say skip_shape when that holds for the rest of the bucket).
  template <class FreeGpus, class Visit>
  void walk_fitting(FreeGpus free_gpus, Visit visit) const {
    // A min-heap of the buckets' next jobs by id (a member, so its buffer is reused).
    const auto later = [](const Cursor& a, const Cursor& b) { return b.job() < a.job(); };
    std::vector<Cursor>& heap = heap_;
    heap.clear();
    for (const auto& [key, bucket] : buckets_) {
      const ShapeKey& shape = key.shape_key;
      if (bucket.live > 0 && shape.shape.gpus <= free_gpus(shape.gpu_utilisation)) {
        Cursor c{shape.shape.gpus, shape.gpu_utilisation, &bucket.ids, bucket.head};
        skip_left(c);
        heap.push_back(c);
      }
    }
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Cursor& c = heap.back();
      if (c.gpus > free_gpus(c.gpu_utilisation)) {  // only shrinks: the bucket is done
        heap.pop_back();
        continue;
      }
      const JobId id = c.job();
      ++c.at;
      skip_left(c);
      const WalkStep step = visit(id);
      if (step == WalkStep::stop) return;
      if (step == WalkStep::skip_shape || c.at == c.ids->size()) {
        heap.pop_back();
      } else {
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  }

 private:
  struct BucketKey {
    ShapeKey shape_key;
    bool replica = false;
    auto operator<=>(const BucketKey&) const = default;
  };
  BucketKey key_of(const JobSpec& spec, JobId id) const {
    return {ShapeKey::of(spec, id, gang_ == Gang::minimum ? spec.min_gang() : spec.gpus),
            spec.is_replica()};
  }

  // One bucket's jobs in id order: a sorted vector in which a job that left stays as a stale
  // entry (`queued` says which are live) until stale entries outnumber live ones. Arrivals come
  // in id order, so adding one is a push_back and leaving is O(1) amortised, with no allocation
  // per job as the std::set it replaces had; only a requeue (preemption, failure) inserts in the
  // middle.
  struct Bucket {
    std::vector<JobId> ids;  // sorted; live and stale entries from `head` on
    std::size_t head = 0;    // entries before it are stale
    std::size_t live = 0;
    bool own = false;  // one job's bucket (ShapeKey::own), dropped when it empties

    // `queued` already says the job is waiting.
    void add(JobId id, const IdBitset& queued) {
      ++live;
      if (head == ids.size() || ids.back() < id) {
        ids.push_back(id);
        return;
      }
      const auto from = ids.begin() + static_cast<std::ptrdiff_t>(head);
      const auto at = std::lower_bound(from, ids.end(), id);
      if (at != ids.end() && *at == id) return;  // its stale entry is live again
      if (at == from && head > 0) {
        ids[--head] = id;  // before every live entry: reuse a stale slot
        return;
      }
      ids.insert(at, id);
      compact_if_stale(queued);
    }
    // After a job of this bucket left (`queued` already says so).
    void left(const IdBitset& queued) {
      --live;
      while (head < ids.size() && !queued.test(ids[head].index())) ++head;
      compact_if_stale(queued);
    }
    void compact_if_stale(const IdBitset& queued) {
      const std::size_t stale = ids.size() - live;
      if (stale <= 32 || stale <= live) return;
      std::size_t out = 0;
      for (std::size_t at = head; at < ids.size(); ++at) {
        if (queued.test(ids[at].index())) ids[out++] = ids[at];
      }
      ids.resize(out);
      head = 0;
    }
  };

  struct Cursor {
    std::uint32_t gpus;
    float gpu_utilisation;
    const std::vector<JobId>* ids;
    std::size_t at;
    JobId job() const { return (*ids)[at]; }
  };
  // The bucket of `key`, made if new. Consecutive arrivals are mostly of one shape, so the last
  // bucket found is tried before the map.
  Bucket& bucket_for(const BucketKey& key) {
    if (last_bucket_ == nullptr || !(last_key_ == key)) {
      Bucket& bucket = buckets_[key];
      bucket.own = key.shape_key.own.valid();
      last_key_ = key;
      last_bucket_ = &bucket;
    }
    return *last_bucket_;
  }
  void skip_left(Cursor& c) const {
    while (c.at < c.ids->size() && !queued_.test((*c.ids)[c.at].index())) ++c.at;
  }

  Gang gang_;
  std::map<BucketKey, Bucket> buckets_;  // nodes are stable: bucket_of_ points into them
  IdBitset queued_;                   // [job]: waiting, as the view's changes said
  std::size_t waiting_ = 0;           // jobs set in queued_
  std::vector<Bucket*> bucket_of_;    // [job] -> its bucket, while queued
  BucketKey last_key_;                // bucket_for's last key and bucket (nullptr: none)
  Bucket* last_bucket_ = nullptr;
  mutable std::vector<Cursor> heap_;  // walk_fitting's scratch (so a visitor must not walk again)
};

}  // namespace fleetsim::detail
