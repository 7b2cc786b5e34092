// Counting a node's GPUs in a 64-bit mask. std::popcount is a call into libgcc (a table walk)
// unless the build targets a CPU with POPCNT, and the engine loop counts masks several times
// per job (each take, release, start and finish), so without it the count is done inline.
#pragma once

#include <bit>
#include <cstdint>

namespace fleetsim {

constexpr std::uint32_t count_gpus(std::uint64_t mask) {
#if defined(__POPCNT__) || !(defined(__x86_64__) || defined(__i386__))
  return count_gpus(mask);
#else
  // SWAR: sum bits in pairs, nibbles, bytes, then add the bytes with one multiply.
  mask -= (mask >> 1) & 0x5555555555555555ULL;
  mask = (mask & 0x3333333333333333ULL) + ((mask >> 2) & 0x3333333333333333ULL);
  mask = (mask + (mask >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<std::uint32_t>((mask * 0x0101010101010101ULL) >> 56);
#endif
}

}  // namespace fleetsim
