// Lend: the reserved split (see reserved.cpp), but GPUs of the inference side that no replica
// uses are lent to preemptible training jobs, and reclaimed on demand: a replica that does not
// fit on its side preempts borrowers there (latest started first). Non-preemptible training
// stays on the training side. Per pass: replicas on the inference side (reclaiming), training
// FIFO with greedy backfill on the training side, then, if no replica is left waiting, the
// preemptible training jobs still queued borrow inference GPUs in FIFO order. A job too large
// for its side even when that side is empty may use the whole fleet. O(nodes) per side planned
// plus the FIFO walks, plus O(running log running) when a replica reclaims.
#include <set>

#include "sim/policy/builtin/inference_sharing.hpp"
#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

using detail::NodePartition;

class Lend final : public Policy {
 public:
  explicit Lend(const PolicyParams& params)
      : share_(params.get<double>("share")), reclaim_(params.get<bool>("reclaim")) {}

  Decisions decide(const SchedulerView& view) override {
    replicas_.update(view);
    queue_.update(view);
    draining_.update(view);
    if (!partition_.built()) partition_.build(view.fleet(), share_);
    Decisions decisions;
    FreeCapacity free = view.free_capacity();
    // Inference side: GPUs drain only from borrowers preempted there.
    std::uint64_t draining_here = 0;
    for (JobId id : draining_.jobs()) {
      if (partition_.holds_inference(view.job(id))) draining_here += view.job(id).spec.gpus;
    }
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_here);
    bool replica_waits = false;
    if (!replicas_.jobs().empty()) {
      const std::size_t before = decisions.starts().size();
      // Reclaiming plans with PlanningCapacity's counts: the other side is hidden at once.
      detail::PartitionPhase phase(free, partition_, NodePartition::kTraining,
                                   detail::PartitionPhase::Hide::now);
      replica_waits = detail::place_replicas(
          view, plan, replicas_.jobs(), reclaim_,
          [&](const JobSpec& spec) { return partition_.ever_fits(spec, NodePartition::kInference); },
          [&](const Job& job) { return partition_.holds_inference(job); }, decisions,
          &phase.released);
      phase.close(view, decisions, before);
    }
    std::set<JobId> started;
    const auto fits_training = [&](const JobSpec& spec, JobId) {
      return partition_.ever_fits(spec, NodePartition::kTraining);
    };
    // Training jobs that may borrow, below: only those the training side did not start.
    const std::size_t training_waiting = queue_.size() - replicas_.jobs().size();
    {
      const std::size_t before = decisions.starts().size();
      detail::PartitionPhase phase(free, partition_, NodePartition::kInference,
                                   detail::PartitionPhase::Hide::lazily);
      detail::start_training_fifo(
          view, queue_, [&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); },
          [&](const JobSpec& spec) { return free.take(spec); }, fits_training,
          free.shape_decides_fit(), decisions, &started);
      phase.close(view, decisions, before);
    }
    const auto usable = [&](float gpu_utilisation) {
      return plan.usable_unpromised(gpu_utilisation);
    };
    const auto take = [&](const JobSpec& spec) { return plan.take(spec); };
    // Lend idle inference GPUs to preemptible training jobs still waiting. Hiding the training
    // side costs O(its free nodes) when hidden at once, so it is skipped when no one waits, and
    // is lazy unless a replica was promised GPUs by count (PlanningCapacity::take's count
    // check is then more than an upper bound).
    if (!replica_waits && training_waiting > started.size()) {
      const std::size_t before = decisions.starts().size();
      detail::PartitionPhase phase(free, partition_, NodePartition::kTraining,
                                   plan.promised() == 0 ? detail::PartitionPhase::Hide::lazily
                                                        : detail::PartitionPhase::Hide::now);
      detail::start_training_fifo(
          view, queue_, usable, take,
          [&](const JobSpec& spec, JobId id) {
            return spec.preemptible && started.count(id) == 0 && fits_training(spec, id);
          },
          free.shape_decides_fit(), decisions);
      phase.close(view, decisions, before);
    }
    detail::start_oversized(view, queue_, partition_, usable, take, free.shape_decides_fit(),
                            decisions);
    return decisions;
  }

 private:
  double share_;
  bool reclaim_;
  NodePartition partition_;
  detail::QueuedReplicas replicas_;
  detail::QueuedByShape queue_;
  detail::DrainingJobs draining_;
};

const PolicyRegistration kRegistration{{
    .name = "lend",
    .summary = "Reserved inference share whose idle GPUs are lent to preemptible training jobs "
               "and reclaimed (borrowers preempted) when replicas need them.",
    .params = {Param::real("share", 0.25,
                           "share of the fleet's GPUs reserved for inference (whole nodes, the "
                           "first in id order)"),
               Param::flag("reclaim", true,
                           "a replica may preempt borrowers (false: it waits for them to end)")},
    .make = [](const PolicyParams& p) { return std::make_unique<Lend>(p); },
    .validate = detail::validate_share,
}};

}  // namespace
}  // namespace fleetsim
