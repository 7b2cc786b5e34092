#include "sim/core/scheduler_state.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace fleetsim {

void SchedulerState::enqueue(JobId id) {
  if (queue.empty() || queue.back() < id) {
    queue.push_back(id);  // the common case: a new arrival has the largest id so far
    return;
  }
  auto it = std::lower_bound(queue.begin(), queue.end(), id);
  FLEETSIM_CHECK(it == queue.end() || *it != id, "job {} queued twice", id.value);
  queue.insert(it, id);
}

void SchedulerState::compact_queue() {
  if (queue_tombstones == 0) return;
  std::erase_if(queue, [&](JobId id) { return jobs[id.index()].state != JobState::Queued; });
  queue_tombstones = 0;
}

void SchedulerState::add_running(JobId id) {
  if (running_pos.size() <= id.index()) running_pos.resize(jobs.size());
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
