// Preempting running jobs to make room for one waiting job, shared by the preemptive policies
// that rank victims their own way (priority, gittins, themis). The caller passes candidate
// victims in the order it would rather lose them; the helper releases them in that order until
// the job fits, gives back those whose GPUs the placement did not use, and preempts the rest.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/job_shape.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

// What a pass learned from jobs that could not make room by preempting, for a policy whose
// later jobs have no more victims than the earlier ones (same queue or lower): a later job cannot
// make room either when every placement open to it was open to one of those jobs. That holds
// - for a job of a failed job's shape (JobShape: gang, types, sites, data site, share) drawing at
//   least as much power, where the shape decides the fit (FreeCapacity::shape_decides_fit);
// - and for any job of at least as many whole GPUs drawing at least as much power as a failed
//   job free of every placement restriction (any GPU type, any site, no data to stage, whole
//   GPUs). A job kept to one site that failed there says nothing of a job that may run at
//   another, and a power cap may admit a lighter job.
// As the failed-shape memo does, this takes a gang that does not fit for one that does not fit on
// fewer free GPUs.
class CannotMakeRoom {
 public:
  explicit CannotMakeRoom(bool shape_decides_fit) : by_shape_(shape_decides_fit) {}

  void add(const JobSpec& spec) {
    if (by_shape_) {
      if (const std::optional<JobShape> shape = JobShape::of(spec)) {
        auto [it, inserted] = shapes_.try_emplace(*shape, spec.gpu_utilisation);
        if (!inserted) it->second = std::min(it->second, spec.gpu_utilisation);
      }
    }
    const bool unrestricted = spec.allowed_types.empty() &&
                              spec.allowed_sites == JobSpec::kAnySite && !spec.stages_data() &&
                              spec.gpu_milli == 1000;
    if (!unrestricted) return;
    if (spec.gpus < gpus_ || (spec.gpus == gpus_ && spec.gpu_utilisation < gpu_utilisation_)) {
      gpus_ = spec.gpus;
      gpu_utilisation_ = spec.gpu_utilisation;
    }
  }
  bool covers(const JobSpec& spec) const {
    if (spec.gpus >= gpus_ && spec.gpu_utilisation >= gpu_utilisation_ && spec.gpu_milli == 1000) {
      return true;
    }
    if (shapes_.empty()) return false;
    const std::optional<JobShape> shape = JobShape::of(spec);
    if (!shape) return false;
    const auto it = shapes_.find(*shape);
    return it != shapes_.end() && spec.gpu_utilisation >= it->second;
  }

 private:
  bool by_shape_;
  std::map<JobShape, float> shapes_;  // -> least utilisation that failed
  std::uint32_t gpus_ = std::numeric_limits<std::uint32_t>::max();  // none yet: covers nothing
  float gpu_utilisation_ = 0;
};

struct PreemptOutcome {
  bool made_room = false;          // false: nothing changed, the victims cannot make it fit
  std::optional<Allocation> gpus;  // set when the job can start now (victims' GPUs freed at once)
  std::vector<JobId> victims;      // preempted; the caller records them as such
};

// Whether releasing every candidate whose GPUs the job may use could make it fit
// (FreeCapacity::may_fit_with). False: preempt_to_fit would release them all in vain. It does
// not depend on the candidates' order. O(candidates' slices).
inline bool may_make_room(const SchedulerView& view, const FreeCapacity& free, const JobSpec& spec,
                          const std::vector<JobId>& candidates) {
  std::vector<const Job*> helpful;
  for (JobId id : candidates) {
    const Job& victim = view.job(id);
    if (spec.allows_type(victim.gpu_type)) helpful.push_back(&victim);
  }
  return free.may_fit_with(spec, helpful);
}

// Precondition: the job does not fit in `plan` as it is, and every candidate is a preemptible
// running job not yet preempted in this pass. `room_checked`: the caller has just asked
// may_make_room of these candidates, and it said true. With draining preemptions
// (plan.drains()) the victims' GPUs are not free before the overhead: the job then waits for
// them (promised by count) and `gpus` stays empty. O(candidates tried x placement).
inline PreemptOutcome preempt_to_fit(const SchedulerView& view, PlanningCapacity& plan,
                                     const JobSpec& spec, const std::vector<JobId>& candidates,
                                     Decisions& decisions, bool room_checked = false) {
  PreemptOutcome out;
  FreeCapacity& free = plan.free();
  if (!room_checked && !may_make_room(view, free, spec, candidates)) return out;
  const std::size_t mark = free.mark();
  std::vector<JobId> released;
  for (std::size_t i = 0; i < candidates.size() && !out.gpus; ++i) {
    const Job& victim = view.job(candidates[i]);
    if (!spec.allows_type(victim.gpu_type)) continue;  // its GPUs would not help
    free.release(victim);
    released.push_back(candidates[i]);
    out.gpus = plan.take(spec);
  }
  if (!out.gpus) {
    free.rollback(mark);
    return out;
  }
  // Give back the victims whose GPUs the placement did not use, latest released first.
  for (std::size_t r = released.size(); r-- > 0;) {
    if (!free.try_take_back(view.job(released[r]))) continue;  // still needed
    released.erase(released.begin() + static_cast<std::ptrdiff_t>(r));
  }
  out.made_room = true;
  std::uint64_t victim_gpus = 0;
  for (JobId victim : released) {
    decisions.preempt(victim);
    victim_gpus += view.job(victim).spec.gpus;
  }
  out.victims = std::move(released);
  if (plan.drains() && !out.victims.empty()) {
    free.rollback(mark);  // the victims' GPUs are not free before the overhead
    plan.reserve(spec, *out.gpus);
    out.gpus.reset();
    plan.add_draining(victim_gpus);
    plan.wait_for_drain(spec);
  }
  return out;
}

}  // namespace fleetsim::detail
