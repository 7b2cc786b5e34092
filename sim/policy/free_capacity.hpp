// The free GPUs as a policy sees them during one scheduling pass: a scratch it may take from
// (and release running jobs' GPUs into, to plan preemptions) without changing the fleet.
// Every change is journaled on the engine's index and undone when the pass ends, so a pass
// costs what it touches, not a copy of a 2,000,000-GPU index.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/fleet/allocation.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/model/power.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class FreeCapacity {
 public:
  // A plain scratch of free GPUs: no residency, power or site ranking (placement tests).
  FreeCapacity(CapacityIndex& index, const Placement& placement);
  // The scratch a policy gets: take(job) also honours residency, the WAN path to the job's data
  // and each site's power headroom, trying sites in the order `selection` ranks them
  // (nullptr: the placement chooses among all sites).
  FreeCapacity(CapacityIndex& index, const Placement& placement, const SiteContext& sites,
               const SiteSelection* selection);
  ~FreeCapacity() { rollback(0); }
  FreeCapacity(const FreeCapacity&) = delete;
  FreeCapacity& operator=(const FreeCapacity&) = delete;

  const CapacityIndex& index() const { return *index_; }
  const Topology& topology() const { return index_->topology(); }
  std::uint64_t total_free() const { return index_->total_free(); }
  // Free GPUs the job could use (of its allowed types), fleet-wide. O(types).
  std::uint64_t free_for(const JobSpec& job) const;

  // Places the job with the scenario's placement strategy and takes its GPUs here.
  std::optional<Allocation> take(const JobSpec& job);
  // The same with another placement strategy.
  std::optional<Allocation> take_with(const Placement& placement, const JobSpec& job);
  // Returns a running job's GPUs (and the power they draw) to the scratch, to plan its
  // preemption.
  void release(const Job& job);
  // GPUs only, for a plain scratch; a policy releases jobs, so that their power comes back too.
  void release(const Allocation& allocation);
  // Undoes release(job) for a job the plan keeps running after all, if its GPUs are still free
  // and its sites still have the power for it; returns whether it did.
  bool try_take_back(const Job& job);
  // Takes the GPUs of a start already decided, and the power the job will draw on them (used to
  // re-apply a plan after a rollback; no placement and no headroom check).
  void take_decided(const JobSpec& job, const Allocation& gpus);

  // Primitives for placement strategies. Preconditions as CapacityIndex::take/release.
  void take(NodeId node, std::uint64_t mask);
  void release(NodeId node, std::uint64_t mask);
  std::size_t mark() const { return journal_.size(); }
  void rollback(std::size_t mark);

  // How many take(job) calls the failure memo answered without placing (statistics, tests).
  std::uint64_t memo_hits() const { return memo_hits_; }

 private:
  // GPUs taken or released on a node, or (node invalid) power taken at a site.
  struct Change {
    NodeId node;
    std::uint64_t mask;
    bool taken;
    SiteId site;
    Milliwatts power = 0;
  };
  // A failed take(job) is remembered by the job's shape until capacity grows (a release or a
  // rollback): the same shape, or the same with a higher GPU utilisation (more power), fails
  // again without a placement, because takes only shrink the free GPUs and power. On a
  // multi-site fleet a FIFO walk otherwise ranks and places thousands of queued jobs per pass
  // that residency or power caps keep out.
  struct Shape {
    const Placement* placement;
    std::uint64_t sites;
    std::uint64_t types;  // bit t = GPU type t allowed (all bits: any type)
    std::uint32_t gpus;
    std::uint32_t data_site;  // only when the job has data to stage: reachability depends on it
    bool operator==(const Shape&) const = default;
  };
  struct ShapeHash {
    std::size_t operator()(const Shape& s) const;
  };
  static std::optional<Shape> shape_of(const Placement& placement, const JobSpec& job);
  std::optional<Allocation> place_job(const Placement& placement, const JobSpec& job);
  void undo_to(std::size_t mark);  // rollback without forgetting failures: state is restored
  void forget_failures();
  // Places the job within one site, if the site's power allows it.
  std::optional<Allocation> take_at(const Placement& placement, const JobSpec& job,
                                    PlacementRequest request, SiteId site);
  bool allowed_at(const JobSpec& job, SiteId site) const;
  // Power a site could still take in this pass: its headroom minus what the pass has taken.
  Milliwatts power_headroom(SiteId site) const;
  void take_power(SiteId site, Milliwatts power);
  // Takes (sign +1) or gives back (-1) the power the job draws above idle on `gpus`, journaled.
  // With +1, returns whether every site it touches is still within its headroom (the caller
  // undoes the take when not). Always true without power caps, where nothing is taken.
  bool take_busy_power(const JobSpec& job, const Allocation& gpus, int sign);

  CapacityIndex* index_;
  const Placement* placement_;
  std::vector<Change> journal_;
  std::optional<SiteContext> sites_;
  const SiteSelection* selection_ = nullptr;
  std::vector<Milliwatts> power_taken_;  // [site], this pass; sized on first use
  std::vector<SiteId> order_;             // scratch for rankings
  std::unordered_map<Shape, float, ShapeHash> failed_;  // shape -> least utilisation that failed
  std::uint64_t memo_hits_ = 0;
  bool memo_ = true;  // false when the site selection looks ahead (see SiteSelection)
};

// Takes the `count` lowest set bits of `mask`. Precondition: popcount(mask) >= count.
std::uint64_t lowest_bits(std::uint64_t mask, std::uint32_t count);

}  // namespace fleetsim
