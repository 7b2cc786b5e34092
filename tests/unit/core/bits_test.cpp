// count_gpus: the inline GPU count must agree with std::popcount on every mask.
#include "sim/core/bits.hpp"

#include <bit>
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

TEST(CountGpus, AgreesWithPopcount) {
  EXPECT_EQ(count_gpus(0), 0u);
  EXPECT_EQ(count_gpus(0xFF), 8u);           // an 8-GPU node, all free
  EXPECT_EQ(count_gpus(0xF0), 4u);
  EXPECT_EQ(count_gpus(~std::uint64_t{0}), 64u);
  EXPECT_EQ(count_gpus(std::uint64_t{1} << 63), 1u);
  static_assert(count_gpus(0x0F0F) == 8);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t mask = rng() & rng();  // sparser masks too
    ASSERT_EQ(count_gpus(mask), static_cast<std::uint32_t>(std::popcount(mask))) << mask;
  }
}

}  // namespace
}  // namespace fleetsim
