#include "sim/workload/feasibility.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace fleetsim {

Feasibility::Feasibility(const Fleet& fleet) : fleet_(&fleet) {
  const Topology& topo = fleet.topology;
  largest_by_type_.assign(fleet.catalog.size(), 0);
  for (const Site& site : topo.sites()) {
    std::vector<std::uint64_t> per_type(fleet.catalog.size(), 0);
    for (std::uint32_t c = 0; c < site.cluster_count; ++c) {
      const Cluster& cluster = topo.cluster(ClusterId{site.first_cluster.value + c});
      for (std::uint32_t r = 0; r < cluster.rack_count; ++r) {
        const Rack& rack = topo.rack(RackId{cluster.first_rack.value + r});
        per_type[rack.type.index()] += rack.gpu_count;
      }
    }
    for (std::size_t t = 0; t < per_type.size(); ++t) {
      largest_by_type_[t] = std::max(largest_by_type_[t], per_type[t]);
    }
  }
}

std::uint64_t Feasibility::largest_gang(const JobSpec& job) const {
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
                          "(one GPU type{}, one site) has {}",
                          job.name, job.gpus, job.allowed_types.empty() ? "" : " it may use",
                          largest);
  }
}

void Feasibility::check_generator(const SyntheticConfig& config) const {
  JobSpec largest;
  largest.name = "largest generated job";
  for (std::uint32_t g : config.gpu_values) largest.gpus = std::max(largest.gpus, g);
  for (const std::string& name : config.allowed_gpu_types) {
    const std::optional<GpuTypeId> type = fleet_->catalog.find(name);
    FLEETSIM_CHECK(type.has_value(), "loader let through GPU type {}", name);
    largest.allowed_types.push_back(*type);
  }
  check(largest, config.gpus_origin);
}

}  // namespace fleetsim
