// The free GPUs as a policy sees them during one scheduling pass: a scratch it may take from
// (and release running jobs' GPUs into, to plan preemptions) without changing the fleet.
// Every change is journaled on the engine's index and undone when the scratch ends, so a pass
// costs what it touches, not a copy of a 2,000,000-GPU index; the one exception is a pass's
// last scratch that only took GPUs, whose takes the engine keeps when they are its starts
// (KeptTakes below).
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/fleet/allocation.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/model/power.hpp"
#include "sim/policy/job_shape.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/releasable_gpus.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

// One entry of a scratch's journal: GPUs taken or released on a node, a share added or removed
// (milli > 0, mask = its GPU), or (node invalid) power taken at a site.
struct ScratchChange {
  NodeId node;
  std::uint64_t mask;
  bool taken;
  SiteId site;
  Milliwatts power = 0;
  std::uint32_t milli = 0;
};

// Whole-GPU takes that a pass's last policy scratch left applied to the engine's index when it
// ended, instead of undoing them (scratches from SchedulerView::free_capacity() only). When the
// pass's starts are exactly these GPUs, the engine keeps them rather than undo them and take the
// same GPUs again (Engine::keep_policy_takes); otherwise it undoes them. A scratch made later in
// the pass undoes them first, so every scratch starts from the engine's state.
struct KeptTakes {
  std::vector<NodeSlice> slices;     // applied to the index, in take order
  std::uint32_t live_scratches = 0;  // scratches alive now; only the last to end may keep
  // A scratch's journal buffer, lent to the next scratch: a preemptive policy's pass journals a
  // release and a take per planned job, and regrowing that from empty every pass (copies and
  // fresh pages) was over a third of srtf's time on the ten-site scenario.
  std::vector<ScratchChange> spare_journal;
  // Gives them all back, newest first, and forgets them.
  void undo(CapacityIndex& index);
};

class FreeCapacity {
 public:
  // A plain scratch of free GPUs: no residency, power or site ranking (placement tests).
  FreeCapacity(CapacityIndex& index, const Placement& placement);
  // The scratch a policy gets: take(job) also honours residency, the WAN path to the job's data
  // and each site's power headroom, trying sites in the order `selection` ranks them
  // (nullptr: the placement chooses among all sites). With `kept`, a scratch whose changes are
  // all whole-GPU takes leaves them applied when it ends, listed in `kept` (see KeptTakes).
  FreeCapacity(CapacityIndex& index, const Placement& placement, const SiteContext& sites,
               const SiteSelection* selection, KeptTakes* kept = nullptr);
  ~FreeCapacity();
  FreeCapacity(const FreeCapacity&) = delete;
  FreeCapacity& operator=(const FreeCapacity&) = delete;

  const CapacityIndex& index() const { return *index_; }
  const Topology& topology() const { return index_->topology(); }
  // Free GPUs. With GPU sharing, GPUs holding shares count too (a fractional job may still fit
  // on one): an upper bound, as callers use it to stop looking when nothing can fit.
  std::uint64_t total_free() const { return index_->total_free() + index_->total_shared(); }
  // An upper bound on the GPUs a gang of jobs drawing `gpu_utilisation` could get: each site's
  // free GPUs, at most as many as its power headroom could run at the least busy power among
  // its free types. total_free() without power caps or once GPUs are shared; O(sites x types),
  // cached until the scratch changes. On a capped fleet it is what keeps a FIFO walk short
  // while capped sites hold free GPUs they cannot power.
  std::uint64_t usable_free(float gpu_utilisation) const;
  // Free GPUs the job could use (of its allowed types), fleet-wide; with sharing, GPUs holding
  // shares count too (see total_free). O(types).
  std::uint64_t free_for(const JobSpec& job) const;

  // Places the job with the scenario's placement strategy and takes its GPUs here. With
  // cross-site gangs allowed, a gang no single site takes may be split over nearby sites
  // (CrossSiteGangs::Split says when).
  std::optional<Allocation> take(const JobSpec& job);
  // The same with another placement strategy.
  std::optional<Allocation> take_with(const Placement& placement, const JobSpec& job);
  // Returns a running job's GPUs (and the power they draw) to the scratch, to plan its
  // preemption.
  void release(const Job& job);
  // GPUs only, for a plain scratch; a policy releases jobs, so that their power comes back too.
  void release(const Allocation& allocation);
  // False when the job could not fit even with these running jobs' GPUs released too, by
  // counting the GPUs of its types at the sites open to it, and what their sites' power, with
  // the jobs' back, could run; true when it might. Preemption planning asks before releasing
  // candidates one by one: on a capped multi-site fleet most jobs that cannot make room are
  // told so here without touching the index. Always true for a fractional job or once GPUs are
  // shared. O(sites x types + the jobs' slices).
  bool may_fit_with(const JobSpec& job, const std::vector<const Job*>& released) const;
  // The same for a set of running jobs a policy keeps counted (ReleasableGpus), of which only
  // the GPUs of the job's types count, and their power: those of the jobs a policy would
  // release for it. O(sites x types).
  bool may_fit_with(const JobSpec& job, const ReleasableGpus& released) const;
  // Undoes release(job) for a job the plan keeps running after all, if its GPUs are still free
  // and its sites still have the power for it; returns whether it did.
  bool try_take_back(const Job& job);
  // Takes the GPUs of a start already decided, and the power the job will draw on them (used to
  // re-apply a plan after a rollback; no placement and no headroom check).
  void take_decided(const JobSpec& job, const Allocation& gpus);
  // Takes GPUs a policy chose itself (e.g. fgd), a share of one GPU for a fractional job, and
  // the power the job will draw on them, if every site they are at has that headroom; else
  // takes nothing. Precondition: the GPUs are free (a share: share_fits).
  bool take_chosen(const JobSpec& job, const Allocation& gpus);
  // Its inverse: gives back GPUs a plan took for the job, and their power (an elastic policy
  // trying a job on another GPU count).
  void release_decided(const JobSpec& job, const Allocation& gpus);

  // Primitives for placement strategies. Preconditions as CapacityIndex::take/release.
  void take(NodeId node, std::uint64_t mask);
  void release(NodeId node, std::uint64_t mask);
  // GPU sharing primitives (fractional jobs): a share of `milli` on the node's GPU `bit`, which
  // is free or already holds shares with room for it; and its inverse, which frees the GPU with
  // its last share.
  void take_share(NodeId node, std::uint32_t bit, std::uint32_t milli);
  void release_share(NodeId node, std::uint32_t bit, std::uint32_t milli);
  std::size_t mark() const { return journal_.size(); }
  void rollback(std::size_t mark);
  // Drops the failure memo (below): every take places again. Tests compare against it.
  void forget_failures();

  // For a policy that chooses GPUs itself (fgd): the sites the scenario's site selection ranks
  // for the job, best first, less those residency or the WAN rule out. False, with `order`
  // untouched, when there is no selection (the policy chooses the site too).
  bool ranked_sites(const JobSpec& job, std::vector<SiteId>& order) const;

  // Treats the free GPUs of the listed nodes ([site] -> nodes) as taken, a site at a time: a
  // site's are taken when take(job) first tries a placement there (all sites' at once before a
  // placement over the whole fleet, a cross-site split, a fractional job or any other change to
  // the scratch). A site whose every node is listed is closed instead: take(job) passes over it
  // and usable_free leaves it out, at no cost, until one of those changes hides it too. A pass
  // then costs the hidden nodes at the partly listed sites its jobs were tried at, not all of
  // them. Counts read meanwhile (total_free, free_for, index()) still include the listed GPUs
  // not hidden yet, usable_free leaves them out: use them only as upper bounds, as a walk's
  // free GPUs (PlanningCapacity's promises need exact counts). Until stop_hiding(), which keeps
  // what was hidden (a closed site never hidden shows again, so failed takes are forgotten); a
  // rollback to a mark before a site was hidden shows it again.
  void hide_lazily(const std::vector<std::vector<NodeId>>& nodes_by_site);
  void stop_hiding();

  // Whether a job that failed to fit means every later job of its shape (job_shape.hpp) and GPU
  // utilisation fails too until capacity grows: true unless the site selection looks ahead
  // (SiteSelection::looks_ahead), when its ranking depends on more than the shape.
  bool shape_decides_fit() const { return shape_decides_fit_; }
  // How many take(job) calls the failure memo answered without placing (statistics, tests).
  std::uint64_t memo_hits() const { return memo_hits_; }

 private:
  // A failed take(job) is remembered by the job's shape (job_shape.hpp) until capacity grows (a
  // release, or a rollback that undoes a take): the same shape, or the same with a higher GPU
  // utilisation (more power), fails again without a placement, because takes only shrink the free
  // GPUs and power. On a multi-site fleet a FIFO walk otherwise ranks and places thousands of
  // queued jobs per pass that residency or power caps keep out.
  struct Failed {
    const Placement* placement;
    JobShape shape;
    bool operator==(const Failed&) const = default;
  };
  struct FailedHash {
    std::size_t operator()(const Failed& f) const;
  };
  std::optional<Allocation> place_job(const Placement& placement, const JobSpec& job);
  // hide_lazily: takes the site's listed nodes if not done yet; every site's.
  void hide_site(SiteId site);
  void hide_every_site();
  // hide_lazily listed every node of the site: take(job) and usable_free pass over it.
  bool closed(SiteId site) const;
  // Free GPUs of the type on the nodes hide_lazily listed at the site, while they are not hidden
  // yet (else 0). O(listed nodes there) once per hide_lazily, then O(1).
  std::uint64_t listed_free(SiteId site, GpuTypeId type) const;
  void undo_to(std::size_t mark);  // rollback without forgetting failures: state is restored
  void lend_journal();             // gives journal_'s buffer, emptied, to kept_->spare_journal
  // A fractional job: best fit over the GPUs holding shares (the least room that holds it,
  // ties: lowest GPU), else one free GPU the placement picks; sites as place_job tries them.
  std::optional<Allocation> place_share(const Placement& placement, const JobSpec& job);
  std::optional<Allocation> share_at(const Placement& placement, const JobSpec& job,
                                     SiteId site);
  // Places the job within one site, if the site's power allows it.
  std::optional<Allocation> take_at(const Placement& placement, const JobSpec& job,
                                    PlacementRequest request, SiteId site);
  // With cross-site gangs, when no single site took the job: one gang over a group of the
  // ranked sites (cross_site_group.hpp), anchored at each ranked site in turn.
  std::optional<Allocation> split_across_sites(const Placement& placement, const JobSpec& job);
  // Places the job over group_, on GPUs of one type, or takes nothing.
  std::optional<Allocation> take_split(const Placement& placement, const JobSpec& job,
                                       GpuTypeId type);
  // Free GPUs of the type at the site that its power headroom could run busy.
  std::uint64_t powered_free(SiteId site, GpuTypeId type, float gpu_utilisation) const;
  bool allowed_at(const JobSpec& job, SiteId site) const;
  // Whether the site has the free GPUs of some type the job may use, and the power headroom for
  // them: necessary for a placement there, and O(types), so a full or power-capped site costs
  // no placement and undo. GPUs hide_lazily listed do not count, hidden yet or not.
  bool site_may_fit(const JobSpec& job, SiteId site) const;
  // Power a site could still take in this pass: its headroom minus what the pass has taken.
  Milliwatts power_headroom(SiteId site) const;
  void take_power(SiteId site, Milliwatts power);
  // Takes (sign +1) or gives back (-1) the power the job draws above idle on `gpus`, journaled.
  // With +1, returns whether every site it touches is still within its headroom (the caller
  // undoes the take when not). Always true without power caps, where nothing is taken.
  bool take_busy_power(const JobSpec& job, const Allocation& gpus, int sign);
  // may_fit_with's parts: whether it answers for the job (else: true), whether the job may
  // use the site, the job's free GPUs per (site, type) into fit_gpus_ (fit_power_ zeroed),
  // and whether those, plus the power in fit_power_ given back, could hold its gang.
  bool bounds_fit(const JobSpec& job) const;
  bool fit_open(const JobSpec& job, SiteId site) const;
  void count_fit_free(const JobSpec& job) const;
  bool fits_counted(const JobSpec& job) const;

  CapacityIndex* index_;
  const Placement* placement_;
  KeptTakes* kept_ = nullptr;
  // Borrowed from kept_->spare_journal when there is one, so a pass neither allocates (a heap
  // allocation per pass was a measurable share of the engine loop) nor regrows it.
  std::vector<ScratchChange> journal_;
  std::optional<SiteContext> sites_;
  const SiteSelection* selection_ = nullptr;
  std::vector<Milliwatts> power_taken_;  // [site], this pass; sized on first use
  std::vector<SiteId> order_;             // scratch for rankings
  std::vector<SiteId> group_;             // scratch for a cross-site split
  std::vector<GpuTypeId> split_types_;    // scratch for a cross-site split
  std::unordered_map<Failed, float, FailedHash> failed_;  // -> least utilisation that failed
  std::uint64_t memo_hits_ = 0;
  std::uint64_t version_ = 0;  // bumped by every change to the scratch
  struct UsableCache {
    std::uint64_t version = ~std::uint64_t{0};
    float utilisation = 0;
    std::uint64_t gpus = 0;
  };
  mutable UsableCache usable_;
  bool shape_decides_fit_ = true;
  const std::vector<std::vector<NodeId>>* lazily_hidden_ = nullptr;  // see hide_lazily
  static constexpr std::size_t kNotHidden = ~std::size_t{0};
  std::vector<std::size_t> hidden_from_;  // [site]: journal size before it was hidden
  std::vector<bool> closed_;              // [site]: every node listed (hide_lazily)
  mutable std::vector<bool> listed_counted_;        // [site]: listed_free_ counted
  mutable std::vector<std::uint64_t> listed_free_;  // [site x types + type], see listed_free
  mutable std::vector<std::uint64_t> fit_gpus_;  // [site x types + type], for may_fit_with
  mutable std::vector<Milliwatts> fit_power_;    // [site], for may_fit_with
};

// Takes the `count` lowest set bits of `mask`. Precondition: popcount(mask) >= count.
std::uint64_t lowest_bits(std::uint64_t mask, std::uint32_t count);

}  // namespace fleetsim
