// The waiting jobs bucketed by shape (gang size, GPU types, sites, data site: job_shape.hpp) and
// GPU utilisation, each bucket in id (= submit) order, kept up to date from the view's changes.
// A greedy FIFO walk then visits only jobs whose gang could fit in the GPUs still free, and stops
// visiting a bucket once one of its jobs failed to fit: a pass costs O((jobs started + buckets)
// x log buckets), not O(queue). That is what lets fifo_backfill keep up with a deep queue on a
// 100,000-GPU fleet, and on a multi-site one where residency and power caps keep most of a
// queue out while thousands of GPUs are free.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "sim/policy/job_shape.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

// What a walk's visitor tells it to do next.
enum class WalkStep : std::uint8_t {
  next,        // go on with the next job in id order
  skip_shape,  // this job did not fit, and no later job of its bucket will in this pass
  stop,        // end the walk
};

class QueuedByShape {
 public:
  // Call once at the start of each decide(). O(changes x log queue).
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      switch (change.kind) {
        case JobChangeKind::Arrived:
        case JobChangeKind::Requeued:
          buckets_[key_of(view.job(change.job).spec, change.job)].insert(change.job);
          break;
        case JobChangeKind::Started:
        case JobChangeKind::Withdrawn: {
          // An emptied bucket of a shape stays for the next job of that shape (re-creating it
          // cost an allocation per job when every job starts on arrival); a job's own bucket
          // (no shape) goes, so those do not pile up. Walks skip empty buckets.
          const Key key = key_of(view.job(change.job).spec, change.job);
          auto it = buckets_.find(key);
          if (it != buckets_.end() && it->second.erase(change.job) == 1 && it->second.empty() &&
              key.own.valid()) {
            buckets_.erase(it);
          }
          break;
        }
        case JobChangeKind::Preempted:
        case JobChangeKind::Finished: break;  // neither enters nor leaves the queue
      }
    }
  }

  // Visits waiting jobs in id order, skipping every job whose gang exceeds
  // `free_gpus(gpu_utilisation)` at the moment it would be visited, and the rest of a bucket after `visit(id)` returned skip_shape.
  // Since free GPUs and power only shrink during a walk, the jobs skipped are jobs a full FIFO
  // walk would have tried in vain (the visitor must only say skip_shape when that holds).
  template <class FreeGpus, class Visit>
  void walk_fitting(FreeGpus free_gpus, Visit visit) const {
    // A min-heap of the buckets' next jobs by id (a member, so its buffer is reused).
    const auto later = [](const Cursor& a, const Cursor& b) { return *b.at < *a.at; };
    std::vector<Cursor>& heap = heap_;
    heap.clear();
    for (const auto& [key, jobs] : buckets_) {
      if (!jobs.empty() && key.shape.gpus <= free_gpus(key.gpu_utilisation)) {
        heap.push_back({key.shape.gpus, key.gpu_utilisation, jobs.begin(), jobs.end()});
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
      const JobId id = *c.at++;
      const WalkStep step = visit(id);
      if (step == WalkStep::stop) return;
      if (step == WalkStep::skip_shape || c.at == c.end) {
        heap.pop_back();
      } else {
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  }

 private:
  struct Key {
    JobShape shape;
    float gpu_utilisation = 0;
    JobId own;  // valid only for a job without a shape (JobShape::of): a bucket of its own
    auto operator<=>(const Key&) const = default;
  };
  static Key key_of(const JobSpec& spec, JobId id) {
    if (const std::optional<JobShape> shape = JobShape::of(spec)) {
      return {*shape, spec.gpu_utilisation, JobId{}};
    }
    return {JobShape{.gpus = spec.gpus}, spec.gpu_utilisation, id};
  }

  struct Cursor {
    std::uint32_t gpus;
    float gpu_utilisation;
    std::set<JobId>::const_iterator at, end;
  };

  std::map<Key, std::set<JobId>> buckets_;
  mutable std::vector<Cursor> heap_;  // walk_fitting's scratch (so a visitor must not walk again)
};

}  // namespace fleetsim::detail
