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
      return Phase::Completion;
    case EventKind::JobArrival:
      return Phase::Arrival;
    case EventKind::ScheduleRound:
      return Phase::Schedule;
    case EventKind::Sample:
      return Phase::Sample;
  }
  return Phase::Sample;
}

}  // namespace fleetsim
