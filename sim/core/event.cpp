#include "sim/core/event.hpp"

namespace fleetsim {

Phase phase_of(EventKind kind) {
  switch (kind) {
    case EventKind::JobFinish:
    case EventKind::GpusReleased:
    case EventKind::ComponentFailure:
    case EventKind::ComponentRepair:
    case EventKind::CapacityOffline:
    case EventKind::CapacityOnline:
    case EventKind::ReplicaReady:
      return Phase::Completion;
    case EventKind::ServiceUpdate:  // replicas asked for before the instant's pass
      return Phase::Arrival;
    case EventKind::JobArrival:
    case EventKind::JobRelease:
    case EventKind::CapChange:
      return Phase::Arrival;
    case EventKind::ScheduleRound:
      return Phase::Schedule;
    case EventKind::Sample:
      return Phase::Sample;
  }
  return Phase::Sample;
}

}  // namespace fleetsim
