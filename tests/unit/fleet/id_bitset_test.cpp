// IdBitset: find_next across words and 4,096-id summary blocks, including after resets empty
// a word, and against a std::vector<bool> on random operations.
#include "sim/fleet/id_bitset.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cstddef>
#include <random>
#include <vector>

namespace fleetsim {
namespace {

TEST(IdBitset, EmptyOrClearSetFindsNothing) {
  EXPECT_EQ(IdBitset(0).find_next(0), IdBitset::npos);
  const IdBitset clear(10'000);
  EXPECT_EQ(clear.size(), 10'000u);
  EXPECT_EQ(clear.find_next(0), IdBitset::npos);
  EXPECT_EQ(clear.find_next(9'999), IdBitset::npos);
  EXPECT_EQ(clear.find_next(10'000), IdBitset::npos);  // from == size
  EXPECT_EQ(clear.find_next(1'000'000), IdBitset::npos);
}

TEST(IdBitset, FindNextCrossesWordAndSummaryBoundaries) {
  // Words are 64 ids, summary blocks 64 words = 4,096 ids.
  IdBitset set(10'000);
  for (std::size_t i : {5, 63, 64, 4'095, 4'096, 9'999}) set.set(i);
  EXPECT_TRUE(set.test(63));
  EXPECT_FALSE(set.test(62));
  EXPECT_EQ(set.find_next(0), 5u);
  EXPECT_EQ(set.find_next(5), 5u);          // inclusive
  EXPECT_EQ(set.find_next(6), 63u);         // last bit of word 0
  EXPECT_EQ(set.find_next(64), 64u);        // first bit of word 1
  EXPECT_EQ(set.find_next(65), 4'095u);     // skips words 2..62 via the summary
  EXPECT_EQ(set.find_next(4'096), 4'096u);  // first id of summary block 1
  EXPECT_EQ(set.find_next(4'097), 9'999u);  // skips to block 2
  EXPECT_EQ(set.find_next(10'000), IdBitset::npos);
}

TEST(IdBitset, FindNextFromTheLastWordOfABlockContinuesInTheNextBlock) {
  // from = 4,094 is in word 63, the last word of block 0; the next word (64) starts block 1,
  // which find_next reads whole.
  IdBitset set(3 * 4'096);
  set.set(4'096 + 64 * 5 + 3);  // block 1, word 69
  EXPECT_EQ(set.find_next(4'094), 4'096u + 323u);
  set.set(2 * 4'096);  // block 2, word 128
  set.reset(4'096 + 323);
  EXPECT_EQ(set.find_next(4'094), 2u * 4'096u);
}

TEST(IdBitset, ResetThatEmptiesAWordHidesItFromTheSummary) {
  IdBitset set(5'000);
  set.set(70);
  set.set(75);
  set.set(4'500);
  set.reset(70);
  EXPECT_EQ(set.find_next(0), 75u);
  set.reset(75);  // word 1 is now empty
  EXPECT_EQ(set.find_next(0), 4'500u);
  set.reset(75);  // resetting a clear bit is harmless
  EXPECT_EQ(set.find_next(0), 4'500u);
  set.set(75);
  EXPECT_EQ(set.find_next(0), 75u);
}

TEST(IdBitset, RandomSetResetFindMatchesVectorOfBool) {
  std::mt19937_64 rng(4242);
  for (std::size_t size : {std::size_t{1}, std::size_t{64}, std::size_t{65}, std::size_t{4'096},
                           std::size_t{4'097}, std::size_t{70'001}}) {
    IdBitset set(size);
    std::vector<bool> ref(size, false);
    boost::random::uniform_int_distribution<std::size_t> id(0, size - 1);
    boost::random::uniform_int_distribution<int> op(0, 2);
    for (int step = 0; step < 20'000; ++step) {
      const std::size_t i = id(rng);
      switch (op(rng)) {
        case 0:
          set.set(i);
          ref[i] = true;
          break;
        case 1:
          set.reset(i);
          ref[i] = false;
          break;
        default: {
          std::size_t want = i;
          while (want < size && !ref[want]) ++want;
          ASSERT_EQ(set.find_next(i), want < size ? want : IdBitset::npos)
              << "size " << size << " from " << i << " step " << step;
        }
      }
    }
  }
}

}  // namespace
}  // namespace fleetsim
