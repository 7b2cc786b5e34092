#include "sim/core/job_table.hpp"

#include "sim/core/huge_pages.hpp"

namespace fleetsim {

void JobTable::reserve(std::size_t jobs) {
  // Also when finished jobs are dropped: the records then only fill as far as the most jobs in
  // the system at once, and the pages beyond are never touched, but the slots never move (a
  // move copies every record: boost's small_vector in Allocation has no noexcept move).
  slots_.reserve(jobs);
  advise_huge_pages(slots_.data(), slots_.capacity() * sizeof(Job));
  if (!keep_finished_) slot_of_.reserve(jobs);
}

JobId JobTable::id_of(const Job& job) const {
  const auto slot = static_cast<std::size_t>(&job - slots_.data());
  FLEETSIM_CHECK(slot < slots_.size(), "a job record outside the job table");
  return keep_finished_ ? JobId{slot} : JobId{id_of_slot_[slot]};
}

void JobTable::retire(JobId id) {
  if (keep_finished_) return;
  std::uint32_t& slot = slot_of_[id.index()];
  FLEETSIM_CHECK(slot != kRetired, "job id {} retired twice", id.value);
  FLEETSIM_CHECK(slots_[slot].state == JobState::Done, "job id {} retired before it was done",
                 id.value);
  free_slots_.push_back(slot);
  slot = kRetired;
}

const std::vector<Job>& JobTable::all() const {
  FLEETSIM_CHECK(keep_finished_, "all jobs asked of a table that drops finished ones");
  return slots_;
}

std::vector<Job> JobTable::take_all() {
  FLEETSIM_CHECK(keep_finished_, "all jobs asked of a table that drops finished ones");
  return std::move(slots_);
}

}  // namespace fleetsim
