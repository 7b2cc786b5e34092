// Inference first: queued inference replicas start before any training job, in id (= request)
// order, and a replica that does not fit preempts preemptible training jobs (latest started
// first) until it does; replicas are never preempted by this policy. Training jobs then take
// what is left, FIFO with greedy backfill. The serving SLO is protected at the price of
// training JCT and preemptions. Event-driven; a pass costs O(changes log queue) plus, when a
// replica does not fit, O(running log running) for its victims.
#include "sim/policy/builtin/inference_sharing.hpp"
#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class InferenceFirst final : public Policy {
 public:
  explicit InferenceFirst(const PolicyParams& params) : preempt_(params.get<bool>("preempt")) {}

  Decisions decide(const SchedulerView& view) override {
    replicas_.update(view);
    queue_.update(view);
    draining_.update(view);
    Decisions decisions;
    FreeCapacity free = view.free_capacity();
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    detail::place_replicas(
        view, plan, replicas_.jobs(), preempt_, [](const JobSpec&) { return true; },
        [](const Job&) { return true; }, decisions);
    detail::start_training_fifo(
        view, queue_,
        [&](float gpu_utilisation) { return plan.usable_unpromised(gpu_utilisation); },
        [&](const JobSpec& spec) { return plan.take(spec); },
        [](const JobSpec&, JobId) { return true; }, free.shape_decides_fit(), decisions);
    return decisions;
  }

 private:
  bool preempt_;
  detail::QueuedReplicas replicas_;
  detail::QueuedByShape queue_;
  detail::DrainingJobs draining_;
};

const PolicyRegistration kRegistration{{
    .name = "inference_first",
    .summary = "Inference replicas first, preempting preemptible training jobs (latest started "
               "first) to fit; training FIFO with backfill on what is left.",
    .params = {Param::flag("preempt", true,
                           "a replica that does not fit may preempt preemptible training jobs")},
    .make = [](const PolicyParams& p) { return std::make_unique<InferenceFirst>(p); },
}};

}  // namespace
}  // namespace fleetsim
