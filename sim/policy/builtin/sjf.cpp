// Shortest job first, non-preemptive: start waiting jobs in order of their estimated size
// (GPU-seconds, run time or gang size; the user's estimate when the trace gives one). Ties keep
// queue order (ids follow submit order), so the order is total.
#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "sim/policy/job_shape.hpp"
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

  // O(changes x log queue) to keep the buckets, then O((jobs visited + buckets) x log): the
  // walk visits only jobs whose gang fits in the GPUs still free, and none of a shape after one
  // of its jobs failed to fit, however deep the queue.
  Decisions decide(const SchedulerView& view) override {
    for (const JobChange& change : view.changes()) {
      const JobSpec& spec = view.job(change.job).spec;
      const ShapeKey key = ShapeKey::of(spec, change.job);
      if (change.kind == JobChangeKind::Arrived || change.kind == JobChangeKind::Requeued) {
        by_shape_[key].insert({size_of(spec), change.job});
      } else if (change.kind == JobChangeKind::Started ||
                 change.kind == JobChangeKind::Withdrawn) {
        auto bucket = by_shape_.find(key);
        FLEETSIM_CHECK(bucket != by_shape_.end(), "sjf: started job {} was not queued",
                       change.job.value);
        bucket->second.erase({size_of(spec), change.job});
        if (bucket->second.empty()) by_shape_.erase(bucket);
      }
    }
    // A min-heap of the buckets' next jobs by (size, id).
    struct Cursor {
      std::uint32_t gpus;
      float gpu_utilisation;
      Bucket::const_iterator at, end;
    };
    const auto later = [](const Cursor& a, const Cursor& b) { return *b.at < *a.at; };
    std::vector<Cursor> heap;
    for (const auto& [key, jobs] : by_shape_) {
      heap.push_back({key.shape.gpus, key.gpu_utilisation, jobs.begin(), jobs.end()});
    }
    std::make_heap(heap.begin(), heap.end(), later);
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Cursor& c = heap.back();
      // Without strict_order, a gang larger than the GPUs free and powered waits (they only
      // shrink in a pass).
      if (!strict_order_ && c.gpus > free.usable_free(c.gpu_utilisation)) {
        heap.pop_back();
        continue;
      }
      const JobId id = (c.at++)->second;
      bool bucket_done = c.at == c.end;
      if (std::optional<Allocation> gpus = free.take(view.job(id).spec)) {
        decisions.start(id, std::move(*gpus));
      } else if (strict_order_) {
        break;  // longer jobs may not overtake one still waiting for room
      } else {
        bucket_done = bucket_done || free.shape_decides_fit();  // its shape fails all pass
      }
      if (bucket_done) {
        heap.pop_back();
      } else {
        std::push_heap(heap.begin(), heap.end(), later);
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
  std::map<ShapeKey, Bucket> by_shape_;               // jobs of one shape fit or fail together
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
