// FIFO with greedy backfill: walk the queue in arrival order and start every job that fits,
// skipping those that do not. No reservation, so a large job can starve behind small ones.
#include "sim/policy/builtin/queued_by_shape.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class FifoBackfill final : public Policy {
 public:
  Decisions decide(const SchedulerView& view) override {
    queue_.update(view);
    if (view.queued_jobs().empty()) return {};  // e.g. the pass after a finish, nothing waiting
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    // The FIFO walk visits only jobs whose gang fits in the GPUs still free, and leaves a shape
    // at its first job that does not fit (its later jobs would not fit either), so a pass costs
    // what it starts plus the number of shapes, however deep the queue.
    const auto usable = [&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); };
    queue_.walk_fitting(usable, [&](JobId id) {
      std::optional<Allocation> gpus = free.take(view.job(id).spec);
      if (!gpus) {
        return free.shape_decides_fit() ? detail::WalkStep::skip_shape : detail::WalkStep::next;
      }
      decisions.start(id, std::move(*gpus));
      return detail::WalkStep::next;
    });
    return decisions;
  }

 private:
  detail::QueuedByShape queue_;
};

const PolicyRegistration kRegistration{{
    .name = "fifo_backfill",
    .summary = "Arrival order; jobs that do not fit are skipped (greedy backfill, no reservation).",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<FifoBackfill>(); },
}};

}  // namespace
}  // namespace fleetsim
