// EASY backfilling (Lifka 1995): jobs start in arrival order; the first job that does not fit
// (the head) gets a reservation at the earliest time enough GPUs should be free, and a later
// job may jump ahead only if it cannot delay that reservation.
//
// Reservation, by GPU count (a simplification: placement may still need longer):
//   estimated end of a running job = progress start + max(0, estimate - reference run time done
//     before this segment) / rate, i.e. now + max(0, estimate - attained_run_time) / rate while
//     the estimate holds, and never earlier than now once the job has overrun it;
//   shadow time = the earliest estimated end at which the head's free GPUs plus those of the
//     running jobs ended by then reach its gang size (only GPUs of types the head allows count);
//   extra = those GPUs minus the head's gang size.
// A later job backfills if it fits now and either its estimated end is <= shadow time, or its
// GPUs are a type the head cannot use, or its gang is <= extra (which it then uses up).
#include <algorithm>
#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

struct Reservation {
  SimTime shadow = kTimeNever;
  std::uint64_t extra = 0;
};

// A job holding GPUs as the reservation sees it.
struct Holder {
  SimTime estimated_end;
  std::uint32_t gpus;
  GpuTypeId type;
};

Duration scale(Duration reference, double rate) {
  return rate == 1.0 ? reference
                     : static_cast<Duration>(std::ceil(static_cast<double>(reference) / rate));
}

GpuTypeId type_of(const SchedulerView& view, const Allocation& gpus) {
  return view.fleet().topology.node(gpus.slices.front().node).type;
}

bool allows(const JobSpec& spec, GpuTypeId type) {
  return spec.allowed_types.empty() || std::find(spec.allowed_types.begin(),
                                                 spec.allowed_types.end(),
                                                 type) != spec.allowed_types.end();
}

// Estimated end of a queued job if it starts now on `gpus` (span slow-downs are ignored).
SimTime estimated_end_if_started(const SchedulerView& view, JobId id, const Allocation& gpus) {
  const Job& job = view.job(id);
  const Duration left =
      std::max<Duration>(0, job.spec.runtime_estimate() - view.attained_run_time(id));
  return view.now() + scale(left, view.fleet().catalog.speed(type_of(view, gpus),
                                                             job.spec.job_class));
}

class EasyBackfill final : public Policy {
 public:
  Decisions decide(const SchedulerView& view) override {
    track_running(view);
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    const std::set<JobId>& queue = view.queued_jobs();
    std::vector<Holder> started;  // jobs started in this pass, in start order
    auto it = queue.begin();
    for (; it != queue.end(); ++it) {
      std::optional<Allocation> gpus = free.take(view.job(*it).spec);
      if (!gpus) break;
      started.push_back({estimated_end_if_started(view, *it, *gpus), view.job(*it).spec.gpus,
                         type_of(view, *gpus)});
      decisions.start(*it, std::move(*gpus));
    }
    if (it == queue.end() || free.total_free() == 0) return decisions;

    const JobSpec& head = view.job(*it).spec;
    Reservation reservation = reserve(view, free, head, std::move(started));
    for (++it; it != queue.end() && free.total_free() > 0; ++it) {
      const JobId id = *it;
      const std::size_t mark = free.mark();
      std::optional<Allocation> gpus = free.take(view.job(id).spec);
      if (!gpus) continue;
      const bool delays_nothing = estimated_end_if_started(view, id, *gpus) <=
                                      reservation.shadow ||
                                  !allows(head, type_of(view, *gpus));
      const std::uint32_t gang = view.job(id).spec.gpus;
      if (delays_nothing) {
        decisions.start(id, std::move(*gpus));
      } else if (gang <= reservation.extra) {
        reservation.extra -= gang;
        decisions.start(id, std::move(*gpus));
      } else {
        free.rollback(mark);  // it would still hold GPUs the head is promised
      }
    }
    return decisions;
  }

 private:
  // Keeps running_by_end_ from the view's changes: O(changes * log running) per pass.
  void track_running(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      const std::size_t index = change.job.index();
      if (end_of_.size() <= index) end_of_.resize(index + 1, kTimeNever);
      if (change.kind == JobChangeKind::Started) {
        const Job& job = view.job(change.job);
        const Duration done_before = job.spec.duration - job.remaining;  // as of segment start
        const Duration left = std::max<Duration>(0, job.spec.runtime_estimate() - done_before);
        end_of_[index] = job.progress_start + scale(left, job.rate);
        running_by_end_.insert({end_of_[index], change.job});
      } else if ((change.kind == JobChangeKind::Finished ||
                  change.kind == JobChangeKind::Preempted) &&
                 end_of_[index] != kTimeNever) {
        running_by_end_.erase({end_of_[index], change.job});
        end_of_[index] = kTimeNever;
      }
    }
  }

  // Walks the GPU holders by estimated end until the head's gang is covered. O(holders walked).
  Reservation reserve(const SchedulerView& view, const FreeCapacity& free, const JobSpec& head,
                      std::vector<Holder> started) const {
    std::stable_sort(started.begin(), started.end(), [](const Holder& a, const Holder& b) {
      return a.estimated_end < b.estimated_end;
    });
    std::uint64_t available = free.free_for(head);
    auto running = running_by_end_.begin();
    auto fresh = started.begin();
    while (available < head.gpus) {
      Holder next{};
      const bool take_running =
          running != running_by_end_.end() &&
          (fresh == started.end() || running->first <= fresh->estimated_end);
      if (take_running) {
        const Job& job = view.job(running->second);
        next = {running->first, job.spec.gpus, job.gpu_type};
        ++running;
      } else if (fresh != started.end()) {
        next = *fresh++;
      } else {
        return {};  // the head cannot be covered by count: no reservation to protect
      }
      if (allows(head, next.type)) available += next.gpus;
      if (available >= head.gpus) {
        return {std::max(next.estimated_end, view.now()), available - head.gpus};
      }
    }
    return {view.now(), available - head.gpus};  // enough GPUs by count; placement is the limit
  }

  std::set<std::pair<SimTime, JobId>> running_by_end_;
  std::vector<SimTime> end_of_;  // [job] -> key in running_by_end_, kTimeNever when not there
};

const PolicyRegistration kRegistration{{
    .name = "easy_backfill",
    .summary = "Arrival order; the first job that does not fit gets a reservation and later jobs "
               "backfill only if they cannot delay it (EASY).",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<EasyBackfill>(); },
    .validate = nullptr,  // no cross-parameter rule
}};

}  // namespace
}  // namespace fleetsim
