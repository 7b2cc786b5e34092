#include "sim/workload/feasibility.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "sim/fleet/cross_site_group.hpp"
#include "sim/model/power.hpp"

namespace fleetsim {

Feasibility::Feasibility(const Fleet& fleet) : fleet_(&fleet) {
  const Topology& topo = fleet.topology;
  largest_by_type_.assign(fleet.catalog.size(), 0);
  for (std::size_t s = 0; s < topo.sites().size(); ++s) {
    for (std::size_t t = 0; t < largest_by_type_.size(); ++t) {
      largest_by_type_[t] = std::max(largest_by_type_[t], topo.site_gpus(SiteId{s}, GpuTypeId{t}));
    }
    any_cap_ = any_cap_ || fleet.energy(SiteId{s}).capped();
  }
  simple_ = topo.sites().size() == 1 && !any_cap_;
}

std::uint64_t Feasibility::usable_sites(const JobSpec& job) const {
  std::uint64_t mask = job.allowed_sites;
  if (job.stages_data()) {
    for (std::size_t s = 0; s < fleet_->topology.sites().size(); ++s) {
      if (!fleet_->wan.reachable(job.data_site, SiteId{s})) mask &= ~(std::uint64_t{1} << s);
    }
  }
  return mask;
}

std::uint64_t gang_capacity_at(const Fleet& fleet, const JobSpec& job, SiteId site, GpuTypeId type) {
  const Topology& topo = fleet.topology;
  const std::uint64_t gpus = topo.site_gpus(site, type);
  const double cap_mw = fleet.energy(site).it_cap_mw.max_value();
  if (!std::isfinite(cap_mw) || gpus == 0) return gpus;
  // With every GPU of the site powered (idle), what the cap leaves for busy power.
  double idle_mw = 0;
  for (std::size_t t = 0; t < fleet.catalog.size(); ++t) {
    idle_mw += to_mw(powered_draw_mw(fleet.catalog.type(GpuTypeId{t}))) *
               static_cast<double>(topo.site_gpus(site, GpuTypeId{t}));
  }
  const double per_gpu_mw = to_mw(busy_extra_mw(fleet.catalog.type(type), job.gpu_utilisation));
  if (per_gpu_mw <= 0) return gpus;
  const double by_power = std::max(0.0, (cap_mw - idle_mw) / per_gpu_mw);
  // Compared as doubles first: a huge finite cap would overflow the conversion (the fuzzer's
  // power_cap_mw of 1e40).
  if (by_power >= static_cast<double>(gpus)) return gpus;
  return static_cast<std::uint64_t>(by_power);
}

std::uint64_t Feasibility::largest_gang(const JobSpec& job) const {
  if (!simple_ || job.allowed_sites != JobSpec::kAnySite || job.stages_data()) {
    const std::uint64_t sites = usable_sites(job);
    const std::size_t site_count = fleet_->topology.sites().size();
    std::vector<SiteId> group;
    std::uint64_t best = 0;
    const auto consider = [&](GpuTypeId t) {
      for (std::size_t s = 0; s < site_count; ++s) {
        if ((sites >> s & 1U) == 0) continue;
        // The group FreeCapacity would split a gang over (just this site without cross-site
        // gangs).
        cross_site_group(*fleet_, SiteId{s}, sites, group);
        std::uint64_t gang = 0;
        for (SiteId member : group) gang += gang_capacity_at(*fleet_, job, member, t);
        best = std::max(best, gang);
      }
    };
    if (job.allowed_types.empty()) {
      for (std::size_t t = 0; t < fleet_->catalog.size(); ++t) consider(GpuTypeId{t});
    } else {
      for (GpuTypeId t : job.allowed_types) consider(t);
    }
    return best;
  }
  if (job.allowed_types.empty()) {
    if (largest_by_type_.empty()) return 0;
    return *std::max_element(largest_by_type_.begin(), largest_by_type_.end());
  }
  std::uint64_t best = 0;
  for (GpuTypeId t : job.allowed_types) best = std::max(best, largest_by_type_[t.index()]);
  return best;
}

void Feasibility::check(const JobSpec& job, const SourcePos& origin) const {
  if (job.gpus == 0) throw ConfigError::at(origin, "gpus", "job {} asks for 0 GPUs", job.name);
  const std::uint64_t largest = largest_gang(job);
  if (job.gpus > largest) {
    throw ConfigError::at(origin, "gpus",
                          "job {} needs {} GPUs but the largest placement the fleet allows "
                          "(one GPU type{}, {}{}{}) has {}",
                          job.name, job.gpus, job.allowed_types.empty() ? "" : " it may use",
                          fleet_->cross_site.allowed ? "sites within the cross-site RTT limit"
                                                     : "one site",
                          job.allowed_sites == JobSpec::kAnySite ? "" : " of its residency",
                          any_cap_ ? " within power caps" : "", largest);
  }
}

void Feasibility::check_generator(const SyntheticConfig& config) const {
  JobSpec largest;
  largest.name = "largest generated job";
  for (std::uint32_t g : config.gpu_values) largest.gpus = std::max(largest.gpus, g);
  largest.allowed_sites = config.residency_sites;  // every generated job's residency
  for (const std::string& name : config.allowed_gpu_types) {
    const std::optional<GpuTypeId> type = fleet_->catalog.find(name);
    FLEETSIM_CHECK(type.has_value(), "loader let through GPU type {}", name);
    largest.allowed_types.push_back(*type);
  }
  check(largest, config.gpus_origin);
}

}  // namespace fleetsim
