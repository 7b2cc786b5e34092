// The engine's side of inference services (sim/inference/services.hpp): service lifetimes and
// autoscaler evaluations as calendar events, replica jobs created into the queue like arrivals
// and stopped on scale-down, and every replica state change reported to the service's serving
// account. Policies decide whether a queued replica starts; the engine validates it as any job.
#include <spdlog/spdlog.h>

#include "sim/core/engine.hpp"
#include "sim/core/error.hpp"
#include "sim/inference/services.hpp"

namespace fleetsim {

void Engine::start_services() {
  for (std::size_t i = 0; i < services_->size(); ++i) {
    const ServiceId id{i};
    calendar_.push(services_->at(id).spec().start, EventKind::ServiceUpdate, id.value,
                   static_cast<std::uint32_t>(ServiceUpdateKind::Start));
    ++services_open_;
  }
}

void Engine::finish_services() {
  for (std::size_t i = 0; i < services_->size(); ++i) {
    ServiceRuntime& service = services_->at(ServiceId{i});
    if (service.live()) service.finish(state_.now);
  }
}

void Engine::on_service_update(ServiceId id, ServiceUpdateKind what) {
  ServiceRuntime& service = services_->at(id);
  switch (what) {
    case ServiceUpdateKind::Start: {
      // No end of its own: the run's horizon, or else the end of the training work.
      const SimTime end = service.spec().end != kTimeNever ? service.spec().end : config_.horizon;
      service.begin(state_.now, end);
      if (end != kTimeNever) {
        calendar_.push(end, EventKind::ServiceUpdate, id.value,
                       static_cast<std::uint32_t>(ServiceUpdateKind::End));
      }
      evaluate_service(id);
      break;
    }
    case ServiceUpdateKind::Evaluate:
      if (service.live()) evaluate_service(id);
      break;
    case ServiceUpdateKind::End:
      if (service.live()) end_service(id);
      break;
  }
}

void Engine::evaluate_service(ServiceId id) {
  ServiceRuntime& service = services_->at(id);
  service.account_until(state_.now);
  if (service.ends_with_training() && !training_work_left()) {
    end_service(id);
    return;
  }
  service.evaluate(state_.now);
  for (JobId victim : service.surplus(state_.jobs)) stop_replica(victim);
  for (std::uint32_t n = service.requested(); n < service.target(); ++n) create_replica(id);
  service.record(state_.now);
  const SimTime next = state_.now + service.spec().autoscaler.interval;
  if (next < service.end()) {
    calendar_.push(next, EventKind::ServiceUpdate, id.value,
                   static_cast<std::uint32_t>(ServiceUpdateKind::Evaluate));
  }
}

void Engine::end_service(ServiceId id) {
  ServiceRuntime& service = services_->at(id);
  service.account_until(state_.now);
  for (JobId replica : service.replica_ids()) stop_replica(replica);
  service.finish(state_.now);
  --services_open_;
}

void Engine::create_replica(ServiceId service_id) {
  ServiceRuntime& service = services_->at(service_id);
  const JobId id{state_.jobs.size()};
  Job& job = state_.jobs.emplace_back(service.make_replica(state_.now));
  state_.enqueue(id);
  state_.changes.push_back({id, JobChangeKind::Arrived});
  for (RunObserver* o : observers_) o->on_arrival(job, state_.now);
  sync_replica(id, ReplicaEvent::Created);
  request_pass();
}

void Engine::stop_replica(JobId id) {
  Job& job = state_.jobs[id];
  switch (job.state) {
    case JobState::Done:
      return;
    case JobState::Held:
      FLEETSIM_CHECK(false, "replica {} was held", job.spec.name);  // replicas never are
      return;
    case JobState::Draining:
      // Its GPUs are not free before the preemption overhead: it stops when they are.
      services_->at(job.spec.service).stop_on_release(id);
      return;
    case JobState::Queued:
      state_.queue.erase(id);
      state_.changes.push_back({id, JobChangeKind::Withdrawn});
      break;
    case JobState::Running:
      job.remaining = 0;
      close_segment(job);
      ++job.epoch;  // a pending ReplicaReady is now stale
      state_.remove_running(id);
      free_gpus(job);
      state_.changes.push_back({id, JobChangeKind::Finished});
      request_pass();
      break;
  }
  job.state = JobState::Done;
  job.end = state_.now;
  SPDLOG_TRACE("t={} stop replica={}", state_.now, job.spec.name);
  for (RunObserver* o : observers_) o->on_stop(job, state_.now);
  sync_replica(id, ReplicaEvent::Stopped);
}

void Engine::start_replica(JobId id) {
  Job& job = state_.jobs[id];
  replica_gpus_ += job.spec.gpus;
  // It holds its GPUs from now and serves after the service's start time (model loading).
  job.progress_start = state_.now + services_->at(job.spec.service).spec().replica_start;
  if (job.progress_start > state_.now) {
    calendar_.push(job.progress_start, EventKind::ReplicaReady, id.value, job.epoch);
  }
  sync_replica(id, ReplicaEvent::Started);
}

void Engine::on_replica_ready(JobId id, std::uint32_t epoch) {
  const Job& job = state_.jobs[id];
  if (job.state != JobState::Running || job.epoch != epoch) return;  // stopped since
  sync_replica(id, ReplicaEvent::Ready);
}

void Engine::sync_replica(JobId id, ReplicaEvent what) {
  const Job& job = state_.jobs[id];
  FLEETSIM_CHECK(services_ != nullptr && job.spec.service.index() < services_->size(),
                 "replica {} of unknown service", job.spec.name);
  ServiceRuntime& service = services_->at(job.spec.service);
  service.account_until(state_.now);
  service.update(id, job, what, state_.now);
  if (service.live()) service.record(state_.now);
  // A replica marked to stop while draining is back in the queue now: stop it there.
  if (what == ReplicaEvent::Released && service.stops_on_release(id)) stop_replica(id);
}

}  // namespace fleetsim
