// The engine's mutable state that policies read through SchedulerView: jobs, the queue, the
// running set and the free-capacity index. Only the engine writes it.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/policy.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class SchedulerState {
 public:
  SchedulerState(const Fleet& fleet_in, const Placement& placement_in, Duration overhead)
      : fleet(&fleet_in),
        placement(&placement_in),
        capacity(fleet_in.topology),
        preempt_overhead(overhead) {}

  const Fleet* fleet;
  const Placement* placement;
  CapacityIndex capacity;
  Duration preempt_overhead;
  SimTime now = 0;
  std::vector<Job> jobs;  // indexed by JobId; ids are given in arrival order

  // Queued jobs in id (= submit) order. Jobs that left the queue stay as tombstones until the
  // next compact(), so starting k jobs costs O(k) plus one O(queue) sweep per pass.
  std::vector<JobId> queue;
  std::size_t queue_tombstones = 0;
  // Running jobs (Draining jobs are neither queued nor running); O(1) insert and remove.
  std::vector<JobId> running;
  std::vector<std::uint32_t> running_pos;  // [job] -> index in `running`
  std::vector<JobChange> changes;

  void enqueue(JobId id);  // keeps id order (a requeued job goes back to its place)
  void compact_queue();
  void add_running(JobId id);
  void remove_running(JobId id);
};

}  // namespace fleetsim
