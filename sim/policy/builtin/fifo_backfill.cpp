// FIFO with greedy backfill: walk the queue in arrival order and start every job that fits,
// skipping those that do not. No reservation, so a large job can starve behind small ones.
#include "sim/policy/builtin/queued_by_size.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class FifoBackfill final : public Policy {
 public:
  Decisions decide(const SchedulerView& view) override {
    queue_.update(view);
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    // The FIFO walk visits only jobs whose gang fits in the GPUs still free, so a pass costs
    // O(jobs tried x distinct gang sizes) however deep the queue; FreeCapacity::take then
    // answers "does not fit" for restricted GPU types in O(types) before it tries a placement.
    queue_.walk_fitting([&] { return free.total_free(); }, [&](JobId id) {
      if (std::optional<Allocation> gpus = free.take(view.job(id).spec)) {
        decisions.start(id, std::move(*gpus));
      }
      return true;
    });
    return decisions;
  }

 private:
  detail::QueuedBySize queue_;
};

const PolicyRegistration kRegistration{{
    .name = "fifo_backfill",
    .summary = "Arrival order; jobs that do not fit are skipped (greedy backfill, no reservation).",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<FifoBackfill>(); },
}};

}  // namespace
}  // namespace fleetsim
