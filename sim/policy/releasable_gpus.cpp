#include "sim/policy/releasable_gpus.hpp"

#include <algorithm>

namespace fleetsim {

ReleasableGpus::ReleasableGpus(const Fleet& fleet)
    : fleet_(&fleet),
      types_(fleet.topology.gpus_by_type().size()),  // as CapacityIndex: the catalog's size
      gpus_(fleet.topology.sites().size() * types_, 0),
      power_(gpus_.size(), 0) {}

void ReleasableGpus::add(JobId id, const Job& job) {
  remove(id);
  auto& shares = shares_[id];
  for (const NodeSlice& slice : job.allocation.slices) {
    const auto at = static_cast<std::uint32_t>(
        slot(fleet_->site_of(slice.node), fleet_->topology.node(slice.node).type));
    const auto gpus = static_cast<std::uint32_t>(count_gpus(slice.gpus));
    const Milliwatts power = slice_busy_power(*fleet_, job.spec, slice);
    gpus_[at] += gpus;
    power_[at] += power;
    const auto same = std::find_if(shares.begin(), shares.end(),
                                   [&](const Share& s) { return s.slot == at; });
    if (same == shares.end()) {
      shares.push_back({at, gpus, power});
    } else {
      same->gpus += gpus;
      same->power += power;
    }
  }
}

void ReleasableGpus::remove(JobId id) {
  const auto it = shares_.find(id);
  if (it == shares_.end()) return;
  for (const Share& s : it->second) {
    gpus_[s.slot] -= s.gpus;
    power_[s.slot] -= s.power;
  }
  shares_.erase(it);
}

}  // namespace fleetsim
