// The engine's mutable state that policies read through SchedulerView: jobs, the queue, the
// running set, the free-capacity index and the sites' power. Only the engine writes it.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/job_queue.hpp"
#include "sim/core/job_table.hpp"
#include "sim/core/power_ledger.hpp"
#include "sim/core/time.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/policy.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class SchedulerState {
 public:
  SchedulerState(const Fleet& fleet_in, const Placement& placement_in, Duration overhead,
                 bool keep_finished_jobs = true)
      : fleet(&fleet_in),
        placement(&placement_in),
        capacity(fleet_in.topology),
        power(fleet_in),
        preempt_overhead(overhead),
        jobs(keep_finished_jobs) {}

  const Fleet* fleet;
  const Placement* placement;
  const SiteSelection* site_selection = nullptr;  // nullptr: the placement chooses the site
  CapacityIndex capacity;
  PowerLedger power;  // each site's draw against its cap, and the energy so far
  Duration preempt_overhead;
  SimTime now = 0;
  JobTable jobs;  // by JobId; ids are given in arrival order

  // Queued jobs in id (= submit) order: O(1) to add or remove one, so a pass that starts k jobs
  // never pays O(queue) for the engine's bookkeeping.
  JobQueue queue;
  // Running jobs (Draining jobs are neither queued nor running); O(1) insert and remove.
  std::vector<JobId> running;
  std::vector<std::uint32_t> running_pos;  // [job] -> index in `running`
  std::vector<JobChange> changes;
  KeptTakes kept_takes;  // what the policy's scratch left taken this pass (free_capacity.hpp)

  void enqueue(JobId id);  // a requeued job goes back to its submit-order place
  void add_running(JobId id);
  void remove_running(JobId id);
};

}  // namespace fleetsim
