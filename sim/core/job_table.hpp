// The engine's jobs, found by id. By default every job's record stays to the end of the run
// (the results are written from them), at the index of its id. Told not to keep finished jobs,
// the table drops a finished job's record once the policy has been told of the finish (the
// engine calls retire()) and gives its slot to a later job: memory then follows the jobs in
// the system, not all the jobs of the run. A million-job run otherwise writes 472 MB of fresh
// records: on this project's VM a third of the engine's time at 10^5 jobs running, in the
// kernel backing new pages (bench/README.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/ids.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class JobTable {
 public:
  explicit JobTable(bool keep_finished = true) : keep_finished_(keep_finished) {}

  bool keeps_finished() const { return keep_finished_; }
  // Ids given so far: the next job gets JobId{size()}.
  std::size_t size() const { return keep_finished_ ? slots_.size() : slot_of_.size(); }
  // Room for `jobs` ids without moving a record.
  void reserve(std::size_t jobs);

  // Adds a job under the next id (in a free slot when finished ones are dropped).
  template <class... Args>
  Job& emplace_back(Args&&... args) {
    if (keep_finished_) return slots_.emplace_back(std::forward<Args>(args)...);
    const auto id = static_cast<std::uint32_t>(slot_of_.size());
    if (free_slots_.empty()) {
      slot_of_.push_back(static_cast<std::uint32_t>(slots_.size()));
      id_of_slot_.push_back(id);
      return slots_.emplace_back(std::forward<Args>(args)...);
    }
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    slot_of_.push_back(slot);
    id_of_slot_[slot] = id;
    // Built in place: a temporary and a move-assignment would write the 472 bytes twice. Job's
    // constructors from a spec or a replica's Job only move, so nothing throws in between.
    Job* record = &slots_[slot];
    std::destroy_at(record);
    return *std::construct_at(record, std::forward<Args>(args)...);
  }

  // The job with that id; a dropped one is an error (the policy or engine read a job after the
  // pass that was told of its finish).
  Job& operator[](JobId id) { return slots_[slot_checked(id)]; }
  const Job& operator[](JobId id) const { return slots_[slot_checked(id)]; }
  // nullptr for an id not given yet or a dropped job. Inline: the engine asks once per event.
  const Job* find(JobId id) const {
    if (keep_finished_) return id.index() < slots_.size() ? &slots_[id.index()] : nullptr;
    if (id.index() >= slot_of_.size()) return nullptr;
    const std::uint32_t slot = slot_of_[id.index()];
    return slot == kRetired ? nullptr : &slots_[slot];
  }
  Job* find(JobId id) { return const_cast<Job*>(std::as_const(*this).find(id)); }
  JobId id_of(const Job& job) const;

  // A finished job the policy has been told of: its record goes unless the table keeps them.
  void retire(JobId id);

  // Every record in the table: all jobs by id when kept; otherwise the jobs not yet retired and
  // the free slots (whose records are Done), in no order.
  std::span<Job> slots() { return slots_; }
  std::span<const Job> slots() const { return slots_; }
  // All jobs by id; only when finished jobs are kept.
  const std::vector<Job>& all() const;
  std::vector<Job> take_all();

 private:
  static constexpr std::uint32_t kRetired = ~std::uint32_t{0};
  std::size_t slot_checked(JobId id) const {
    if (keep_finished_) return id.index();
    const std::uint32_t slot = slot_of_[id.index()];
    FLEETSIM_CHECK(slot != kRetired,
                   "job id {} was read after its finish was passed to the policy, and the engine "
                   "does not keep finished jobs",
                   id.value);
    return slot;
  }

  bool keep_finished_;
  std::vector<Job> slots_;  // kept: indexed by id
  // Only when finished jobs are dropped:
  std::vector<std::uint32_t> slot_of_;     // [id] -> slot, or kRetired
  std::vector<std::uint32_t> id_of_slot_;  // [slot] -> id of its job (or of its last one)
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace fleetsim
