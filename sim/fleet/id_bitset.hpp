// A fixed-size bitset with a summary level, so that find_next() skips empty stretches 4,096
// ids at a time. This is what keeps placement from scanning every node of a large fleet.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fleetsim {

class IdBitset {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  explicit IdBitset(std::size_t size = 0)
      : size_(size), words_((size + 63) / 64, 0), summary_((words_.size() + 63) / 64, 0) {}

  std::size_t size() const { return size_; }
  // Makes room for id i (new ids clear), doubling the size when it grows, for sets over ids
  // that keep coming (job ids).
  void grow_to_hold(std::size_t i) {
    if (i < size_) return;
    size_ = std::max(2 * size_, i + 1);
    words_.resize((size_ + 63) / 64, 0);
    summary_.resize((words_.size() + 63) / 64, 0);
  }
  bool test(std::size_t i) const { return (words_[i / 64] >> (i % 64)) & 1U; }
  void set(std::size_t i) {
    words_[i / 64] |= std::uint64_t{1} << (i % 64);
    summary_[i / 4096] |= std::uint64_t{1} << ((i / 64) % 64);
  }
  void reset(std::size_t i) {
    std::uint64_t& w = words_[i / 64];
    w &= ~(std::uint64_t{1} << (i % 64));
    if (w == 0) summary_[i / 4096] &= ~(std::uint64_t{1} << ((i / 64) % 64));
  }
  // Smallest set index >= from, or npos. O(1) within a word, O(size / 4096) at worst.
  std::size_t find_next(std::size_t from) const {
    if (from >= size_) return npos;
    std::size_t w = from / 64;
    std::uint64_t bits = words_[w] & (~std::uint64_t{0} << (from % 64));
    if (bits != 0) return w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
    std::size_t next_word = w + 1;  // continue in the summary from the next word on
    std::size_t s = next_word / 64;
    if (s >= summary_.size()) return npos;
    std::uint64_t sbits = (next_word % 64 == 0) ? summary_[s]
                                                : summary_[s] & (~std::uint64_t{0} << (next_word % 64));
    while (sbits == 0) {
      if (++s >= summary_.size()) return npos;
      sbits = summary_[s];
    }
    std::size_t word = s * 64 + static_cast<std::size_t>(std::countr_zero(sbits));
    return word * 64 + static_cast<std::size_t>(std::countr_zero(words_[word]));
  }

 private:
  std::size_t size_;
  std::vector<std::uint64_t> words_;
  std::vector<std::uint64_t> summary_;  // bit j of summary_[s]: words_[s * 64 + j] != 0
};

}  // namespace fleetsim
