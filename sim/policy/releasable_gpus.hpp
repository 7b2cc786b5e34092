// What releasing a set of running jobs would give back, per (site, GPU type): their GPUs, and
// the power those draw above idle. A policy keeps it up to date as jobs join and leave the set
// (gittins: the preemptible jobs below its top queue; themis: a lease boundary's victims), so
// that FreeCapacity::may_fit_with can say whether releasing them all could fit a job in
// O(sites x types), without reading them.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "sim/core/ids.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/model/power.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

// What a job draws above idle on one slice of its GPUs: what FreeCapacity takes for it, so
// what releasing it gives back.
inline Milliwatts slice_busy_power(const Fleet& fleet, const JobSpec& job,
                                   const NodeSlice& slice) {
  const GpuType& type = fleet.catalog.type(fleet.topology.node(slice.node).type);
  return busy_extra_mw(type, job.gpu_utilisation, job.gpu_milli) * count_gpus(slice.gpus);
}

class ReleasableGpus {
 public:
  explicit ReleasableGpus(const Fleet& fleet);

  // Adds a running job's current allocation; a job already in the set is replaced. O(slices).
  void add(JobId id, const Job& job);
  // Takes the job out (what it held when added); no-op for a job not in the set. O(its sites).
  void remove(JobId id);
  std::size_t size() const { return shares_.size(); }

  std::uint64_t gpus(SiteId site, GpuTypeId type) const { return gpus_[slot(site, type)]; }
  Milliwatts power(SiteId site, GpuTypeId type) const { return power_[slot(site, type)]; }

 private:
  struct Share {  // a job's GPUs at one (site, type)
    std::uint32_t slot;
    std::uint32_t gpus;
    Milliwatts power;
  };
  std::size_t slot(SiteId site, GpuTypeId type) const {
    return site.index() * types_ + type.index();
  }

  const Fleet* fleet_;
  std::size_t types_;
  std::vector<std::uint64_t> gpus_;  // [site x types + type]
  std::vector<Milliwatts> power_;    // [site x types + type]
  std::unordered_map<JobId, boost::container::small_vector<Share, 1>> shares_;
};

}  // namespace fleetsim
