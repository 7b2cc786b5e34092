// Elastic scheduling of jobs that run on any GPU count in [min_gpus, max_gpus], in the spirit of
// AFS (Hwang et al., "Elastic Resource Sharing for Distributed Deep Learning", NSDI'21) and
// Pollux (Qiao et al., OSDI'21): admit jobs on their minimum, then give the GPUs left to the jobs
// whose next GPUs add the most. How a job's speed grows with its GPUs is its scaling curve
// (sim/model/elastic_scaling.hpp: Amdahl's law with the job's serial fraction).
//
// Each pass:
//  1. Admission, FIFO with backfill: waiting jobs, in arrival order, start on their minimum if it
//     fits (a rigid job on its gang); running jobs keep at least theirs.
//  2. Growth: the GPUs still free go, one step at a time, to the admitted elastic job whose step
//     gains the most per GPU. `throughput`: speedup gained per GPU (the marginal throughput
//     Pollux and AFS compare). `jct` (default): the same as a share of the job's remaining work,
//     so a short job grows first unless a longer one gains more (AFS's rule for mean JCT).
//     A step doubles the job's GPUs (`grow_step: double`) or adds one (`one`), up to its maximum.
// Running jobs are resized only at rounds (every `round_s`), since a resize is a
// checkpoint-restart: the job is preempted and started again on its new GPUs, paying the
// scenario's resume_overhead. Once the round has planned every size, a job kept at its size keeps
// its GPUs and a shrink keeps some of its own (keep_running_jobs_in_place). Resizing needs the GPUs
// of a preempted job back in the same pass, so with a preempt_overhead running jobs keep their
// size. Between rounds, only waiting jobs start (grown from the free GPUs).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <queue>
#include <set>
#include <vector>

#include "sim/core/bits.hpp"
#include "sim/model/elastic_scaling.hpp"
#include "sim/policy/builtin/queued_by_shape.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

enum class Objective : std::uint8_t { Jct, Throughput };

JobSpec sized(const JobSpec& spec, std::uint32_t gpus) {
  JobSpec copy = spec;
  copy.gpus = gpus;
  return copy;
}

// The first `count` GPUs of `gpus`, in slice order (a shrink keeps them).
Allocation first_gpus(const Allocation& gpus, std::uint32_t count) {
  Allocation kept;
  for (const NodeSlice& slice : gpus.slices) {
    if (count == 0) break;
    const auto n = count_gpus(slice.gpus);
    const std::uint32_t take = std::min(n, count);
    kept.slices.push_back({slice.node, take == n ? slice.gpus : lowest_bits(slice.gpus, take)});
    count -= take;
  }
  return kept;
}

class Elastic final : public Policy {
 public:
  explicit Elastic(const PolicyParams& params)
      : round_(from_seconds(params.get<double>("round_s"))),
        objective_(params.get<std::string>("objective") == "throughput" ? Objective::Throughput
                                                                        : Objective::Jct),
        double_steps_(params.get<std::string>("grow_step") == "double") {}

  Decisions decide(const SchedulerView& view) override {
    const SimTime now = view.now();
    FreeCapacity free = view.free_capacity();
    plans_.clear();
    // A round resizes running jobs, and only where their GPUs come free in this pass.
    const bool round = view.preempt_overhead() == 0 && now >= next_round_;
    const std::size_t before_round = free.mark();
    queue_.update(view);
    track_running_elastic(view);
    if (round) {
      for (JobId id : running_elastic_) {  // in arrival order
        const Job& job = view.job(id);
        if (!job.spec.preemptible) continue;
        // Every running job keeps its minimum, on GPUs it holds already.
        free.release(job);
        Allocation kept = first_gpus(job.allocation, job.spec.min_gang());
        free.take_decided(job.spec, kept);  // power: per GPU of `kept`
        plans_.push_back({id, true, std::move(kept)});
      }
    }
    // Admission in arrival order, visiting only jobs whose minimum could fit (fifo_backfill's
    // walk): a pass costs what it admits plus the number of shapes, however deep the queue.
    const auto usable = [&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); };
    queue_.walk_fitting(usable, [&](JobId id) {
      const JobSpec& spec = view.job(id).spec;
      // A rigid job's minimum is its gang: no copy of its spec.
      std::optional<Allocation> gpus =
          spec.elastic() ? free.take(sized(spec, spec.min_gang())) : free.take(spec);
      if (!gpus) {
        return free.shape_decides_fit() ? detail::WalkStep::skip_shape : detail::WalkStep::next;
      }
      plans_.push_back({id, false, std::move(*gpus)});
      return detail::WalkStep::next;
    });
    grow(view, free);
    if (round) keep_running_jobs_in_place(view, free, before_round);

    Decisions decisions;
    bool elastic_running = !running_elastic_.empty();
    for (Plan& plan : plans_) {
      elastic_running = elastic_running || view.job(plan.id).spec.elastic();
      if (plan.running) {
        if (plan.gpus == view.job(plan.id).allocation) continue;
        decisions.preempt(plan.id);
      }
      decisions.start(plan.id, std::move(plan.gpus));
    }
    if (round) next_round_ = now + round_;
    // While elastic jobs run, wake for the next round (once per round).
    if (elastic_running && view.preempt_overhead() == 0 && next_round_ > now &&
        woken_for_ != next_round_) {
      decisions.wake_at(next_round_);
      woken_for_ = next_round_;
    }
    return decisions;
  }

 private:
  struct Plan {
    JobId id;
    bool running;  // resized at this round; else a waiting job starting
    Allocation gpus;
    std::uint32_t count() const { return gpus.gpu_count(); }
  };
  struct Step {
    double gain;  // per GPU
    std::size_t plan;
    bool operator<(const Step& o) const {  // max-heap: highest gain, then earliest plan
      if (gain != o.gain) return gain < o.gain;
      return plan > o.plan;
    }
  };

  // The running elastic jobs, kept from the engine's changes: a pass costs O(changes), not a walk
  // over every running job (tens of thousands on a large fleet, most of them rigid).
  void track_running_elastic(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      if (!view.job(change.job).spec.elastic()) continue;
      if (change.kind == JobChangeKind::Started) {
        running_elastic_.insert(change.job);
      } else if (change.kind == JobChangeKind::Preempted ||
                 change.kind == JobChangeKind::Finished) {
        running_elastic_.erase(change.job);
      }
    }
  }

  std::uint32_t next_size(const JobSpec& spec, std::uint32_t gpus) const {
    return std::min(spec.max_gang(), double_steps_ ? 2 * gpus : gpus + 1);
  }

  double gain(const SchedulerView& view, const Plan& plan, std::uint32_t to) const {
    const Job& job = view.job(plan.id);
    const double s = job.spec.serial_fraction;
    const std::uint32_t from = plan.count();
    const double per_gpu =
        (amdahl_speedup(s, to) - amdahl_speedup(s, from)) / static_cast<double>(to - from);
    if (objective_ == Objective::Throughput) return per_gpu;
    // Share of the remaining work done per second, gained per GPU: rates are in reference
    // seconds per second, against the speed on the requested gang.
    const double remaining = std::max(1.0, to_seconds(view.remaining(plan.id)));
    return per_gpu / amdahl_speedup(s, job.spec.gpus) / remaining;
  }

  // Gives the free GPUs to the planned elastic jobs, best step first.
  void grow(const SchedulerView& view, FreeCapacity& free) {
    std::priority_queue<Step> steps;
    const auto push = [&](std::size_t i) {
      const JobSpec& spec = view.job(plans_[i].id).spec;
      const std::uint32_t now = plans_[i].count();
      if (now >= spec.max_gang()) return;
      steps.push({gain(view, plans_[i], next_size(spec, now)), i});
    };
    for (std::size_t i = 0; i < plans_.size(); ++i) push(i);
    while (!steps.empty() && free.total_free() > 0) {
      const std::size_t i = steps.top().plan;
      steps.pop();
      Plan& plan = plans_[i];
      const Job& job = view.job(plan.id);
      const std::uint32_t to = next_size(job.spec, plan.count());
      const std::size_t mark = free.mark();
      free.release_decided(job.spec, plan.gpus);
      std::optional<Allocation> gpus;
      // Back to its own size, a running job keeps its GPUs: no restart for nothing.
      if (plan.running && to == job.gang && free.try_take_back(job)) {
        gpus = job.allocation;
      } else {
        gpus = free.take(sized(job.spec, to));
      }
      if (!gpus) {
        free.rollback(mark);  // this job stays at its size
        continue;
      }
      plan.gpus = std::move(*gpus);
      push(i);
    }
  }

  // The plan's sizes stand, but a running job should not move for nothing: kept at its size on
  // other GPUs (its own went to an admitted job or to another job's growth), or shrunk onto GPUs
  // it did not hold. Then the GPUs are assigned again, from the scratch as it was before the
  // round: running jobs first, on their own GPUs (all of them, or the first ones of a shrink),
  // then the grown and the admitted jobs, in plan order, placed in what is left. If that
  // cannot place them all (the GPUs left are laid out differently), the plan stays as it was.
  void keep_running_jobs_in_place(const SchedulerView& view, FreeCapacity& free,
                                  std::size_t before_round) {
    // stays: a running job at its size or fewer, which its own GPUs can hold.
    std::vector<bool> stays(plans_.size());
    std::vector<std::uint32_t> sizes(plans_.size());
    bool moves = false;
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      const Plan& plan = plans_[i];
      const Job& job = view.job(plan.id);
      sizes[i] = plan.count();
      stays[i] = plan.running && sizes[i] <= job.gang;
      moves = moves || (stays[i] && plan.gpus != first_gpus(job.allocation, sizes[i]));
    }
    if (!moves) return;
    std::vector<Allocation> planned;
    planned.reserve(plans_.size());
    for (const Plan& plan : plans_) planned.push_back(plan.gpus);

    const auto from_before_round = [&] {
      free.rollback(before_round);
      for (const Plan& plan : plans_) {
        if (plan.running) free.release(view.job(plan.id));
      }
    };
    from_before_round();
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      if (!stays[i]) continue;
      const Job& job = view.job(plans_[i].id);
      plans_[i].gpus = first_gpus(job.allocation, sizes[i]);
      free.take_decided(job.spec, plans_[i].gpus);
    }
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      if (stays[i]) continue;
      const JobSpec& spec = view.job(plans_[i].id).spec;
      std::optional<Allocation> gpus = free.take(sized(spec, sizes[i]));
      if (!gpus) {
        from_before_round();
        for (std::size_t j = 0; j < plans_.size(); ++j) {
          plans_[j].gpus = std::move(planned[j]);
          free.take_decided(view.job(plans_[j].id).spec, plans_[j].gpus);
        }
        return;
      }
      plans_[i].gpus = std::move(*gpus);
    }
  }

  Duration round_;
  Objective objective_;
  bool double_steps_;
  SimTime next_round_ = 0;
  SimTime woken_for_ = -1;
  std::vector<Plan> plans_;
  detail::QueuedByShape queue_{detail::QueuedByShape::Gang::minimum};  // waiting jobs
  std::set<JobId> running_elastic_;
};

const PolicyRegistration kRegistration{{
    .name = "elastic",
    .summary = "Elastic jobs (min..max GPUs): FIFO admission on the minimum, then free GPUs to the "
               "best marginal gain (AFS/Pollux).",
    .params = {Param::real("round_s", 600, "seconds between resizes of running jobs"),
               Param::choice("objective", "jct", {"jct", "throughput"},
                             "jct: speedup gained per GPU / remaining work (AFS); throughput: "
                             "speedup gained per GPU"),
               Param::choice("grow_step", "double", {"double", "one"},
                             "a growth step doubles the job's GPUs, or adds one")},
    .make = [](const PolicyParams& p) { return std::make_unique<Elastic>(p); },
    .validate =
        [](const PolicyParams& p) {
          return p.get<double>("round_s") >= 1 ? std::string() : std::string("round_s must be >= 1");
        },
}};

}  // namespace
}  // namespace fleetsim
