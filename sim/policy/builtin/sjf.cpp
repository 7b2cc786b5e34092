// Shortest job first, non-preemptive: start waiting jobs in order of their estimated size
// (GPU-seconds, run time or gang size; the user's estimate when the trace gives one). Ties keep
// queue order (ids follow submit order), so the order is total.
#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "sim/policy/builtin/queued_gang_sizes.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

enum class SjfKey { GpuTime, Duration, Gpus };

SjfKey parse_key(const std::string& name) {
  if (name == "duration") return SjfKey::Duration;
  if (name == "gpus") return SjfKey::Gpus;
  FLEETSIM_CHECK(name == "gpu_time", "sjf: unknown key {}", name);
  return SjfKey::GpuTime;
}

class ShortestJobFirst final : public Policy {
 public:
  explicit ShortestJobFirst(const PolicyParams& params)
      : key_(parse_key(params.get<std::string>("key"))),
        strict_order_(params.get<bool>("strict_order")) {}

  Decisions decide(const SchedulerView& view) override {
    gangs_.update(view);
    // The order is kept incrementally: O(changes * log queue) per pass, not a sort of the queue.
    for (const JobChange& change : view.changes()) {
      if (change.kind == JobChangeKind::Arrived || change.kind == JobChangeKind::Requeued) {
        order_.insert({size_of(view.job(change.job).spec), change.job});
      } else if (change.kind == JobChangeKind::Started) {
        order_.erase({size_of(view.job(change.job).spec), change.job});
      }
    }
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    for (const auto& [size, id] : order_) {
      if (free.total_free() < std::max<std::uint64_t>(gangs_.smallest(), 1)) break;
      if (std::optional<Allocation> gpus = free.take(view.job(id).spec)) {
        decisions.start(id, std::move(*gpus));
      } else if (strict_order_) {
        break;  // longer jobs may not overtake one still waiting for room
      }
    }
    return decisions;
  }

 private:
  double size_of(const JobSpec& spec) const {
    const double estimate_s = to_seconds(spec.runtime_estimate());
    switch (key_) {
      case SjfKey::GpuTime: return estimate_s * spec.gpus;
      case SjfKey::Duration: return estimate_s;
      case SjfKey::Gpus: return spec.gpus;
    }
    return 0;
  }

  SjfKey key_;
  bool strict_order_;
  detail::QueuedGangSizes gangs_;
  std::set<std::pair<double, JobId>> order_;  // queued jobs by (size, id)
};

const PolicyRegistration kRegistration{{
    .name = "sjf",
    .summary = "Shortest job first by estimated size; non-preemptive, skips jobs that do not fit.",
    .params = {Param::choice("key", "gpu_time", {"gpu_time", "duration", "gpus"},
                             "job size: estimated run time x GPUs, estimated run time, or GPUs"),
               Param::flag("strict_order", false, "stop at the first job that does not fit")},
    .make = [](const PolicyParams& p) { return std::make_unique<ShortestJobFirst>(p); },
    .validate = nullptr,  // no cross-parameter rule
}};

}  // namespace
}  // namespace fleetsim
