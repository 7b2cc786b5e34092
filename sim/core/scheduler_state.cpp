#include "sim/core/scheduler_state.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace fleetsim {

void SchedulerState::enqueue(JobId id) {
  const bool added = queue.insert(id);
  FLEETSIM_CHECK(added, "job {} queued twice", id.value);
}

void SchedulerState::add_running(JobId id) {
  // Grown by doubling: each arrival has a new id, and a resize per start was a measurable cost.
  if (running_pos.size() <= id.index()) {
    running_pos.resize(std::max(jobs.size(), 2 * running_pos.size()));
  }
  running_pos[id.index()] = static_cast<std::uint32_t>(running.size());
  running.push_back(id);
}

void SchedulerState::remove_running(JobId id) {
  const std::uint32_t pos = running_pos[id.index()];
  FLEETSIM_CHECK(pos < running.size() && running[pos] == id, "job {} is not running", id.value);
  running[pos] = running.back();
  running_pos[running[pos].index()] = pos;
  running.pop_back();
}

}  // namespace fleetsim
