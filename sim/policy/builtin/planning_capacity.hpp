// The GPUs a preemptive policy plans with in one pass: the pass's FreeCapacity plus the GPUs of
// jobs that were preempted and still drain, and of the victims it picks in this pass. With a
// preempt overhead those GPUs come free only later, so a job placed on any of them is reserved
// (keeps them for the rest of the pass) but not started; a later pass starts it once they are
// released. Without an overhead a victim's GPUs are free for jobs started in the same pass.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "sim/policy/free_capacity.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

// Jobs this policy preempted that still hold their GPUs (preempt_overhead > 0), from the view's
// changes. O(changes * log draining) per pass.
class DrainingJobs {
 public:
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      if (change.kind == JobChangeKind::Preempted) jobs_.insert(change.job);
      if (change.kind == JobChangeKind::Requeued) jobs_.erase(change.job);
    }
  }
  const std::set<JobId>& jobs() const { return jobs_; }

 private:
  std::set<JobId> jobs_;  // id order, so the pass does the same thing on every run
};

class PlanningCapacity {
 public:
  // `free` must outlive this object; both are locals of one decide().
  PlanningCapacity(FreeCapacity& free, bool preempted_gpus_drain)
      : free_(&free), drains_(preempted_gpus_drain) {}

  FreeCapacity& free() { return *free_; }

  // Releases a draining job's GPUs into the scratch; they are not startable this pass.
  void release_draining(const Allocation& gpus) {
    free_->release(gpus);
    mark_pending(gpus);
  }
  // Records that a victim's GPUs (already released into the scratch) free only after the
  // overhead. No-op without an overhead.
  void mark_pending(const Allocation& gpus) {
    if (!drains_) return;
    for (const NodeSlice& s : gpus.slices) pending_[s.node] |= s.gpus;
  }

  // True when no GPU of `gpus` is still held by a draining job or victim.
  bool startable(const Allocation& gpus) const {
    if (pending_.empty()) return true;
    for (const NodeSlice& s : gpus.slices) {
      auto it = pending_.find(s.node);
      if (it != pending_.end() && (it->second & s.gpus) != 0) return false;
    }
    return true;
  }

  // Places the job and takes its GPUs, preferring a placement among GPUs free now so that it can
  // start at once; falls back to one that waits for draining GPUs. O(placement), plus
  // O(pending nodes) when the first placement touches draining GPUs.
  std::optional<Allocation> take(const JobSpec& spec) {
    const std::size_t mark = free_->mark();
    std::optional<Allocation> gpus = free_->take(spec);
    if (!gpus || startable(*gpus)) return gpus;
    free_->rollback(mark);
    std::vector<std::pair<NodeId, std::uint64_t>> hidden;
    for (const auto& [node, mask] : pending_) {
      const std::uint64_t still_free = mask & free_->index().free_mask(node);
      if (still_free == 0) continue;
      free_->take(node, still_free);
      hidden.emplace_back(node, still_free);
    }
    std::optional<Allocation> now = free_->take(spec);
    for (const auto& [node, mask] : hidden) free_->release(node, mask);
    if (now) return now;
    free_->rollback(mark);
    return free_->take(spec);
  }

 private:
  FreeCapacity* free_;
  bool drains_;
  std::map<NodeId, std::uint64_t> pending_;  // GPUs released in the scratch but not yet free
};

}  // namespace fleetsim::detail
