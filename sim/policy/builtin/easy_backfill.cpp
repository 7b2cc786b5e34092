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
// With GPU sharing, a GPU holding shares is not free: it counts for a whole-GPU head once the
// last share on it has ended, and for a shared head (a share of one GPU) once the shares ended
// leave room for the head's share. A shared head also counts the shared GPUs with room now.
// A later job backfills if it fits now and either its estimated end is <= shadow time, or its
// GPUs are a type the head cannot use, or its gang is <= extra (which it then uses up).
#include <algorithm>
#include <bit>
#include <cmath>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/policy/builtin/backfill_queue.hpp"
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
  NodeSlice gpu;               // the GPU of a share (milli < 1000), unused otherwise
  std::uint32_t milli = 1000;  // 1000: whole GPUs
};

Holder holder(const SchedulerView& view, SimTime estimated_end, const JobSpec& spec,
              const Allocation& gpus) {
  return {estimated_end, gpus.gpu_count(),
          view.fleet().topology.node(gpus.slices.front().node).type, gpus.slices.front(),
          spec.gpu_milli};
}

// What the reservation counts of a GPU that holds shares: the milli-GPUs its shares still use,
// as the walk ends them one after another in estimated-end order.
class SharedGpus {
 public:
  explicit SharedGpus(const CapacityIndex& index) : index_(&index) {}

  // Ends the share; returns whether its GPU is then free (no share left) for a whole-GPU head,
  // or has room for `head_milli` (a share head). A GPU no share may go on (failed) never counts.
  bool end_share(const NodeSlice& gpu, std::uint32_t milli, std::uint32_t head_milli) {
    const auto bit = static_cast<std::uint32_t>(std::countr_zero(gpu.gpus));
    if ((index_->unshareable_mask(gpu.node) & gpu.gpus) != 0) return false;
    const std::uint64_t key = std::uint64_t{gpu.node.value} << 6 | bit;
    auto [it, fresh] = used_.try_emplace(key, 0);
    if (fresh) it->second = index_->share_used(gpu.node, bit);
    const bool had_room = fits(it->second, head_milli);
    it->second -= std::min(it->second, milli);
    return !had_room && fits(it->second, head_milli);  // a GPU counts once
  }

 private:
  static bool fits(std::uint32_t used, std::uint32_t head_milli) {
    return head_milli >= 1000 ? used == 0 : used + head_milli <= 1000;
  }

  const CapacityIndex* index_;
  std::unordered_map<std::uint64_t, std::uint32_t> used_;  // [node << 6 | bit] -> milli-GPUs
};

// GPUs of types the head allows that it could take now by count: whole free GPUs, and for a
// share head also the GPUs holding shares with room for it. O(types + shared GPUs).
std::uint64_t free_for_head(const CapacityIndex& index, const JobSpec& head) {
  std::uint64_t n = 0;
  const auto count = [&](GpuTypeId t) {
    n += index.type_free(t);
    if (head.gpu_milli >= 1000 || index.type_shared(t) == 0) return;
    const NodeId end{index.topology().nodes().size()};
    for (NodeId node = index.find_node_with_shared(t, NodeId{0}, end); node.valid();
         node = index.find_node_with_shared(t, NodeId{node.value + 1}, end)) {
      for (std::uint64_t m = index.shared_mask(node); m != 0; m &= m - 1) {
        const auto bit = static_cast<std::uint32_t>(std::countr_zero(m));
        if (index.share_fits(node, bit, head.gpu_milli)) ++n;
      }
    }
  };
  if (head.allowed_types.empty()) {
    for (std::size_t t = 0; t < index.type_count(); ++t) count(GpuTypeId{t});
  } else {
    for (GpuTypeId t : head.allowed_types) count(t);
  }
  return n;
}

Duration scale(Duration reference, double rate) {
  return rate == 1.0 ? reference
                     : static_cast<Duration>(std::ceil(static_cast<double>(reference) / rate));
}

GpuTypeId type_of(const SchedulerView& view, const Allocation& gpus) {
  return view.fleet().topology.node(gpus.slices.front().node).type;
}

// Estimated end of a queued job if it starts now on `gpus` (span slow-downs are ignored).
SimTime estimated_end_if_started(const SchedulerView& view, JobId id, const Allocation& gpus) {
  const Job& job = view.job(id);
  const Duration left =
      std::max<Duration>(0, job.spec.runtime_estimate() - view.attained_run_time(id));
  return view.now() +
         scale(left, view.fleet().catalog.speed(type_of(view, gpus), job.spec.job_class));
}

// The least wall time the job could still need: its estimate left at the fastest speed any GPU
// type it allows gives its class (span slow-downs ignored).
Duration shortest_run(const SchedulerView& view, JobId id) {
  const JobSpec& spec = view.job(id).spec;
  const GpuCatalog& catalog = view.fleet().catalog;
  double fastest = 0;
  if (spec.allowed_types.empty()) {
    for (std::size_t t = 0; t < catalog.size(); ++t) {
      fastest = std::max(fastest, catalog.speed(GpuTypeId{t}, spec.job_class));
    }
  } else {
    for (GpuTypeId t : spec.allowed_types) {
      fastest = std::max(fastest, catalog.speed(t, spec.job_class));
    }
  }
  const Duration left = std::max<Duration>(0, spec.runtime_estimate() - view.attained_run_time(id));
  return scale(left, fastest);
}

class EasyBackfill final : public Policy {
 public:
  // O(jobs started before the head + holders walked for the reservation + (backfill candidates
  // visited + gang sizes) x log queue): the walk visits only jobs that fit by count and could
  // pass the reservation test wherever they were placed (see BackfillQueue).
  Decisions decide(const SchedulerView& view) override {
    track_changes(view);
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    const JobQueue& queue = view.queued_jobs();
    std::vector<Holder> started;  // jobs started in this pass, in start order
    auto it = queue.begin();
    for (; it != queue.end(); ++it) {
      std::optional<Allocation> gpus = free.take(view.job(*it).spec);
      if (!gpus) break;
      started.push_back(
          holder(view, estimated_end_if_started(view, *it, *gpus), view.job(*it).spec, *gpus));
      decisions.start(*it, std::move(*gpus));
    }
    if (it == queue.end() || free.total_free() == 0) return decisions;

    const JobId head_id = *it;
    const JobSpec& head = view.job(head_id).spec;
    // Made when first needed, before any backfill: only if some gang fits in the free GPUs.
    std::optional<Reservation> reservation;
    auto reserved = [&]() -> Reservation& {
      if (!reservation) reservation = reserve(view, free, head, started);
      return *reservation;
    };
    // Jobs longer than this may still pass on GPUs the head cannot use: with a head restricted
    // to some GPU types, the walk does not filter by run time.
    auto horizon = [&]() -> Duration {
      const SimTime shadow = reserved().shadow;
      if (!head.allowed_types.empty() || shadow == kTimeNever) return detail::BackfillQueue::kAny;
      return std::min<Duration>(shadow - view.now(), detail::BackfillQueue::kAny);
    };
    const auto usable = [&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); };
    queue_.walk(
        usable, [&] { return reserved().extra; }, horizon,
        [&](JobId id) {
          if (id <= head_id) return detail::WalkStep::next;  // started, or the head
          return try_backfill(view, free, decisions, head, reserved(), id);
        });
    return decisions;
  }

 private:
  // Starts the job if it fits now and cannot delay the head's reservation. skip_shape when it
  // does not fit and so no later job of its shape will in this pass (capacity only shrinks).
  static detail::WalkStep try_backfill(const SchedulerView& view, FreeCapacity& free,
                                       Decisions& decisions, const JobSpec& head,
                                       Reservation& reservation, JobId id) {
    const JobSpec& spec = view.job(id).spec;
    if (free.free_for(spec) < spec.gpus) return detail::WalkStep::skip_shape;  // types decide
    const std::size_t mark = free.mark();
    std::optional<Allocation> gpus = free.take(spec);
    if (!gpus)
      return free.shape_decides_fit() ? detail::WalkStep::skip_shape : detail::WalkStep::next;
    const bool delays_nothing = estimated_end_if_started(view, id, *gpus) <= reservation.shadow ||
                                !head.allows_type(type_of(view, *gpus));
    if (delays_nothing) {
      decisions.start(id, std::move(*gpus));
    } else if (spec.gpus <= reservation.extra) {
      reservation.extra -= spec.gpus;
      decisions.start(id, std::move(*gpus));
    } else {
      free.rollback(mark);  // it would still hold GPUs the head is promised
    }
    return detail::WalkStep::next;
  }

  // Keeps queue_ and running_by_end_ from the view's changes: O(changes x log) per pass.
  void track_changes(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      const std::size_t index = change.job.index();
      if (end_of_.size() <= index) end_of_.resize(index + 1, kTimeNever);
      const Job& job = view.job(change.job);
      switch (change.kind) {
        case JobChangeKind::Arrived:
        case JobChangeKind::Requeued:
          queue_.add(change.job, ShapeKey::of(job.spec, change.job),
                     shortest_run(view, change.job));
          break;
        case JobChangeKind::Started: {
          queue_.remove(change.job);
          const Duration done_before = job.spec.duration - job.remaining;  // at segment start
          const Duration left = std::max<Duration>(0, job.spec.runtime_estimate() - done_before);
          end_of_[index] = job.progress_start + scale(left, job.rate);
          running_by_end_.insert({end_of_[index], change.job});
          break;
        }
        case JobChangeKind::Withdrawn:
          queue_.remove(change.job);
          break;
        case JobChangeKind::Preempted:
        case JobChangeKind::Finished:
          if (end_of_[index] != kTimeNever) {
            running_by_end_.erase({end_of_[index], change.job});
            end_of_[index] = kTimeNever;
          }
          break;
      }
    }
  }

  // Walks the GPU holders by estimated end until the head's gang is covered. O(holders walked).
  Reservation reserve(const SchedulerView& view, const FreeCapacity& free, const JobSpec& head,
                      std::vector<Holder> started) const {  // a copy: sorted here
    std::stable_sort(started.begin(), started.end(), [](const Holder& a, const Holder& b) {
      return a.estimated_end < b.estimated_end;
    });
    std::uint64_t available = free_for_head(free.index(), head);
    SharedGpus shared(free.index());
    auto running = running_by_end_.begin();
    auto fresh = started.begin();
    while (available < head.gpus) {
      Holder next{};
      const bool take_running = running != running_by_end_.end() &&
                                (fresh == started.end() || running->first <= fresh->estimated_end);
      if (take_running) {
        const Job& job = view.job(running->second);
        next = holder(view, running->first, job.spec, job.allocation);
        ++running;
      } else if (fresh != started.end()) {
        next = *fresh++;
      } else {
        return {};  // the head cannot be covered by count: no reservation to protect
      }
      if (!head.allows_type(next.type)) continue;
      if (next.milli >= 1000) {
        available += next.gpus;
      } else if (shared.end_share(next.gpu, next.milli, head.gpu_milli)) {
        ++available;
      }
      if (available >= head.gpus) {
        return {std::max(next.estimated_end, view.now()), available - head.gpus};
      }
    }
    return {view.now(), available - head.gpus};  // enough GPUs by count; placement is the limit
  }

  detail::BackfillQueue queue_;  // waiting jobs
  std::set<std::pair<SimTime, JobId>> running_by_end_;
  std::vector<SimTime> end_of_;  // [job] -> key in running_by_end_, kTimeNever when not there
};

const PolicyRegistration kRegistration{{
    .name = "easy_backfill",
    .summary = "Arrival order; the first job that does not fit gets a reservation and later jobs "
               "backfill only if they cannot delay it (EASY).",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<EasyBackfill>(); },
}};

}  // namespace
}  // namespace fleetsim
