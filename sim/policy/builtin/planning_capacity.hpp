// The GPUs a preemptive policy plans with in one pass when preempted jobs drain: with a preempt
// overhead a victim keeps its GPUs for a while, so the job it was preempted for cannot start in
// the same pass. The scratch then only ever holds GPUs that are free now (every allocation taken
// from it is startable), and the draining GPUs are a count: a job that does not fit now but would
// once they are released waits without preempting anything more, and the free GPUs it will need
// besides them are promised to it, by count, so that later (lower-priority) jobs in the pass
// leave them alone. Counting instead of placing keeps a pass O(jobs it looks at) however many
// GPUs drain; the price is that a promise ignores placement (a job may find after the drain that
// it still does not fit, and then preempts again). Only in the pass where a job preempts is its
// placement known: the free GPUs of it, and their power, are then reserved (reserve()).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "sim/policy/free_capacity.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

// Jobs that were preempted and still hold their GPUs (preempt_overhead > 0), and how many GPUs
// they hold, from the view's changes. O(changes * log draining) per pass.
class DrainingJobs {
 public:
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      const std::uint32_t gpus = view.job(change.job).spec.gpus;
      if (change.kind == JobChangeKind::Preempted && jobs_.insert(change.job).second) {
        gpus_ += gpus;
      }
      if (change.kind == JobChangeKind::Requeued && jobs_.erase(change.job) > 0) gpus_ -= gpus;
    }
  }
  const std::set<JobId>& jobs() const { return jobs_; }  // id order
  std::uint64_t gpus() const { return gpus_; }

 private:
  std::set<JobId> jobs_;
  std::uint64_t gpus_ = 0;
};

class PlanningCapacity {
 public:
  // `free` must outlive this object; both are locals of one decide(). `draining_gpus`: GPUs of
  // jobs preempted in earlier passes that are not released yet.
  PlanningCapacity(FreeCapacity& free, bool preempted_gpus_drain, std::uint64_t draining_gpus)
      : free_(&free), drains_(preempted_gpus_drain), drain_budget_(draining_gpus) {}

  FreeCapacity& free() { return *free_; }
  // True when a victim's GPUs free only after the overhead, not in this pass.
  bool drains() const { return drains_; }

  // Free GPUs the job could use that are not promised to a job waiting for a drain.
  std::uint64_t unpromised_for(const JobSpec& spec) const {
    const std::uint64_t free = free_->free_for(spec);
    return free > promised_ ? free - promised_ : 0;
  }
  // The same for a job that may use any GPU type.
  std::uint64_t unpromised() const {
    const std::uint64_t free = free_->total_free();
    return free > promised_ ? free - promised_ : 0;
  }
  // An upper bound on the gang take() can place for a job drawing `gpu_utilisation`: unpromised
  // GPUs, no more than the sites' power caps let such a job use (FreeCapacity::usable_free).
  std::uint64_t usable_unpromised(float gpu_utilisation) const {
    return std::min(unpromised(), free_->usable_free(gpu_utilisation));
  }

  // Places the job on GPUs free now, not promised to anyone and not reserved. O(placement),
  // plus O(reserved slices) while a job waits for victims of this pass.
  std::optional<Allocation> take(const JobSpec& spec) {
    if (unpromised_for(spec) < spec.gpus) return std::nullopt;
    if (reserved_.empty()) return free_->take(spec);
    const std::size_t mark = free_->mark();
    for (const Reserved& r : reserved_) {
      Allocation still_free;
      for (const NodeSlice& slice : r.gpus.slices) {
        if (const std::uint64_t mask = slice.gpus & free_->index().free_mask(slice.node)) {
          still_free.slices.push_back({slice.node, mask});
        }
      }
      free_->take_decided(r.spec, still_free);
    }
    std::optional<Allocation> gpus = free_->take(spec);
    free_->rollback(mark);
    if (gpus) free_->take_decided(spec, *gpus);
    return gpus;
  }

  // When the job fits by count once the draining GPUs not yet promised are released, promises
  // them (and the free GPUs it needs besides) to it and returns true: it waits. O(1).
  bool wait_for_drain(const JobSpec& spec) {
    const std::uint64_t free = unpromised_for(spec);
    if (drain_budget_ == 0 || free + drain_budget_ < spec.gpus) return false;
    const std::uint64_t from_drain = std::min<std::uint64_t>(spec.gpus, drain_budget_);
    drain_budget_ -= from_drain;
    promised_ += spec.gpus - from_drain;
    return true;
  }

  // A job that preempted victims in this pass waits for them to drain, to start on `gpus` (its
  // placement with their GPUs released): the GPUs of `gpus` free now, and the power the job will
  // draw on them, are kept from every later take() of the pass, not just promised by count. A
  // count leaves a later job free to land on exactly those GPUs (or use that power) while its own
  // count is met elsewhere; the waiting job then finds after the drain that it still does not
  // fit and preempts again, for ever when each victim is preempted within its resume overhead.
  // Call it with the scratch rolled back to before the victims' release. O(slices).
  void reserve(const JobSpec& spec, const Allocation& gpus) {
    Reserved r{spec, {}};
    for (const NodeSlice& slice : gpus.slices) {
      if (const std::uint64_t mask = slice.gpus & free_->index().free_mask(slice.node)) {
        r.gpus.slices.push_back({slice.node, mask});
      }
    }
    if (!r.gpus.empty()) reserved_.push_back(std::move(r));
  }

  // Free GPUs promised by count to jobs waiting for a drain.
  std::uint64_t promised() const { return promised_; }
  // GPUs of victims preempted in this pass, which drain (only when drains()).
  void add_draining(std::uint64_t gpus) { drain_budget_ += gpus; }
  std::uint64_t drain_budget() const { return drain_budget_; }

 private:
  FreeCapacity* free_;
  bool drains_;
  std::uint64_t drain_budget_;  // draining GPUs not promised yet
  std::uint64_t promised_ = 0;  // free GPUs promised to jobs waiting for a drain
  struct Reserved {
    JobSpec spec;  // a copy: callers may pass a spec that lives only for their call (Gavel)
    Allocation gpus;  // the part of its planned start free when it preempted
  };
  std::vector<Reserved> reserved_;  // for jobs waiting for victims preempted in this pass
};

// The set a preemptive policy would run if it could rearrange everything: planned[i] says whether
// order[i] gets GPUs when every ranked running job (`!waiting`) and every draining one gave its
// GPUs back and the jobs took them greedily in rank order. Leaves `free` as it found it.
template <class Candidate>
std::vector<bool> plan_running_set(const SchedulerView& view, FreeCapacity& free,
                                   const std::vector<Candidate>& order,
                                   const DrainingJobs& draining) {
  std::vector<bool> planned(order.size(), false);
  const std::size_t mark = free.mark();
  for (JobId id : draining.jobs()) free.release(view.job(id));
  for (const Candidate& c : order) {
    if (!c.waiting) free.release(view.job(c.id));
  }
  for (std::size_t i = 0; i < order.size() && free.total_free() > 0; ++i) {
    planned[i] = free.take(view.job(order[i].id).spec).has_value();
  }
  free.rollback(mark);
  return planned;
}

}  // namespace fleetsim::detail
