#include "sim/core/rng_streams.hpp"

namespace fleetsim {
namespace {
// SplitMix64 finaliser: spreads nearby seeds (1, 2, 3...) over the whole state space.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::mt19937_64 RngStreams::stream(std::string_view name) const {
  // seed_seq keeps only the low 32 bits of each value, so pass each 64-bit word as two halves;
  // with whole words, seeds 65336 and 81207 (equal low halves after mixing) gave equal streams.
  const std::uint64_t a = mix(seed_);
  const std::uint64_t b = mix(stable_hash(name));
  std::seed_seq seq{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                    static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)};
  return std::mt19937_64(seq);
}

}  // namespace fleetsim
