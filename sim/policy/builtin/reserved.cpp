// Reserved: a fixed share of the fleet (the first nodes in id order, see NodePartition) runs
// inference replicas only and the rest runs training only; nothing is preempted. Replicas start
// in id order on their side, training FIFO with greedy backfill on its side. A job too large
// for its side even when that side is empty may use the whole fleet (it would never run
// otherwise). Inference gets predictable capacity, training never loses work to it, and idle
// reserved GPUs stay idle. A pass costs O(nodes) to plan each side plus the FIFO walks.
#include "sim/policy/builtin/inference_sharing.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

using detail::NodePartition;

class Reserved final : public Policy {
 public:
  explicit Reserved(const PolicyParams& params) : share_(params.get<double>("share")) {}

  Decisions decide(const SchedulerView& view) override {
    replicas_.update(view);
    queue_.update(view);
    if (!partition_.built()) partition_.build(view.fleet(), share_);
    Decisions decisions;
    FreeCapacity free = view.free_capacity();
    const auto free_gpus = [&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); };
    const auto take = [&](const JobSpec& spec) { return free.take(spec); };
    if (!replicas_.jobs().empty()) {
      const std::size_t before = decisions.starts().size();
      detail::PartitionPhase phase(free, partition_, NodePartition::kTraining,
                                   detail::PartitionPhase::Hide::lazily);
      for (JobId id : replicas_.jobs()) {
        const JobSpec& spec = view.job(id).spec;
        if (!partition_.ever_fits(spec, NodePartition::kInference)) continue;
        if (std::optional<Allocation> gpus = take(spec)) decisions.start(id, std::move(*gpus));
      }
      phase.close(view, decisions, before);
    }
    {
      const std::size_t before = decisions.starts().size();
      detail::PartitionPhase phase(free, partition_, NodePartition::kInference,
                                   detail::PartitionPhase::Hide::lazily);
      detail::start_training_fifo(
          view, queue_, free_gpus, take,
          [&](const JobSpec& spec, JobId) {
            return partition_.ever_fits(spec, NodePartition::kTraining);
          },
          free.shape_decides_fit(), decisions);
      phase.close(view, decisions, before);
    }
    detail::start_oversized(view, queue_, partition_, free_gpus, take, free.shape_decides_fit(),
                            decisions);
    return decisions;
  }

 private:
  double share_;
  NodePartition partition_;
  detail::QueuedReplicas replicas_;
  detail::QueuedByShape queue_;
};

const PolicyRegistration kRegistration{{
    .name = "reserved",
    .summary = "A fixed share of the nodes runs inference replicas only, the rest training only "
               "(FIFO with backfill); no preemption.",
    .params = {Param::real("share", 0.25,
                           "share of the fleet's GPUs reserved for inference (whole nodes, the "
                           "first in id order)")},
    .make = [](const PolicyParams& p) { return std::make_unique<Reserved>(p); },
    .validate = detail::validate_share,
}};

}  // namespace
}  // namespace fleetsim
