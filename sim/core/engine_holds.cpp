// The engine's side of holding flexible jobs: a job with start slack may be deferred by its site
// selection when it arrives (carbon_aware: to the greenest hour within the slack). It is Held,
// outside the queue and unseen by the policy, until its release, when it enters the queue as an
// arrival. The hold is decided once, on the forecast alone (capacity is not looked at), and its
// time counts as queueing delay: submit times never move.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sim/core/engine.hpp"
#include "sim/core/error.hpp"

namespace fleetsim {

bool Engine::hold(JobId id) {
  Job& job = state_.jobs[id];
  const JobSpec& spec = job.spec;
  if (state_.site_selection == nullptr || spec.start_slack <= 0 || spec.is_replica()) return false;
  const SiteContext context{fleet_, &state_.capacity, &state_.power, state_.now};
  const SimTime release = state_.site_selection->release_time(spec, context);
  if (release < state_.now || release > state_.now + spec.start_slack) {
    policy_error(
        fmt::format("site selection releases job {} (id {}) at t={:.6f}s, outside its "
                    "start slack [{:.6f}s, {:.6f}s]",
                    spec.name, id.value, to_seconds(release), to_seconds(state_.now),
                    to_seconds(state_.now + spec.start_slack)));
  }
  if (release == state_.now) return false;
  job.state = JobState::Held;
  job.held = release - state_.now;
  ++held_jobs_;
  calendar_.push(release, EventKind::JobRelease, id.value);
  SPDLOG_TRACE("t={} hold job={} until={}", state_.now, spec.name, release);
  return true;
}

void Engine::on_release(JobId id) {
  Job& job = state_.jobs[id];
  FLEETSIM_CHECK(job.state == JobState::Held, "job {} released while not held", id.value);
  job.state = JobState::Queued;
  --held_jobs_;
  state_.enqueue(id);
  state_.changes.push_back({id, JobChangeKind::Arrived});
  request_pass();
}

}  // namespace fleetsim
