// SchedulerView reads the engine's SchedulerState; it never writes it (FreeCapacity journals
// and undoes its changes).
#include "sim/core/scheduler_state.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim {

SimTime SchedulerView::now() const { return state_->now; }
const Fleet& SchedulerView::fleet() const { return *state_->fleet; }
const Job& SchedulerView::job(JobId id) const { return state_->jobs[id]; }
const JobQueue& SchedulerView::queued_jobs() const { return state_->queue; }
std::span<const JobId> SchedulerView::running_jobs() const { return state_->running; }
std::span<const JobChange> SchedulerView::changes() const { return state_->changes; }
Duration SchedulerView::preempt_overhead() const { return state_->preempt_overhead; }

Duration SchedulerView::attained_wall_time(JobId id) const {
  const Job& j = job(id);
  const bool holds_gpus = j.state == JobState::Running || j.state == JobState::Draining;
  return j.run_time + (holds_gpus ? state_->now - j.segment_start : 0);
}

Duration SchedulerView::remaining(JobId id) const { return remaining_at(job(id), state_->now); }

Duration SchedulerView::attained_run_time(JobId id) const {
  return job(id).spec.duration - remaining(id);
}

FreeCapacity SchedulerView::free_capacity() const {
  const SiteContext sites{state_->fleet, &state_->capacity, &state_->power, state_->now};
  return FreeCapacity(state_->capacity, *state_->placement, sites, state_->site_selection,
                      &state_->kept_takes);
}

const PowerLedger& SchedulerView::power() const { return state_->power; }

}  // namespace fleetsim
