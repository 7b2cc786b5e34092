// One independent random stream per purpose, derived from (scenario seed, stream name), so that
// drawing more failures never shifts the arrivals, and changing the policy never changes the
// workload. Use Boost.Random distributions with these engines: std::*_distribution results
// differ between standard libraries.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace fleetsim {

// FNV-1a, 64 bit: a stable hash of a stream name (std::hash is not stable across libraries).
std::uint64_t stable_hash(std::string_view text);

class RngStreams {
 public:
  explicit RngStreams(std::uint64_t seed) : seed_(seed) {}
  // A fresh engine for `name`; the same (seed, name) always gives the same sequence.
  std::mt19937_64 stream(std::string_view name) const;
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
};

}  // namespace fleetsim
