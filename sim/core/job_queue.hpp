// The queued jobs in id (= submit) order, as a bitset over job ids. Adding or removing a job is
// O(1) and allocates nothing: the std::set it replaces allocated a node per arrival and freed it
// at the start, a measurable share of the engine loop. A walk in id order skips stretches with no
// queued job 4,096 ids at a time (IdBitset).
#pragma once

#include <cstddef>
#include <iterator>

#include "sim/core/ids.hpp"
#include "sim/fleet/id_bitset.hpp"

namespace fleetsim {

class JobQueue {
 public:
  // A forward iterator in id order. It is invalidated by any change to the queue.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = JobId;
    using difference_type = std::ptrdiff_t;
    using pointer = const JobId*;
    using reference = const JobId&;

    Iterator() = default;
    const JobId& operator*() const { return id_; }
    const JobId* operator->() const { return &id_; }
    Iterator& operator++() {
      id_ = queue_->next_from(id_.index() + 1);
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.id_ == b.id_; }

   private:
    friend class JobQueue;
    Iterator(const JobQueue* queue, JobId id) : queue_(queue), id_(id) {}
    const JobQueue* queue_ = nullptr;
    JobId id_;  // invalid at the end
  };

  Iterator begin() const { return {this, empty() ? JobId{} : JobId{first_}}; }
  Iterator end() const { return {this, JobId{}}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool contains(JobId id) const { return id.index() < bits_.size() && bits_.test(id.index()); }

  // Returns false, changing nothing, when the job is already queued.
  bool insert(JobId id) {
    bits_.grow_to_hold(id.index());
    if (bits_.test(id.index())) return false;
    bits_.set(id.index());
    if (size_ == 0 || id.index() < first_) first_ = id.index();
    ++size_;
    return true;
  }
  // Returns false, changing nothing, when the job is not queued.
  bool erase(JobId id) {
    if (!contains(id)) return false;
    bits_.reset(id.index());
    --size_;
    if (size_ > 0 && id.index() == first_) first_ = bits_.find_next(first_ + 1);
    return true;
  }

 private:
  JobId next_from(std::size_t from) const {
    const std::size_t i = bits_.find_next(from);
    return i == IdBitset::npos ? JobId{} : JobId{i};
  }

  IdBitset bits_;
  std::size_t size_ = 0;
  std::size_t first_ = 0;  // the smallest queued id, when size_ > 0
};

}  // namespace fleetsim
