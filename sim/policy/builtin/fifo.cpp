// First in, first out: start waiting jobs in arrival order and stop at the first one that does
// not fit, so a large job at the head blocks everything behind it (head-of-line blocking).
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class Fifo final : public Policy {
 public:
  Decisions decide(const SchedulerView& view) override {
    FreeCapacity free = view.free_capacity();  // scratch copy this pass may use up
    Decisions decisions;
    for (JobId id : view.queued_jobs()) {
      std::optional<Allocation> gpus = free.take(view.job(id).spec);
      if (!gpus) break;  // nobody may overtake the job at the head
      decisions.start(id, std::move(*gpus));
    }
    return decisions;
  }
};

const PolicyRegistration kRegistration{{
    .name = "fifo",
    .summary = "Arrival order; stops at the first job that does not fit (head-of-line blocking).",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<Fifo>(); },
}};

}  // namespace
}  // namespace fleetsim
