// The waiting jobs bucketed by gang size, each bucket in id (= submit) order, kept up to date
// from the view's changes. A greedy FIFO walk then visits only jobs whose gang could fit in
// the GPUs still free: a pass costs O(jobs visited x distinct sizes), not O(queue), which is
// what lets fifo_backfill keep up with a deep queue on a 100,000-GPU fleet.
#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

class QueuedBySize {
 public:
  // Call once at the start of each decide(). O(changes x log queue).
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      const std::uint32_t gpus = view.job(change.job).spec.gpus;
      switch (change.kind) {
        case JobChangeKind::Arrived:
        case JobChangeKind::Requeued: buckets_[gpus].insert(change.job); break;
        case JobChangeKind::Started:
        case JobChangeKind::Withdrawn: {
          auto it = buckets_.find(gpus);
          if (it != buckets_.end() && it->second.erase(change.job) == 1 && it->second.empty()) {
            buckets_.erase(it);
          }
          break;
        }
        case JobChangeKind::Preempted:
        case JobChangeKind::Finished: break;  // neither enters nor leaves the queue
      }
    }
  }

  // Visits waiting jobs in id order, skipping every job whose gang exceeds `free_gpus()` at the
  // moment it would be visited; exactly the jobs a full FIFO walk would try, since free GPUs
  // only shrink during a walk. `visit(id)` returns false to stop the walk.
  template <class FreeGpus, class Visit>
  void walk_fitting(FreeGpus free_gpus, Visit visit) const {
    struct Cursor {
      std::uint32_t gpus;
      std::set<JobId>::const_iterator at, end;
    };
    std::vector<Cursor> cursors;
    for (const auto& [gpus, jobs] : buckets_) cursors.push_back({gpus, jobs.begin(), jobs.end()});
    while (true) {
      const std::uint64_t free = free_gpus();
      Cursor* next = nullptr;
      for (Cursor& c : cursors) {
        if (c.gpus > free) break;  // sizes ascend: no later bucket fits either
        if (c.at != c.end && (next == nullptr || *c.at < *next->at)) next = &c;
      }
      if (next == nullptr) return;
      const JobId id = *next->at++;
      if (!visit(id)) return;
    }
  }

 private:
  std::map<std::uint32_t, std::set<JobId>> buckets_;  // gang size -> waiting jobs
};

}  // namespace fleetsim::detail
