#include "sim/policy/free_capacity.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "sim/core/bits.hpp"
#include "sim/core/error.hpp"
#include "sim/core/power_ledger.hpp"
#include "sim/fleet/cross_site_group.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/policy/placement_helpers.hpp"
#include "sim/workload/feasibility.hpp"

namespace fleetsim {

FreeCapacity::FreeCapacity(CapacityIndex& index, const Placement& placement)
    : index_(&index), placement_(&placement) {}

FreeCapacity::FreeCapacity(CapacityIndex& index, const Placement& placement,
                           const SiteContext& sites, const SiteSelection* selection,
                           KeptTakes* kept)
    : index_(&index), placement_(&placement), kept_(kept), sites_(sites), selection_(selection) {
  sites_->planned_power = &power_taken_;  // rankings see this pass's plan (not copied: no moves)
  shape_decides_fit_ = selection == nullptr || !selection->looks_ahead(sites);
  if (kept_ != nullptr) {
    if (!kept_->slices.empty()) kept_->undo(*index_);  // an earlier scratch's: start afresh
    ++kept_->live_scratches;
    journal_.swap(kept_->spare_journal);  // empty: see lend_journal
  }
}

FreeCapacity::~FreeCapacity() {
  // Power taken is this scratch's own (power_taken_), so only GPU changes matter; any release
  // or share means the changes are not a plain list of starts.
  const auto whole_take = [](const ScratchChange& c) {
    return !c.node.valid() || (c.taken && c.milli == 0);
  };
  if (kept_ != nullptr && --kept_->live_scratches == 0 &&
      std::all_of(journal_.begin(), journal_.end(), whole_take)) {
    for (const ScratchChange& c : journal_) {
      if (c.node.valid()) kept_->slices.push_back({c.node, c.mask});
    }
  } else {
    rollback(0);
  }
  lend_journal();
}

void FreeCapacity::lend_journal() {
  if (kept_ == nullptr) return;
  journal_.clear();
  // Scratches alive at once each have their own; the largest buffer is kept.
  if (journal_.capacity() > kept_->spare_journal.capacity()) kept_->spare_journal.swap(journal_);
}

void KeptTakes::undo(CapacityIndex& index) {
  for (auto it = slices.rbegin(); it != slices.rend(); ++it) index.release(it->node, it->gpus);
  slices.clear();
}

std::uint64_t FreeCapacity::free_for(const JobSpec& job) const {
  if (job.allowed_types.empty()) return total_free();
  std::uint64_t n = 0;
  for (GpuTypeId t : job.allowed_types) n += index_->type_free(t) + index_->type_shared(t);
  return n;
}

std::uint64_t FreeCapacity::usable_free(float gpu_utilisation) const {
  // A share draws a fraction of a GPU's power: no whole-GPU bound holds for it.
  if (!sites_ || !sites_->power->any_cap() || index_->sharing()) return total_free();
  if (usable_.version == version_ && usable_.utilisation == gpu_utilisation) return usable_.gpus;
  const Fleet& fleet = *sites_->fleet;
  std::uint64_t usable = 0;
  for (std::size_t s = 0; s < topology().sites().size(); ++s) {
    const SiteId site{s};
    if (closed(site)) continue;
    std::uint64_t free = 0;
    Milliwatts least_extra = std::numeric_limits<Milliwatts>::max();
    for (std::size_t t = 0; t < index_->type_count(); ++t) {
      const std::uint64_t n =
          index_->site_free(site, GpuTypeId{t}) - listed_free(site, GpuTypeId{t});
      if (n == 0) continue;
      free += n;
      least_extra = std::min(least_extra,
                             busy_extra_mw(fleet.catalog.type(GpuTypeId{t}), gpu_utilisation));
    }
    const Milliwatts headroom = power_headroom(site);
    if (free > 0 && headroom != PowerLedger::kUncapped && least_extra > 0) {
      const Milliwatts powered = std::max<Milliwatts>(0, headroom / least_extra);
      free = std::min(free, static_cast<std::uint64_t>(powered));
    }
    usable += free;
  }
  usable_ = {version_, gpu_utilisation, usable};
  return usable;
}

std::optional<Allocation> FreeCapacity::take(const JobSpec& job) {
  return take_with(*placement_, job);
}

std::size_t FreeCapacity::FailedHash::operator()(const Failed& f) const {
  std::uint64_t h = reinterpret_cast<std::uintptr_t>(f.placement);
  for (std::uint64_t v : {f.shape.sites, f.shape.types,
                          std::uint64_t{f.shape.gpus} << 32 | f.shape.data_site,
                          std::uint64_t{f.shape.gpu_milli}}) {
    h = (h ^ v) * 0x100000001b3ULL;  // FNV-1a style mixing
    h ^= h >> 29;
  }
  return static_cast<std::size_t>(h);
}

std::optional<Allocation> FreeCapacity::take_with(const Placement& placement,
                                                  const JobSpec& job) {
  if (free_for(job) < job.gpus) return std::nullopt;  // the common "does not fit" case: O(types)
  std::optional<Failed> key;
  if (const std::optional<JobShape> shape = JobShape::of(job); shape && shape_decides_fit()) {
    key = Failed{&placement, *shape};
  }
  if (key) {
    if (auto it = failed_.find(*key); it != failed_.end() && job.gpu_utilisation >= it->second) {
      ++memo_hits_;
      return std::nullopt;
    }
  }
  std::optional<Allocation> a =
      job.gpu_milli < 1000 ? place_share(placement, job) : place_job(placement, job);
  if (!a && key) {
    auto [it, inserted] = failed_.try_emplace(*key, job.gpu_utilisation);
    if (!inserted) it->second = std::min(it->second, job.gpu_utilisation);
  }
  return a;
}

void FreeCapacity::hide_lazily(const std::vector<std::vector<NodeId>>& nodes_by_site) {
  lazily_hidden_ = &nodes_by_site;
  hidden_from_.assign(nodes_by_site.size(), kNotHidden);
  closed_.assign(nodes_by_site.size(), false);
  listed_counted_.assign(nodes_by_site.size(), false);
  listed_free_.assign(nodes_by_site.size() * index_->type_count(), 0);
  for (std::size_t s = 0; s < nodes_by_site.size(); ++s) {
    closed_[s] = !nodes_by_site[s].empty() &&
                 nodes_by_site[s].size() == topology().site_node_count(SiteId{s});
  }
  ++version_;  // usable_free leaves closed sites out
}

void FreeCapacity::stop_hiding() {
  lazily_hidden_ = nullptr;
  closed_.clear();
  ++version_;
  // Closed sites show again without a rollback that would forget failures: a job that failed
  // while they were closed may fit now.
  forget_failures();
}

std::uint64_t FreeCapacity::listed_free(SiteId site, GpuTypeId type) const {
  if (lazily_hidden_ == nullptr || site.index() >= hidden_from_.size() ||
      hidden_from_[site.index()] != kNotHidden) {
    return 0;
  }
  const std::size_t types = index_->type_count();
  if (!listed_counted_[site.index()]) {
    // Exact until the site is hidden: nothing else takes or releases GPUs at a site of a lazily
    // hiding scratch before hiding it (every change that could first hides every site).
    for (NodeId node : (*lazily_hidden_)[site.index()]) {
      listed_free_[site.index() * types + topology().node(node).type.index()] +=
          count_gpus(index_->free_mask(node));
    }
    listed_counted_[site.index()] = true;
  }
  return listed_free_[site.index() * types + type.index()];
}

bool FreeCapacity::closed(SiteId site) const {
  return site.index() < closed_.size() && closed_[site.index()];
}

void FreeCapacity::hide_site(SiteId site) {
  if (lazily_hidden_ == nullptr || site.index() >= hidden_from_.size()) return;
  std::size_t& from = hidden_from_[site.index()];
  if (from != kNotHidden) return;
  from = mark();
  for (NodeId node : (*lazily_hidden_)[site.index()]) {
    if (const std::uint64_t mask = index_->free_mask(node)) take(node, mask);
  }
}

void FreeCapacity::hide_every_site() {
  if (lazily_hidden_ == nullptr) return;
  for (std::size_t s = 0; s < hidden_from_.size(); ++s) hide_site(SiteId{s});
}

std::optional<Allocation> FreeCapacity::place_job(const Placement& placement,
                                                  const JobSpec& job) {
  PlacementRequest request{job.gpus, job.allowed_types, SiteId{}};
  if (!sites_) {
    hide_every_site();
    return placement.place(request, *this);
  }
  const std::size_t site_count = topology().sites().size();
  order_.clear();
  const bool may_split = sites_->fleet->cross_site.allowed && job.gpus > 1 && site_count > 1;
  if (selection_ == nullptr) {
    // The placement picks the site, as in a single-site fleet; if that site is not allowed or
    // lacks power, try the sites in id order instead.
    hide_every_site();
    const std::size_t before = mark();
    std::optional<Allocation> chosen = placement.place(request, *this);
    if (chosen) {
      const SiteId site = sites_->fleet->site_of(chosen->slices.front().node);
      if (allowed_at(job, site) && take_busy_power(job, *chosen, +1)) return chosen;
      undo_to(before);
    }
    if (site_count == 1 || (!chosen && !may_split)) return std::nullopt;
    for (std::size_t s = 0; s < site_count; ++s) order_.push_back(SiteId{s});
    if (!chosen) return split_across_sites(placement, job);  // no one site has the GPUs free
  } else {
    // Most jobs a deep queue's walk tries fit nowhere: say so in O(sites x types) before ranking.
    bool may_fit = false;
    for (std::size_t s = 0; s < site_count && !may_fit; ++s) {
      may_fit = allowed_at(job, SiteId{s}) && !closed(SiteId{s}) && site_may_fit(job, SiteId{s});
    }
    if (!may_fit && !may_split) return std::nullopt;
    if (lazily_hidden_ != nullptr && selection_->reads_free_gpus()) {
      for (std::size_t s = 0; s < site_count; ++s) {
        if (allowed_at(job, SiteId{s})) hide_site(SiteId{s});
      }
    }
    selection_->rank(job, *sites_, order_);
    if (!may_fit) return split_across_sites(placement, job);
  }
  for (SiteId site : order_) {
    if (!allowed_at(job, site)) continue;
    if (lazily_hidden_ != nullptr) {
      // Only a site the job could fit at without its listed GPUs is worth hiding them at.
      if (closed(site) || !site_may_fit(job, site)) continue;
      hide_site(site);
    }
    if (std::optional<Allocation> a = take_at(placement, job, request, site)) return a;
  }
  if (!may_split) return std::nullopt;
  return split_across_sites(placement, job);
}

std::optional<Allocation> FreeCapacity::place_share(const Placement& placement,
                                                   const JobSpec& job) {
  hide_every_site();
  if (!sites_) return share_at(placement, job, SiteId{});
  order_.clear();
  if (selection_ == nullptr) {
    for (std::size_t s = 0; s < topology().sites().size(); ++s) order_.push_back(SiteId{s});
  } else {
    selection_->rank(job, *sites_, order_);
  }
  for (SiteId site : order_) {
    if (!allowed_at(job, site)) continue;
    if (std::optional<Allocation> a = share_at(placement, job, site)) return a;
  }
  return std::nullopt;
}

std::optional<Allocation> FreeCapacity::share_at(const Placement& placement, const JobSpec& job,
                                                 SiteId site) {
  const Topology& topo = topology();
  const detail::NodeRange range = site.valid()
                                      ? detail::nodes_of_site(topo, site)
                                      : detail::NodeRange{NodeId{0}, NodeId{topo.nodes().size()}};
  NodeId best_node;
  std::uint32_t best_bit = 0;
  std::uint32_t best_room = 1001;
  const auto search = [&](GpuTypeId t) {
    for (NodeId n = index_->find_node_with_shared(t, range.lo, range.hi); n.valid();
         n = index_->find_node_with_shared(t, NodeId{n.value + 1}, range.hi)) {
      for (std::uint64_t m = index_->shared_mask(n); m != 0; m &= m - 1) {
        const auto bit = static_cast<std::uint32_t>(std::countr_zero(m));
        const std::uint32_t room = 1000 - index_->share_used(n, bit);
        if (room < best_room && index_->share_fits(n, bit, job.gpu_milli)) {
          best_node = n;
          best_bit = bit;
          best_room = room;
        }
      }
    }
  };
  if (index_->total_shared() > 0) {
    if (job.allowed_types.empty()) {
      for (std::size_t t = 0; t < index_->type_count(); ++t) search(GpuTypeId{t});
    } else {
      for (GpuTypeId t : job.allowed_types) search(t);
    }
  }
  const std::size_t before = mark();
  if (!best_node.valid()) {
    // No shared GPU has room: open a free one where the placement puts a 1-GPU job.
    std::optional<Allocation> one = placement.place({1, job.allowed_types, site}, *this);
    if (!one) return std::nullopt;
    const NodeSlice chosen = one->slices.front();
    undo_to(before);
    best_node = chosen.node;
    best_bit = static_cast<std::uint32_t>(std::countr_zero(chosen.gpus));
  }
  take_share(best_node, best_bit, job.gpu_milli);
  Allocation a;
  a.slices.push_back({best_node, std::uint64_t{1} << best_bit});
  if (!take_busy_power(job, a, +1)) {
    undo_to(before);
    return std::nullopt;
  }
  return a;
}

std::optional<Allocation> FreeCapacity::split_across_sites(const Placement& placement,
                                                           const JobSpec& job) {
  hide_every_site();
  const Fleet& fleet = *sites_->fleet;
  std::uint64_t ranked = 0;  // allowed sites the ranking offers
  for (SiteId site : order_) {
    if (allowed_at(job, site)) ranked |= std::uint64_t{1} << site.index();
  }
  if (count_gpus(ranked) < 2) return std::nullopt;
  // The types to split on: by default only those no single site could ever hold the gang of,
  // judged as the loader's feasibility check does (over every allowed site, whatever the ranking).
  split_types_.clear();
  const std::size_t site_count = topology().sites().size();
  const auto consider = [&](GpuTypeId t) {
    if (fleet.cross_site.split == CrossSiteGangs::Split::Oversized) {
      for (std::size_t s = 0; s < site_count; ++s) {
        if (allowed_at(job, SiteId{s}) &&
            gang_capacity_at(fleet, job, SiteId{s}, t) >= job.gpus) {
          return;
        }
      }
    }
    split_types_.push_back(t);
  };
  if (job.allowed_types.empty()) {
    for (std::size_t t = 0; t < index_->type_count(); ++t) consider(GpuTypeId{t});
  } else {
    for (GpuTypeId t : job.allowed_types) consider(t);
  }
  if (split_types_.empty()) return std::nullopt;
  for (SiteId anchor : order_) {
    if ((ranked >> anchor.index() & 1U) == 0) continue;
    cross_site_group(fleet, anchor, ranked, group_);
    if (group_.size() < 2) continue;
    for (GpuTypeId t : split_types_) {
      if (std::optional<Allocation> a = take_split(placement, job, t)) return a;
    }
  }
  return std::nullopt;
}

std::optional<Allocation> FreeCapacity::take_split(const Placement& placement,
                                                   const JobSpec& job, GpuTypeId type) {
  std::uint64_t powered = 0;
  for (SiteId site : group_) powered += powered_free(site, type, job.gpu_utilisation);
  if (powered < job.gpus) return std::nullopt;
  const std::size_t before = mark();
  const GpuTypeId only_type[] = {type};
  Allocation gang;
  std::uint32_t left = job.gpus;
  // Nearest sites first, each as full as it allows: the fewest sites at the lowest RTT.
  for (SiteId site : group_) {
    const auto part = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(left, powered_free(site, type, job.gpu_utilisation)));
    if (part == 0) continue;
    std::optional<Allocation> a = placement.place({part, only_type, site}, *this);
    if (!a) continue;  // the placement found no shape for this part here: try the next site
    gang.slices.insert(gang.slices.end(), a->slices.begin(), a->slices.end());
    left -= part;
    if (left == 0) break;
  }
  if (left > 0 || !take_busy_power(job, gang, +1)) {
    undo_to(before);
    return std::nullopt;
  }
  return gang;
}

std::uint64_t FreeCapacity::powered_free(SiteId site, GpuTypeId type, float gpu_utilisation) const {
  const std::uint64_t free = index_->site_free(site, type);
  if (free == 0 || !sites_->power->any_cap()) return free;
  const Milliwatts headroom = power_headroom(site);
  const Milliwatts per_gpu = busy_extra_mw(sites_->fleet->catalog.type(type), gpu_utilisation);
  if (headroom == PowerLedger::kUncapped || per_gpu <= 0) return free;
  return std::min(free, static_cast<std::uint64_t>(std::max<Milliwatts>(0, headroom / per_gpu)));
}

std::optional<Allocation> FreeCapacity::take_at(const Placement& placement, const JobSpec& job,
                                                PlacementRequest request, SiteId site) {
  if (!site_may_fit(job, site)) return std::nullopt;
  request.site = site;
  const std::size_t before = mark();
  std::optional<Allocation> a = placement.place(request, *this);
  if (!a) return std::nullopt;
  if (!take_busy_power(job, *a, +1)) {
    undo_to(before);
    return std::nullopt;
  }
  return a;
}

bool FreeCapacity::site_may_fit(const JobSpec& job, SiteId site) const {
  Milliwatts headroom = PowerLedger::kUncapped;
  if (sites_->power->any_cap()) headroom = power_headroom(site);
  // A gang is of one GPU type: it fits only if some allowed type has the GPUs free here and
  // the power for all of them (the sum take_busy_power checks after a placement).
  const Fleet& fleet = *sites_->fleet;
  const auto fits = [&](GpuTypeId t) {
    return index_->site_free(site, t) - listed_free(site, t) >= job.gpus &&
           (headroom == PowerLedger::kUncapped ||
            busy_extra_mw(fleet.catalog.type(t), job.gpu_utilisation, job.gpu_milli) * job.gpus <=
                headroom);
  };
  if (!job.allowed_types.empty()) {
    return std::any_of(job.allowed_types.begin(), job.allowed_types.end(), fits);
  }
  for (std::size_t t = 0; t < index_->type_count(); ++t) {
    if (fits(GpuTypeId{t})) return true;
  }
  return false;
}

bool FreeCapacity::ranked_sites(const JobSpec& job, std::vector<SiteId>& order) const {
  if (!sites_ || selection_ == nullptr) return false;
  // A ranking may count the GPUs of sites not hidden yet (a policy choosing GPUs itself has no
  // use for lazy hiding anyway).
  FLEETSIM_CHECK(lazily_hidden_ == nullptr, "ranked_sites while hiding GPUs lazily");
  order.clear();
  selection_->rank(job, *sites_, order);
  std::erase_if(order, [&](SiteId site) { return !allowed_at(job, site); });
  return true;
}

bool FreeCapacity::allowed_at(const JobSpec& job, SiteId site) const {
  if (!job.may_run_at(site)) return false;
  return !job.stages_data() || sites_->fleet->wan.reachable(job.data_site, site);
}

bool FreeCapacity::take_busy_power(const JobSpec& job, const Allocation& gpus, int sign) {
  if (!sites_ || !sites_->power->any_cap()) return true;  // nothing to account or check
  const Fleet& fleet = *sites_->fleet;
  for (const NodeSlice& s : gpus.slices) {
    take_power(fleet.site_of(s.node), sign * slice_busy_power(fleet, job, s));
  }
  if (sign < 0) return true;
  return std::all_of(gpus.slices.begin(), gpus.slices.end(), [&](const NodeSlice& s) {
    return power_headroom(fleet.site_of(s.node)) >= 0;
  });
}

Milliwatts FreeCapacity::power_headroom(SiteId site) const {
  const Milliwatts headroom = sites_->power->headroom(site);
  if (headroom == PowerLedger::kUncapped) return headroom;
  return headroom - (power_taken_.empty() ? 0 : power_taken_[site.index()]);
}

void FreeCapacity::take_power(SiteId site, Milliwatts power) {
  if (power == 0) return;
  if (power_taken_.empty()) power_taken_.assign(topology().sites().size(), 0);
  power_taken_[site.index()] += power;
  journal_.push_back({NodeId{}, 0, true, site, power});
  ++version_;
}

void FreeCapacity::release(const Job& job) { release_decided(job.spec, job.allocation); }

void FreeCapacity::release_decided(const JobSpec& job, const Allocation& gpus) {
  hide_every_site();
  if (gpus.empty()) return;
  if (job.gpu_milli < 1000) {
    const NodeSlice& s = gpus.slices.front();
    release_share(s.node, static_cast<std::uint32_t>(std::countr_zero(s.gpus)), job.gpu_milli);
  } else {
    release(gpus);
  }
  take_busy_power(job, gpus, -1);
}

void FreeCapacity::release(const Allocation& allocation) {
  hide_every_site();
  for (const NodeSlice& s : allocation.slices) release(s.node, s.gpus);
}

bool FreeCapacity::may_fit_with(const JobSpec& job, const std::vector<const Job*>& released) const {
  if (!bounds_fit(job)) return true;
  count_fit_free(job);
  const Fleet& fleet = *sites_->fleet;
  const std::size_t types = index_->type_count();
  const bool capped = sites_->power->any_cap();
  for (const Job* victim : released) {
    for (const NodeSlice& slice : victim->allocation.slices) {
      const GpuTypeId type = fleet.topology.node(slice.node).type;
      const SiteId site = fleet.site_of(slice.node);
      if (!fit_open(job, site)) continue;
      if (job.allows_type(type)) {
        fit_gpus_[site.index() * types + type.index()] += count_gpus(slice.gpus);
      }
      if (capped) fit_power_[site.index()] += slice_busy_power(fleet, victim->spec, slice);
    }
  }
  return fits_counted(job);
}

bool FreeCapacity::may_fit_with(const JobSpec& job, const ReleasableGpus& released) const {
  if (!bounds_fit(job)) return true;
  count_fit_free(job);
  const std::size_t types = index_->type_count();
  for (std::size_t s = 0; s < fit_power_.size(); ++s) {
    if (!fit_open(job, SiteId{s})) continue;
    for (std::size_t t = 0; t < types; ++t) {
      if (!job.allows_type(GpuTypeId{t})) continue;
      fit_gpus_[s * types + t] += released.gpus(SiteId{s}, GpuTypeId{t});
      fit_power_[s] += released.power(SiteId{s}, GpuTypeId{t});
    }
  }
  return fits_counted(job);
}

bool FreeCapacity::bounds_fit(const JobSpec& job) const {
  // A plain scratch (no sites, no power) is no policy's: it gets no answer.
  return sites_ && job.gpu_milli >= 1000 && !index_->sharing();
}

// Where the gang's GPUs may come from: with a site selection, the sites open to the job;
// without one, the placement chooses over the whole fleet, so any site counts.
bool FreeCapacity::fit_open(const JobSpec& job, SiteId site) const {
  return selection_ == nullptr || allowed_at(job, site);
}

void FreeCapacity::count_fit_free(const JobSpec& job) const {
  const std::size_t types = index_->type_count();
  const std::size_t site_count = topology().sites().size();
  fit_gpus_.assign(site_count * types, 0);
  fit_power_.assign(site_count, 0);
  for (std::size_t s = 0; s < site_count; ++s) {
    if (!fit_open(job, SiteId{s})) continue;
    for (std::size_t t = 0; t < types; ++t) {
      if (job.allows_type(GpuTypeId{t})) {
        fit_gpus_[s * types + t] = index_->site_free(SiteId{s}, GpuTypeId{t});
      }
    }
  }
}

bool FreeCapacity::fits_counted(const JobSpec& job) const {
  const Fleet& fleet = *sites_->fleet;
  const std::size_t types = index_->type_count();
  const std::size_t site_count = fit_power_.size();
  // With a site selection, one site's GPUs, or with cross-site gangs one type's over several.
  const bool one_site = selection_ != nullptr &&
                        !(fleet.cross_site.allowed && job.gpus > 1 && site_count > 1);
  const bool capped = sites_->power->any_cap();
  for (std::size_t t = 0; t < types; ++t) {
    std::uint64_t over_sites = 0;
    for (std::size_t s = 0; s < site_count; ++s) {
      std::uint64_t here = fit_gpus_[s * types + t];
      if (here == 0) continue;
      if (capped) {  // as many as the site's headroom, with the released power back, runs busy
        const Milliwatts headroom = power_headroom(SiteId{s});
        const Milliwatts per_gpu =
            busy_extra_mw(fleet.catalog.type(GpuTypeId{t}), job.gpu_utilisation);
        if (headroom != PowerLedger::kUncapped && per_gpu > 0) {
          const Milliwatts powered = std::max<Milliwatts>(0, headroom + fit_power_[s]) / per_gpu;
          here = std::min(here, static_cast<std::uint64_t>(powered));
        }
      }
      if (one_site && here >= job.gpus) return true;
      over_sites += here;
    }
    if (!one_site && over_sites >= job.gpus) return true;
  }
  return false;
}

bool FreeCapacity::try_take_back(const Job& job) {
  hide_every_site();
  const std::size_t before = mark();
  if (job.spec.gpu_milli < 1000) {
    const NodeSlice& s = job.allocation.slices.front();
    const auto bit = static_cast<std::uint32_t>(std::countr_zero(s.gpus));
    if (!index_->share_fits(s.node, bit, job.spec.gpu_milli)) return false;
    take_share(s.node, bit, job.spec.gpu_milli);
  } else {
    for (const NodeSlice& s : job.allocation.slices) {
      if ((index_->free_mask(s.node) & s.gpus) != s.gpus) return false;
    }
    for (const NodeSlice& s : job.allocation.slices) take(s.node, s.gpus);
  }
  if (take_busy_power(job.spec, job.allocation, +1)) return true;
  undo_to(before);  // its sites lack the power now: it stays released
  return false;
}

bool FreeCapacity::take_chosen(const JobSpec& job, const Allocation& gpus) {
  const std::size_t before = mark();
  take_decided(job, gpus);
  if (!sites_ || !sites_->power->any_cap()) return true;
  const Fleet& fleet = *sites_->fleet;
  for (const NodeSlice& s : gpus.slices) {
    if (power_headroom(fleet.site_of(s.node)) < 0) {
      undo_to(before);
      return false;
    }
  }
  return true;
}

void FreeCapacity::take_decided(const JobSpec& job, const Allocation& gpus) {
  hide_every_site();
  if (gpus.empty()) return;
  if (job.gpu_milli < 1000) {
    const NodeSlice& s = gpus.slices.front();
    take_share(s.node, static_cast<std::uint32_t>(std::countr_zero(s.gpus)), job.gpu_milli);
  } else {
    for (const NodeSlice& s : gpus.slices) take(s.node, s.gpus);
  }
  take_busy_power(job, gpus, +1);
}

void FreeCapacity::take(NodeId node, std::uint64_t mask) {
  index_->take(node, mask);
  journal_.push_back({node, mask, true, SiteId{}, 0});
  ++version_;
}

void FreeCapacity::release(NodeId node, std::uint64_t mask) {
  forget_failures();  // more free GPUs: a job that failed may fit now
  index_->release(node, mask);
  journal_.push_back({node, mask, false, SiteId{}, 0});
  ++version_;
}

void FreeCapacity::take_share(NodeId node, std::uint32_t bit, std::uint32_t milli) {
  const std::uint64_t gpu = std::uint64_t{1} << bit;
  FLEETSIM_CHECK(index_->share_fits(node, bit, milli), "share of {} on node {} GPU {} does not fit",
                 milli, node.value, bit);
  if ((index_->free_mask(node) & gpu) != 0) take(node, gpu);
  index_->add_share(node, bit, milli);
  journal_.push_back({node, gpu, true, SiteId{}, 0, milli});
  ++version_;
}

void FreeCapacity::release_share(NodeId node, std::uint32_t bit, std::uint32_t milli) {
  forget_failures();  // more room: a job that failed may fit now
  const std::uint64_t gpu = std::uint64_t{1} << bit;
  const bool emptied = index_->remove_share(node, bit, milli);
  journal_.push_back({node, gpu, false, SiteId{}, 0, milli});
  ++version_;
  // A failed GPU stays out of the free masks with its last share gone (as in the engine).
  if (emptied && (index_->unshareable_mask(node) & gpu) == 0) release(node, gpu);
}

void FreeCapacity::rollback(std::size_t mark) {
  // Undoing a take leaves more room, so a job that failed may fit now. Undoing only releases
  // (preemption planning tries victims' GPUs and gives them back) leaves less, and every
  // failure still holds: forgetting them then made each later job of a failed shape place again.
  for (std::size_t i = mark; i < journal_.size(); ++i) {
    const ScratchChange& c = journal_[i];
    if (c.node.valid() ? c.taken : c.power > 0) {
      forget_failures();
      break;
    }
  }
  undo_to(mark);
}

void FreeCapacity::forget_failures() {
  // clear() costs the bucket count even when empty; preemption planning releases often.
  if (!failed_.empty()) failed_.clear();
}

void FreeCapacity::undo_to(std::size_t mark) {
  while (journal_.size() > mark) {
    const ScratchChange& c = journal_.back();
    if (!c.node.valid()) {
      power_taken_[c.site.index()] -= c.power;
    } else if (c.milli > 0) {
      const auto bit = static_cast<std::uint32_t>(std::countr_zero(c.mask));
      if (c.taken) {
        index_->remove_share(c.node, bit, c.milli);
      } else {
        index_->add_share(c.node, bit, c.milli);
      }
    } else if (c.taken) {
      index_->release(c.node, c.mask);
    } else {
      index_->take(c.node, c.mask);
    }
    journal_.pop_back();
    ++version_;
  }
  if (lazily_hidden_ != nullptr) {
    for (std::size_t& from : hidden_from_) {
      if (from != kNotHidden && from >= mark) from = kNotHidden;
    }
  }
}

std::uint64_t lowest_bits(std::uint64_t mask, std::uint32_t count) {
  std::uint64_t out = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t bit = mask & (~mask + 1);
    out |= bit;
    mask &= mask - 1;
  }
  return out;
}

}  // namespace fleetsim
