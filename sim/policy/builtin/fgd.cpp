// FGD, fragmentation gradient descent (Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC 2023). Jobs start in
// arrival order, skipping those that fit nowhere (as fifo_backfill, so the two compare on
// placement alone); each goes to the node, and GPU for a share, where the fleet's fragmentation
// measure F(M) (sim/model/fragmentation.hpp) grows least. M, the target workload, is the mix of
// task classes (GPU demand, allowed types) among the jobs arrived so far: the paper takes it
// from the trace's history; here it is learnt as the run goes, with no look-ahead.
//
// Per placement FGD scores every node with free or shared GPUs of an allowed type at an allowed
// site. F_n(M) depends only on the node's GPU type and the multiset of its GPUs' room, so it is
// computed once per distinct state while the mix stays the same (fleets have few distinct
// states: most nodes are all free or all taken). For a whole-GPU job, nodes without shares
// that have the same type, size and free count score the same, so only the lowest allowed one
// of each is looked at (best_whole_node). Ties go to the lowest node id, then GPU. A gang no
// single node holds (the paper's tasks never are) uses the scenario's placement. With a site
// selection in the scenario, the selection chooses the site (the first it ranks where some node
// holds the job and the site's power allows it) and FGD the node there; without one, FGD ranks
// the nodes of every site together.
#include <algorithm>
#include <limits>
#include <unordered_map>
#include <vector>

#include <boost/container_hash/hash.hpp>

#include "sim/core/bits.hpp"
#include "sim/model/fragmentation.hpp"
#include "sim/policy/builtin/queued_by_shape.hpp"
#include "sim/policy/placement_helpers.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class Fgd final : public Policy {
 public:
  Decisions decide(const SchedulerView& view) override {
    for (const JobChange& change : view.changes()) {
      if (change.kind != JobChangeKind::Arrived) continue;
      mix_.add(view.job(change.job).spec);
      fragment_of_state_.clear();  // popularities moved: every F_n(M) changes
      ++whole_generation_;
    }
    queue_.update(view);
    FreeCapacity free = view.free_capacity();
    Decisions decisions;
    const auto usable = [&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); };
    queue_.walk_fitting(usable, [&](JobId id) {
      std::optional<Allocation> gpus = place(view, free, view.job(id).spec);
      if (!gpus) {
        return free.shape_decides_fit() ? detail::WalkStep::skip_shape : detail::WalkStep::next;
      }
      decisions.start(id, std::move(*gpus));
      return detail::WalkStep::next;
    });
    return decisions;
  }

 private:
  struct Choice {
    double delta = std::numeric_limits<double>::infinity();
    NodeId node;
    std::uint64_t gpus = 0;
  };

  std::optional<Allocation> place(const SchedulerView& view, FreeCapacity& free,
                                  const JobSpec& job) {
    const Topology& topo = free.topology();
    excluded_sites_ = 0;
    if (free.ranked_sites(job, ranked_)) {
      bool some_node_holds_it = false;
      for (SiteId site : ranked_) {
        const Choice best = best_node(view, free, job, detail::nodes_of_site(topo, site));
        if (!best.node.valid()) continue;
        some_node_holds_it = true;
        if (std::optional<Allocation> a = take(free, job, best)) return a;
      }
      // No one node holds it now: the scenario's placement may spread it over nodes.
      return some_node_holds_it ? std::nullopt : free.take(job);
    }
    const detail::NodeRange all{NodeId{0}, NodeId{topo.nodes().size()}};
    // A site whose power headroom refuses the best node is left out and the search repeated.
    for (std::size_t tries = 0; tries <= topo.sites().size(); ++tries) {
      const Choice best = best_node(view, free, job, all);
      if (!best.node.valid()) return tries == 0 ? free.take(job) : std::nullopt;
      if (std::optional<Allocation> a = take(free, job, best)) return a;
      excluded_sites_ |= std::uint64_t{1} << view.fleet().site_of(best.node).index();
    }
    return std::nullopt;
  }

  // The chosen GPUs, if the site's power headroom allows them.
  static std::optional<Allocation> take(FreeCapacity& free, const JobSpec& job,
                                        const Choice& best) {
    Allocation a;
    a.slices.push_back({best.node, best.gpus});
    if (!free.take_chosen(job, a)) return std::nullopt;
    return a;
  }

  bool allowed(const SchedulerView& view, const JobSpec& job, const Node& node, SiteId site) const {
    if ((excluded_sites_ >> site.index() & 1U) != 0 || !job.may_run_at(site)) return false;
    if (job.stages_data() && !view.fleet().wan.reachable(job.data_site, site)) return false;
    const auto& types = job.allowed_types;
    return types.empty() || std::find(types.begin(), types.end(), node.type) != types.end();
  }

  // The best node in `nodes` for the job. O(nodes), each state's F_n(M) computed once; for a
  // whole-GPU job on a fleet whose types each have one node size, best_whole_node's less.
  Choice best_node(const SchedulerView& view, const FreeCapacity& free, const JobSpec& job,
                   detail::NodeRange nodes) {
    const CapacityIndex& index = free.index();
    const Topology& topo = free.topology();
    const std::vector<TaskClass>& mix = mix_.classes();
    const bool share = job.gpu_milli < 1000;
    if (!share && one_node_size_per_type(index)) return best_whole_node(view, free, job, nodes);
    Choice best;
    for (std::size_t n = nodes.lo.index(); n < nodes.hi.index(); ++n) {
      const NodeId id{n};
      const std::uint64_t free_gpus = index.free_mask(id);
      if (free_gpus == 0 && (!share || index.shared_mask(id) == 0)) continue;
      if (!share && count_gpus(free_gpus) < job.gpus) continue;
      const Node& node = topo.node(id);
      if (!allowed(view, job, node, view.fleet().site_of(id))) continue;
      if (!share && (index.shared_mask(id) & ~index.unshareable_mask(id)) == 0) {
        // Every GPU is free or taken whole, before and after: the states are counts.
        const std::uint32_t free_count = count_gpus(free_gpus);
        const double before = whole_fragment(index, id, node, free_count, 0, mix);
        const double delta =
            whole_fragment(index, id, node, free_count - job.gpus, job.gpus, mix) - before;
        if (delta < best.delta) best = {delta, id, lowest_bits(free_gpus, job.gpus)};
        continue;
      }
      node_room(index, id, room_);
      const double before = fragment(room_, node.type, mix);
      const auto consider = [&](std::uint64_t gpus) {
        after_ = room_;
        for (std::uint64_t m = gpus; m != 0; m &= m - 1) {
          after_[std::countr_zero(m)] -= share ? job.gpu_milli : 1000;
        }
        const double delta = fragment(after_, node.type, mix) - before;
        if (delta < best.delta) best = {delta, id, gpus};
      };
      if (!share) {
        consider(lowest_bits(free_gpus, job.gpus));  // free GPUs are alike
        continue;
      }
      for (std::uint32_t g = 0; g < node.gpu_count; ++g) {
        if (room_[g] >= job.gpu_milli && index.share_fits(id, g, job.gpu_milli)) {
          consider(std::uint64_t{1} << g);
        }
      }
    }
    return best;
  }

  // best_node() for a whole-GPU job, from the index's buckets of nodes by type and free count
  // instead of a scan. Nodes of one type with the same free count and no GPU shared are in the
  // same state (one node size per type), so they score the same: only the lowest allowed one of
  // each bucket is a candidate. Nodes with shares are scored one by one. The winner is the one
  // the scan picks: lowest delta, then lowest node id. O(types x sizes x sites) index lookups,
  // plus O(nodes with shares).
  Choice best_whole_node(const SchedulerView& view, const FreeCapacity& free,
                         const JobSpec& job, detail::NodeRange nodes) {
    const CapacityIndex& index = free.index();
    const Topology& topo = free.topology();
    const std::vector<TaskClass>& mix = mix_.classes();
    Choice best;
    const auto offer = [&](double delta, NodeId id) {
      if (delta < best.delta || (best.node.valid() && delta == best.delta && id < best.node)) {
        best = {delta, id, lowest_bits(index.free_mask(id), job.gpus)};
      }
    };
    for (std::size_t t = 0; t < index.type_count(); ++t) {
      const GpuTypeId type{t};
      const auto& types = job.allowed_types;
      if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
      for (std::uint32_t k = job.gpus; k <= node_size_[t]; ++k) {
        NodeId lo = nodes.lo;
        while (true) {
          const NodeId id = index.find_node_with_free(type, k, lo, nodes.hi);
          if (!id.valid()) break;
          const Node& node = topo.node(id);
          const SiteId site = view.fleet().site_of(id);
          if (!allowed(view, job, node, site)) {  // the whole site is: skip to its end
            lo = detail::nodes_of_site(topo, site).hi;
            continue;
          }
          if (has_shares(index, id)) {  // scored below
            lo = NodeId{id.index() + 1};
            continue;
          }
          offer(whole_fragment(index, id, node, k - job.gpus, job.gpus, mix) -
                    whole_fragment(index, id, node, k, 0, mix),
                id);
          break;
        }
      }
      if (!index.sharing()) continue;
      for (NodeId id = index.find_node_with_shared(type, nodes.lo, nodes.hi); id.valid();
           id = index.find_node_with_shared(type, NodeId{id.index() + 1}, nodes.hi)) {
        const std::uint64_t free_gpus = index.free_mask(id);
        if (!has_shares(index, id) || count_gpus(free_gpus) < job.gpus) continue;
        const Node& node = topo.node(id);
        if (!allowed(view, job, node, view.fleet().site_of(id))) continue;
        node_room(index, id, room_);
        const double before = fragment(room_, node.type, mix);
        after_ = room_;
        const std::uint64_t gpus = lowest_bits(free_gpus, job.gpus);
        for (std::uint64_t m = gpus; m != 0; m &= m - 1) after_[std::countr_zero(m)] -= 1000;
        offer(fragment(after_, node.type, mix) - before, id);
      }
    }
    return best;
  }

  // Whether some GPU of the node holds shares that leave it room (its state is not a count).
  static bool has_shares(const CapacityIndex& index, NodeId id) {
    return (index.shared_mask(id) & ~index.unshareable_mask(id)) != 0;
  }

  // Whether every node of a GPU type has the same GPU count; fills node_size_[type] once.
  bool one_node_size_per_type(const CapacityIndex& index) {
    if (node_size_.empty()) {
      node_size_.assign(index.type_count(), 0);
      for (const Node& node : index.topology().nodes()) {
        std::uint32_t& size = node_size_[node.type.index()];
        if (size == 0) size = node.gpu_count;
        if (size != node.gpu_count) mixed_node_sizes_ = true;
      }
    }
    return !mixed_node_sizes_;
  }

  // F_n(M) of a node of `type` whose GPUs have `room`, from the memo when the state was seen.
  double fragment(const std::vector<std::uint32_t>& room, GpuTypeId type,
                  const std::vector<TaskClass>& mix) {
    key_.assign(1, static_cast<std::uint32_t>(type.index()));
    key_.insert(key_.end(), room.begin(), room.end());
    std::sort(key_.begin() + 1, key_.end());
    // Looked up by the scratch itself: a key is copied only when a new state is stored.
    if (const auto it = fragment_of_state_.find(key_); it != fragment_of_state_.end()) {
      return it->second;
    }
    const double f = node_fragment(room, type, mix);
    fragment_of_state_.emplace(key_, f);
    return f;
  }

  // fragment() of a node with no GPU shared, whose state is its count of free GPUs: after
  // `taking` of them (its lowest free ones) go to a job, `free_count` are left. Memoised by
  // (type, GPUs, free_count) in a flat table, skipping the room vector and the hashed key that
  // most nodes would otherwise cost; a miss asks fragment() with that room, so the value is
  // the one it would give.
  double whole_fragment(const CapacityIndex& index, NodeId id, const Node& node,
                        std::uint32_t free_count, std::uint32_t taking,
                        const std::vector<TaskClass>& mix) {
    const std::size_t slot =
        (node.type.index() * (kMaxNodeGpus + 1) + node.gpu_count) * (kMaxNodeGpus + 1) +
        free_count;
    if (whole_.size() <= slot) whole_.resize(slot + 1);
    WholeEntry& entry = whole_[slot];
    if (entry.generation != whole_generation_) {
      node_room(index, id, whole_room_);
      const std::uint64_t taken = lowest_bits(index.free_mask(id), taking);
      for (std::uint64_t m = taken; m != 0; m &= m - 1) whole_room_[std::countr_zero(m)] -= 1000;
      entry = {fragment(whole_room_, node.type, mix), whole_generation_};
    }
    return entry.value;
  }

  static constexpr std::size_t kMaxNodeGpus = 64;  // a node's GPUs are one 64-bit mask
  struct WholeEntry {
    double value = 0;
    std::uint64_t generation = 0;  // valid while equal to whole_generation_
  };

  TaskMix mix_;
  std::vector<WholeEntry> whole_;  // [(type, GPUs, free GPUs)]
  std::uint64_t whole_generation_ = 1;
  std::vector<std::uint32_t> whole_room_;  // scratch
  std::vector<std::uint32_t> node_size_;  // [type]: its nodes' GPU count; empty until first asked
  bool mixed_node_sizes_ = false;
  // (type, sorted room of each GPU) -> F_n(M), for mix_ as it is now.
  std::unordered_map<std::vector<std::uint32_t>, double, boost::hash<std::vector<std::uint32_t>>>
      fragment_of_state_;
  std::vector<std::uint32_t> key_;  // scratch
  detail::QueuedByShape queue_;
  std::uint64_t excluded_sites_ = 0;  // this placement's sites without the power for it
  std::vector<SiteId> ranked_;        // scratch: the site selection's ranking
  std::vector<std::uint32_t> room_, after_;  // scratch
};

const PolicyRegistration kRegistration{{
    .name = "fgd",
    .summary = "FGD (Alibaba, ATC'23): arrival order with backfill; each job (or GPU share) goes "
               "where the fragmentation measure of the arrived workload's mix grows least.",
    .params = {},
    .make = [](const PolicyParams&) { return std::make_unique<Fgd>(); },
}};

}  // namespace
}  // namespace fleetsim
