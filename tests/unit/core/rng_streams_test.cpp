// RngStreams: one reproducible stream per (seed, name), and the FNV-1a name hash it relies on.
#include "sim/core/rng_streams.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace fleetsim {
namespace {

std::vector<std::uint64_t> first_draws(std::mt19937_64 engine, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(engine());
  return out;
}

TEST(StableHash, IsFnv1a64) {
  // Offset basis 0xcbf29ce484222325, prime 0x100000001b3. The empty string is the basis;
  // "a": (basis ^ 0x61) * prime mod 2^64 = 0xaf63dc4c8601ec8c (the published FNV-1a test vector).
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  // "arrivals", byte by byte in Python: h = basis; for c in b"arrivals": h = ((h ^ c) * prime) %
  // 2**64
  EXPECT_EQ(stable_hash("arrivals"), 0xb10bc22ca203cc53ULL);
}

TEST(RngStreams, SameSeedAndNameGiveTheSameSequence) {
  const RngStreams a(7);
  const RngStreams b(7);
  EXPECT_EQ(first_draws(a.stream("arrivals"), 100), first_draws(b.stream("arrivals"), 100));
  // Asking again (after drawing from other streams) starts the sequence over.
  (void)first_draws(a.stream("failures"), 10);
  EXPECT_EQ(first_draws(a.stream("arrivals"), 100), first_draws(b.stream("arrivals"), 100));
}

TEST(RngStreams, DifferentNamesGiveDifferentSequences) {
  const RngStreams rng(7);
  const auto arrivals = first_draws(rng.stream("arrivals"), 8);
  EXPECT_NE(arrivals, first_draws(rng.stream("failures"), 8));
  EXPECT_NE(arrivals, first_draws(rng.stream("arrivals2"), 8));
  EXPECT_NE(arrivals, first_draws(rng.stream(""), 8));
}

TEST(RngStreams, DifferentSeedsGiveDifferentSequences) {
  EXPECT_NE(first_draws(RngStreams(1).stream("arrivals"), 8),
            first_draws(RngStreams(2).stream("arrivals"), 8));
  // Regression: the seed's mixed value used to reach std::seed_seq whole, which keeps only its
  // low 32 bits; these two seeds agree there (found by a birthday search) and gave equal streams.
  EXPECT_NE(first_draws(RngStreams(65336).stream("arrivals"), 8),
            first_draws(RngStreams(81207).stream("arrivals"), 8));
}

TEST(RngStreams, MatchesAReferenceModelOfSeedSeqAndMt19937_64) {
  // std::seed_seq and std::mt19937_64 are specified exactly by the standard, so the stream is
  // the same with every standard library. Reference values from a Python transcription of both
  // (SplitMix64-mixed seed and name hash, each fed to seed_seq as low and high 32-bit halves).
  std::mt19937_64 engine = RngStreams(42).stream("arrivals");
  EXPECT_EQ(engine(), 15725370595659255522ULL);
  EXPECT_EQ(engine(), 4612223009382486412ULL);
  EXPECT_EQ(engine(), 11007321525132769793ULL);
}

}  // namespace
}  // namespace fleetsim
