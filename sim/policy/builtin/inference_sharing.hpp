// What the inference-sharing policies (inference_first, reserved, lend) have in common: the
// queued inference replicas kept apart from the training queue, a fixed split of the fleet's
// nodes between inference and training, and planning a pass on one side of that split.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "sim/policy/builtin/preempt_to_fit.hpp"
#include "sim/policy/builtin/queued_by_shape.hpp"
#include "sim/policy/job_shape.hpp"
#include "sim/policy/policy.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/feasibility.hpp"

namespace fleetsim::detail {

// Queued inference replicas in id order, from the view's changes. O(changes x log) per pass.
class QueuedReplicas {
 public:
  void update(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      if (!view.job(change.job).spec.is_replica()) continue;
      switch (change.kind) {
        case JobChangeKind::Arrived:
        case JobChangeKind::Requeued:
          jobs_.insert(change.job);
          break;
        case JobChangeKind::Started:
        case JobChangeKind::Withdrawn:
          jobs_.erase(change.job);
          break;
        case JobChangeKind::Preempted:
        case JobChangeKind::Finished:
          break;
      }
    }
  }
  const std::set<JobId>& jobs() const { return jobs_; }

 private:
  std::set<JobId> jobs_;
};

// Running jobs a replica may take GPUs from, the cheapest to lose first: preemptible training
// jobs (never replicas) passing `eligible`, latest started first, then largest id. O(running
// log running).
template <class Eligible>
std::vector<JobId> training_victims(const SchedulerView& view, Eligible eligible) {
  std::vector<JobId> out;
  for (JobId id : view.running_jobs()) {
    const Job& job = view.job(id);
    if (job.spec.preemptible && !job.spec.is_replica() && eligible(job)) out.push_back(id);
  }
  std::sort(out.begin(), out.end(), [&](JobId a, JobId b) {
    return std::tuple(view.job(a).segment_start, a) > std::tuple(view.job(b).segment_start, b);
  });
  return out;
}

// Starts the replica, or preempts victims for it (erasing them from `victims`), or lets it wait
// for draining GPUs. False when it can do none of these.
inline bool place_replica(const SchedulerView& view, PlanningCapacity& plan, JobId id,
                          std::vector<JobId>& victims, Decisions& decisions,
                          std::vector<JobId>* released = nullptr) {
  const JobSpec& spec = view.job(id).spec;
  if (std::optional<Allocation> gpus = plan.take(spec)) {
    decisions.start(id, std::move(*gpus));
    return true;
  }
  if (plan.wait_for_drain(spec)) return true;
  if (victims.empty()) return false;
  PreemptOutcome out = preempt_to_fit(view, plan, spec, victims, decisions);
  if (!out.made_room) return false;
  for (JobId victim : out.victims) {
    std::erase(victims, victim);
    if (out.gpus && released != nullptr) released->push_back(victim);
  }
  if (out.gpus) decisions.start(id, std::move(*out.gpus));
  return true;
}

// Places the queued replicas in id order with place_replica. Preemptible training jobs that
// `victim(job)` accepts are listed as victims (latest started first) only once a replica does
// not fit, and only when `may_preempt`. Replicas `eligible(spec)` rejects are skipped. Returns
// whether an eligible replica is left waiting.
template <class Eligible, class Victim>
bool place_replicas(const SchedulerView& view, PlanningCapacity& plan,
                    const std::set<JobId>& replicas, bool may_preempt, Eligible eligible,
                    Victim victim, Decisions& decisions,
                    std::vector<JobId>* released = nullptr) {
  std::vector<JobId> victims;
  bool listed = !may_preempt;
  bool waits = false;
  for (JobId id : replicas) {
    const JobSpec& spec = view.job(id).spec;
    if (!eligible(spec)) continue;
    if (std::optional<Allocation> gpus = plan.take(spec)) {
      decisions.start(id, std::move(*gpus));
      continue;
    }
    if (!listed) {
      victims = training_victims(view, victim);
      listed = true;
    }
    if (!place_replica(view, plan, id, victims, decisions, released)) waits = true;
  }
  return waits;
}

// FIFO with greedy backfill over the waiting training jobs that `eligible(spec, id)` accepts:
// each is placed by `take(spec)` (nullopt: does not fit) and started; `free_gpus(utilisation)`
// bounds the gangs the walk visits (see QueuedByShape::walk_fitting): it must be at least what
// `take` could give a job drawing that utilisation (FreeCapacity::usable_free is). Replicas are
// skipped. With `shape_decides_fit` (FreeCapacity::shape_decides_fit of the scratch `take` places
// in), a job that does not fit skips the rest of its shape, which would not fit either: a deep
// queue then costs a pass O(shapes), not O(jobs). `started`, when given, collects the jobs started.
template <class FreeGpus, class Take, class Eligible>
void start_training_fifo(const SchedulerView& view, const QueuedByShape& queue, FreeGpus free_gpus,
                         Take take, Eligible eligible, bool shape_decides_fit, Decisions& decisions,
                         std::set<JobId>* started = nullptr) {
  queue.walk_fitting(free_gpus, [&](JobId id) {
    const JobSpec& spec = view.job(id).spec;
    // Eligibility may depend on more than the shape (preemptible, started), so failing it
    // never skips a shape.
    if (spec.is_replica() || !eligible(spec, id)) return WalkStep::next;
    std::optional<Allocation> gpus = take(spec);
    if (!gpus) return shape_decides_fit ? WalkStep::skip_shape : WalkStep::next;
    decisions.start(id, std::move(*gpus));
    if (started != nullptr) started->insert(id);
    return WalkStep::next;
  });
}

// The `share` parameter of the partitioned policies: in [0, 1].
inline std::string validate_share(const PolicyParams& params) {
  const double share = params.get<double>("share");
  if (!(share >= 0 && share <= 1)) {
    return fmt::format("share: expected a number in [0, 1], got {}", share);
  }
  return "";
}

// A fixed split of the fleet: the first nodes in id order holding at least
// round(share x fleet GPUs) GPUs (whole nodes) serve inference, the others train. A job whose
// gang does not fit in its own side even when that side is empty (more GPUs of its types than
// any site of that side the job may run at has, or its site's largest power cap can run) may use
// the whole fleet: otherwise it could never run.
class NodePartition {
 public:
  enum Side { kTraining = 0, kInference = 1 };

  // `fleet` must outlive the partition.
  void build(const Fleet& fleet, double share) {
    fleet_ = &fleet;
    const Topology& topology = fleet.topology;
    const auto wanted =
        static_cast<std::uint64_t>(std::llround(share * static_cast<double>(topology.gpu_count())));
    inference_.assign(topology.nodes().size(), false);
    std::vector<std::uint64_t> gpus[2];  // [side][site x types + type]
    const std::size_t types = topology.gpus_by_type().size();
    for (Side side : {kTraining, kInference}) {
      nodes_by_site_[side].assign(topology.sites().size(), {});
      gpus[side].assign(topology.sites().size() * types, 0);
    }
    std::uint64_t taken = 0;
    for (std::size_t n = 0; n < topology.nodes().size(); ++n) {
      const Node& node = topology.node(NodeId{n});
      const Side side = taken < wanted ? kInference : kTraining;
      if (side == kInference) taken += node.gpu_count;
      inference_[n] = side == kInference;
      const SiteId site = topology.cluster(topology.rack(node.rack).cluster).site;
      nodes_by_site_[side][site.index()].push_back(NodeId{n});
      gpus[side][site.index() * types + node.type.index()] += node.gpu_count;
    }
    types_ = types;
    for (Side side : {kTraining, kInference}) gpus_[side] = std::move(gpus[side]);
    built_ = true;
  }
  bool built() const { return built_; }
  bool is_inference(NodeId node) const { return inference_[node.index()]; }
  // Whether a running job holds any GPU of the inference side.
  bool holds_inference(const Job& job) const {
    return std::any_of(job.allocation.slices.begin(), job.allocation.slices.end(),
                       [&](const NodeSlice& s) { return is_inference(s.node); });
  }
  // [site] -> the side's nodes there, in id order.
  const std::vector<std::vector<NodeId>>& nodes_by_site(Side side) const {
    return nodes_by_site_[side];
  }
  // Whether the job's gang fits in `side` when that side is empty: at one site it may run at
  // (residency, and a WAN path to its data when it stages data), on one of its types, within the
  // site's largest power cap with its other GPUs idle (as Feasibility counts it: a side's GPUs
  // alone can be more than the cap lets one gang use). Nothing it depends on changes during a
  // run, and a pass asks it of every queued shape: remembered by shape and GPU utilisation, so
  // O(log shapes) after the first O(sites x types^2) answer.
  bool ever_fits(const JobSpec& spec, Side side) const {
    const std::optional<JobShape> shape = JobShape::of(spec);
    if (!shape) return fits_when_empty(spec, side);
    const auto [it, _] =
        ever_fits_.try_emplace({*shape, spec.gpu_utilisation}, std::array<std::int8_t, 2>{-1, -1});
    std::int8_t& known = it->second[side];
    if (known < 0) known = fits_when_empty(spec, side) ? 1 : 0;
    return known == 1;
  }

 private:
  bool fits_when_empty(const JobSpec& spec, Side side) const {
    const auto& allowed = spec.allowed_types;
    for (std::size_t i = 0; i < gpus_[side].size(); ++i) {
      const SiteId site{i / types_};
      const GpuTypeId type{i % types_};
      if (!spec.may_run_at(site)) continue;
      if (spec.stages_data() && !fleet_->wan.reachable(spec.data_site, site)) continue;
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
        continue;
      }
      if (spec.gpus <= std::min(gpus_[side][i], gang_capacity_at(*fleet_, spec, site, type))) {
        return true;
      }
    }
    return false;
  }

  bool built_ = false;
  const Fleet* fleet_ = nullptr;
  std::vector<bool> inference_;
  std::vector<std::vector<NodeId>> nodes_by_site_[2];  // [side][site]
  std::size_t types_ = 0;
  std::vector<std::uint64_t> gpus_[2];  // [side][site x types + type]: GPUs of the type there
  // (shape, GPU utilisation) -> [side]: 1 fits, 0 does not, -1 not asked yet.
  mutable std::map<std::pair<JobShape, float>, std::array<std::int8_t, 2>> ever_fits_;
};

// Planning on one side of a NodePartition: while open, the other side's free GPUs are taken
// out of the scratch so that placements only see this side. close() undoes that and re-applies
// what the phase took and released, so the scratch then holds exactly the pass's plan.
class PartitionPhase {
 public:
  // `now`: O(free nodes of the other side) to open and to close, even for a phase that starts
  // nothing; every count the scratch gives is this side's. `lazily`: a site's are hidden when a
  // placement first tries the site (FreeCapacity::hide_lazily), so a job that fits at a site of
  // only this side costs nothing to hide; on a mostly idle 2,000,000-GPU fleet hiding all of
  // them for every arriving job was nearly all of a run. Fleet-wide counts then include the
  // other side's sites not tried yet: only for phases that use them as upper bounds (a FIFO
  // walk's free GPUs), not for PlanningCapacity's promises, which count.
  enum class Hide : std::uint8_t { now, lazily };
  PartitionPhase(FreeCapacity& free, const NodePartition& partition, NodePartition::Side hidden,
                 Hide when)
      : free_(&free), mark_(free.mark()) {
    if (when == Hide::lazily) {
      free.hide_lazily(partition.nodes_by_site(hidden));
      return;
    }
    for (const std::vector<NodeId>& at_site : partition.nodes_by_site(hidden)) {
      for (NodeId node : at_site) {
        if (const std::uint64_t mask = free.index().free_mask(node)) free.take(node, mask);
      }
    }
  }
  // Victims whose GPUs a start of this phase uses (freed in this pass).
  std::vector<JobId> released;

  // Call once, after the phase's decisions; `decisions` holds every start made so far. Victims
  // give back their GPUs and power, and starts take theirs, so site power caps still hold.
  void close(const SchedulerView& view, const Decisions& decisions, std::size_t starts_before) {
    free_->stop_hiding();
    free_->rollback(mark_);
    for (JobId victim : released) free_->release(view.job(victim));
    const auto& starts = decisions.starts();
    for (std::size_t i = starts_before; i < starts.size(); ++i) {
      free_->take_decided(view.job(starts[i].job).spec, starts[i].gpus);
    }
  }

 private:
  FreeCapacity* free_;
  std::size_t mark_;
};

// Waiting jobs (replicas and training) too large for their side of `partition` even when it is
// empty, in FIFO order, placed anywhere by `take(spec)`: otherwise they could never run. A job
// that does not fit skips the rest of its shape as in start_training_fifo, and so does one that
// fits its side: a bucket holds one kind (replica or training) of one shape, and whether a job
// fits its side depends on nothing else, so a pass costs O(buckets + jobs started), not O(queue).
template <class FreeGpus, class Take>
void start_oversized(const SchedulerView& view, const QueuedByShape& queue,
                     const NodePartition& partition, FreeGpus free_gpus, Take take,
                     bool shape_decides_fit, Decisions& decisions) {
  queue.walk_fitting(free_gpus, [&](JobId id) {
    const JobSpec& spec = view.job(id).spec;
    const auto side = spec.is_replica() ? NodePartition::kInference : NodePartition::kTraining;
    if (partition.ever_fits(spec, side)) return WalkStep::skip_shape;
    std::optional<Allocation> gpus = take(spec);
    if (!gpus) return shape_decides_fit ? WalkStep::skip_shape : WalkStep::next;
    decisions.start(id, std::move(*gpus));
    return WalkStep::next;
  });
}

}  // namespace fleetsim::detail
