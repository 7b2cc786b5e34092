// Shortest job first, non-preemptive: start waiting jobs in order of their estimated size
// (GPU-seconds, run time or gang size; the user's estimate when the trace gives one). Ties keep
// queue order (ids follow submit order), so the order is total.
#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

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

  // O(changes x log queue) to keep the buckets, then O((jobs visited + gang sizes) x log):
  // skipping jobs that do not fit, the walk visits only those whose gang fits in the GPUs
  // still free, however deep the queue.
  Decisions decide(const SchedulerView& view) override {
    for (const JobChange& change : view.changes()) {
      const JobSpec& spec = view.job(change.job).spec;
      if (change.kind == JobChangeKind::Arrived || change.kind == JobChangeKind::Requeued) {
        by_gang_[spec.gpus].insert({size_of(spec), change.job});
      } else if (change.kind == JobChangeKind::Started ||
                 change.kind == JobChangeKind::Withdrawn) {
        auto bucket = by_gang_.find(spec.gpus);
        FLEETSIM_CHECK(bucket != by_gang_.end(), "sjf: started job {} was not queued",
                       change.job.value);
        bucket->second.erase({size_of(spec), change.job});
        if (bucket->second.empty()) by_gang_.erase(bucket);
      }
    }
    struct Cursor {
      std::uint32_t gpus;
      Bucket::const_iterator at, end;
    };
    std::vector<Cursor> cursors;
    for (const auto& [gpus, jobs] : by_gang_) cursors.push_back({gpus, jobs.begin(), jobs.end()});
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    while (true) {
      // Next job in (size, id) order; without strict_order, among gangs that fit by count.
      const std::uint64_t free_gpus = free.total_free();
      Cursor* next = nullptr;
      for (Cursor& c : cursors) {
        if (!strict_order_ && c.gpus > free_gpus) break;  // sizes ascend
        if (c.at != c.end && (next == nullptr || *c.at < *next->at)) next = &c;
      }
      if (next == nullptr) break;
      const JobId id = (next->at++)->second;
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
      case SjfKey::GpuTime:
        return estimate_s * spec.gpus;
      case SjfKey::Duration:
        return estimate_s;
      case SjfKey::Gpus:
        return spec.gpus;
    }
    return 0;
  }

  SjfKey key_;
  bool strict_order_;
  using Bucket = std::set<std::pair<double, JobId>>;  // waiting jobs by (size, id)
  std::map<std::uint32_t, Bucket> by_gang_;           // gang size -> bucket
};

const PolicyRegistration kRegistration{{
    .name = "sjf",
    .summary = "Shortest job first by estimated size; non-preemptive, skips jobs that do not fit.",
    .params = {Param::choice("key", "gpu_time", {"gpu_time", "duration", "gpus"},
                             "job size: estimated run time x GPUs, estimated run time, or GPUs"),
               Param::flag("strict_order", false, "stop at the first job that does not fit")},
    .make = [](const PolicyParams& p) { return std::make_unique<ShortestJobFirst>(p); },
}};

}  // namespace
}  // namespace fleetsim
