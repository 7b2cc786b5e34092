// Whether a job can ever run on the fleet: its gang must fit in the largest placement the rules
// allow (one GPU type, one site of its residency that the WAN joins to its data, within the
// site's power cap; with cross-site gangs, sites of one cross_site_group.hpp group). A job that cannot is bad input, reported with its origin, not a job that
// waits forever. A cap that varies over time counts at the largest value it ever reaches: a job
// that fits then is feasible, even if it must wait (or is shed) while the cap is lower.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/workload/job.hpp"
#include "sim/workload/synthetic_config.hpp"

namespace fleetsim {

// GPUs of `type` at `site` the job could hold at once (every GPU built) within the site's largest
// power cap, the other GPUs idle.
std::uint64_t gang_capacity_at(const Fleet& fleet, const JobSpec& job, SiteId site, GpuTypeId type);

class Feasibility {
 public:
  explicit Feasibility(const Fleet& fleet);

  // Largest gang of an allowed type that fits in one allowed site, or with cross-site gangs in
  // one group of allowed sites within the RTT limit of each other (0 if none).
  std::uint64_t largest_gang(const JobSpec& job) const;
  // Whether the job can ever be placed: the cheap test the engine runs on every arrival.
  bool fits(const JobSpec& job) const { return job.gpus > 0 && job.gpus <= largest_gang(job); }
  // Throws ConfigError at `origin`, field "gpus", when the job can never be placed.
  void check(const JobSpec& job, const SourcePos& origin) const;
  // The largest gang the generator can draw must fit within the workload's residency, or a run
  // would fail part-way (or, for a rare size, only with some seeds). Throws as check() does, at
  // config.gpus_origin.
  // Precondition: the loader checked config.allowed_gpu_types against the catalog.
  void check_generator(const SyntheticConfig& config) const;

 private:
  // Sites the job may use: its residency, minus sites the WAN does not join to its data.
  std::uint64_t usable_sites(const JobSpec& job) const;

  const Fleet* fleet_;
  std::vector<std::uint64_t> largest_by_type_;  // [type]: max over sites of that type's GPUs
  bool any_cap_ = false;
  bool simple_ = true;  // one site and no power caps: largest_by_type_ answers everything
};

}  // namespace fleetsim
