// Hooks through which metrics collectors watch a run. Observers get const state and must never
// change it; the engine calls them in event order, so what they record is deterministic.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class FailureModel;  // sim/failure/failure_model.hpp

// One site at a sample instant.
struct SiteSample {
  std::uint64_t online_gpus = 0;  // built and not in maintenance
  std::uint64_t allocated_gpus = 0;
  double it_power_mw = 0;
  double facility_power_mw = 0;  // IT x PUE
  double cap_mw = 0;             // IT cap; infinity when uncapped
  double carbon_g_per_kwh = 0;
  double price_usd_per_mwh = 0;
};

// The fleet-wide state at a sample instant (after that instant's scheduling pass).
struct SampleState {
  SimTime time = 0;
  std::uint64_t allocated_gpus = 0;  // held by running and draining jobs
  std::uint64_t total_gpus = 0;
  std::uint64_t queued_jobs = 0;
  std::uint64_t running_jobs = 0;
  std::uint64_t finished_jobs = 0;
  std::vector<SiteSample> sites;  // [site]
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_arrival(const Job& /*job*/, SimTime /*now*/) {}
  virtual void on_start(const Job& /*job*/, SimTime /*now*/) {}
  virtual void on_preempt(const Job& /*job*/, SimTime /*now*/) {}
  // A cap drop (or racks back online over the cap) ended the busy draw of a draining job, just
  // preempted or draining already; it keeps its GPUs until its release.
  virtual void on_power_cut(const Job& /*job*/, SimTime /*now*/) {}
  virtual void on_finish(const Job& /*job*/, SimTime /*now*/) {}
  // A failure took one of the job's GPUs; it is back in the queue (lost work already deducted).
  virtual void on_interrupt(const Job& /*job*/, SimTime /*now*/) {}
  virtual void on_sample(const SampleState& /*state*/) {}
  // An inference replica was stopped by its service (scale-down or end of its lifetime), from
  // the queue or holding GPUs; it is Done and holds none.
  virtual void on_stop(const Job& /*job*/, SimTime /*now*/) {}
  // A component failure of `process` (one of `failures`' processes; the component's GPUs are
  // failures.gpus_of(process, component)), told before the engine acts on it. `takes_effect` is
  // false when every rack of the component is offline: nothing goes down and the failure counts
  // in FailureTotals::failures_while_offline. Otherwise its GPUs are down until its repair, and
  // each job running on one is interrupted next, at this instant. Draws the model thins (the
  // component already down for this process) are not told.
  virtual void on_failure(const FailureModel& /*failures*/, std::uint32_t /*process*/,
                          std::uint32_t /*component*/, bool /*takes_effect*/, SimTime /*now*/) {}
  // The repair of a failure told by on_failure (whether or not it took effect): its GPUs are up
  // again, unless another failure still holds them down.
  virtual void on_repair(const FailureModel& /*failures*/, std::uint32_t /*process*/,
                         std::uint32_t /*component*/, SimTime /*now*/) {}
};

}  // namespace fleetsim
