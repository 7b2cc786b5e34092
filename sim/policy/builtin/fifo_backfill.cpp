// FIFO with greedy backfill: walk the queue in arrival order and start every job that fits,
// skipping those that do not. No reservation, so a large job can starve behind small ones.
#include <algorithm>

#include "sim/policy/builtin/queued_gang_sizes.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class FifoBackfill final : public Policy {
 public:
  Decisions decide(const SchedulerView& view) override {
    gangs_.update(view);
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    // A pass costs O(jobs walked): it stops once the free GPUs are fewer than the smallest gang
    // still waiting (0 free GPUs included), and FreeCapacity::take answers "does not fit" by
    // count in O(GPU types) before it tries a placement.
    for (JobId id : view.queued_jobs()) {
      if (free.total_free() < std::max<std::uint64_t>(gangs_.smallest(), 1)) break;
      if (std::optional<Allocation> gpus = free.take(view.job(id).spec)) {
        decisions.start(id, std::move(*gpus));
      }
    }
    return decisions;
  }

 private:
  detail::QueuedGangSizes gangs_;
};

const PolicyRegistration kRegistration{{
    .name = "fifo_backfill",
    .summary = "Arrival order; jobs that do not fit are skipped (greedy backfill, no reservation).",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<FifoBackfill>(); },
    .validate = nullptr,  // no cross-parameter rule
}};

}  // namespace
}  // namespace fleetsim
