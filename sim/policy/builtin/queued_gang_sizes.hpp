// Gang sizes of the waiting jobs, kept up to date from the view's changes, so that a pass can stop
// as soon as no waiting job could fit in the GPUs left instead of walking the whole queue.
#pragma once

#include <cstdint>
#include <map>

#include "sim/core/error.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

class QueuedGangSizes {
 public:
  // Call once at the start of each decide(). O(changes * log distinct sizes).
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      const std::uint32_t gpus = view.job(change.job).spec.gpus;
      switch (change.kind) {
        case JobChangeKind::Arrived:
        case JobChangeKind::Requeued: ++count_[gpus]; break;
        case JobChangeKind::Started: {
          auto it = count_.find(gpus);
          FLEETSIM_CHECK(it != count_.end(), "started job {} was not counted as queued",
                         change.job.value);
          if (--it->second == 0) count_.erase(it);
          break;
        }
        case JobChangeKind::Preempted:
        case JobChangeKind::Finished: break;  // neither enters nor leaves the queue
      }
    }
  }

  // The smallest gang among jobs queued at the start of this pass (a lower bound for the jobs
  // still queued during it); 0 when none is queued.
  std::uint32_t smallest() const { return count_.empty() ? 0 : count_.begin()->first; }

 private:
  std::map<std::uint32_t, std::uint64_t> count_;  // gang size -> queued jobs of that size
};

}  // namespace fleetsim::detail
