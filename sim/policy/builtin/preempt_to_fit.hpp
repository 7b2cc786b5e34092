// Preempting running jobs to make room for one waiting job, shared by the preemptive policies
// that rank victims their own way (priority, gittins, themis). The caller passes candidate
// victims in the order it would rather lose them; the helper releases them in that order until
// the job fits, gives back those whose GPUs the placement did not use, and preempts the rest.
#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::detail {

inline bool allows_type(const JobSpec& spec, GpuTypeId type) {
  return spec.allowed_types.empty() ||
         std::find(spec.allowed_types.begin(), spec.allowed_types.end(), type) !=
             spec.allowed_types.end();
}

struct PreemptOutcome {
  bool made_room = false;          // false: nothing changed, the victims cannot make it fit
  std::optional<Allocation> gpus;  // set when the job can start now (victims' GPUs freed at once)
  std::vector<JobId> victims;      // preempted; the caller records them as such
};

// Precondition: the job does not fit in `plan` as it is, and every candidate is a preemptible
// running job not yet preempted in this pass. With draining preemptions (plan.drains()) the
// victims' GPUs are not free before the overhead: the job then waits for them (promised by
// count) and `gpus` stays empty. O(candidates tried x placement).
inline PreemptOutcome preempt_to_fit(const SchedulerView& view, PlanningCapacity& plan,
                                     const JobSpec& spec, const std::vector<JobId>& candidates,
                                     Decisions& decisions) {
  PreemptOutcome out;
  FreeCapacity& free = plan.free();
  const std::size_t mark = free.mark();
  std::vector<JobId> released;
  for (std::size_t i = 0; i < candidates.size() && !out.gpus; ++i) {
    const Job& victim = view.job(candidates[i]);
    if (!allows_type(spec, victim.gpu_type)) continue;  // its GPUs would not help
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
