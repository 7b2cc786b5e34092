// A calendar entry: small and plain, so the heap moves 32 bytes per swap.
// Order is total: (time, phase, seq). The phase encodes what must happen first at one instant.
#pragma once

#include <cstdint>

#include "sim/core/time.hpp"

namespace fleetsim {

// Same-instant order: GPUs are released before new jobs arrive, and every arrival is in the
// queue before the policy is asked to schedule; samples see the state after scheduling. A cap
// change comes with the arrivals: after the instant's finishes and releases (fewer sheds), before
// its pass.
enum class Phase : std::uint8_t { Completion = 0, Arrival = 1, Schedule = 2, Sample = 3 };

enum class EventKind : std::uint8_t {
  JobFinish,      // index = job; epoch must match the job's run epoch, else it is stale
  GpusReleased,   // index = job; a preempted job's GPUs come free after the preemption overhead
  JobArrival,     // the workload source's next job is due
  ScheduleRound,  // the policy asked to be woken (periodic rounds, thresholds)
  Sample,         // time-series sample
  ComponentFailure,  // index = failure process, epoch = component of its level
  ComponentRepair,   // the same component is usable again
  CapacityOffline,   // index = the fleet's capacity window whose racks go out of service
  CapacityOnline,    // the same window's racks come (back) into service
  ServiceUpdate,     // index = inference service, epoch = ServiceUpdateKind (start, evaluate, end)
  ReplicaReady,      // index = replica job, epoch = its run epoch: its start time is over
  JobRelease,        // index = a held job: it enters the queue (as if it arrived now)
  CapChange,         // index = site: its IT power cap profile steps to another value
};

struct Event {
  SimTime time = 0;
  std::uint64_t order = 0;  // (phase << 56) | insertion sequence, assigned by EventQueue
  EventKind kind = EventKind::JobArrival;
  std::uint32_t index = 0;
  std::uint32_t epoch = 0;

  Phase phase() const { return static_cast<Phase>(order >> 56); }
  friend bool operator<(const Event& a, const Event& b) {
    return a.time != b.time ? a.time < b.time : a.order < b.order;
  }
};

Phase phase_of(EventKind kind);

}  // namespace fleetsim
