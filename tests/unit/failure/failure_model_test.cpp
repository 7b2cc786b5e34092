// FailureModel's draws on their own (failure_engine_test.cpp runs them through the engine): the
// heaviest tails the loader allows stay within the times microseconds can hold.
#include <gtest/gtest.h>

#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

constexpr Duration kMaxInput = static_cast<Duration>(kMaxInputSeconds * 1e6);

FailureConfig one_process(LifetimeDistribution lifetime, RepairDistribution repair) {
  FailureProcessConfig p;
  p.name = "gpu";
  p.level = FailureLevel::Gpu;
  p.lifetime = lifetime;
  p.repair = repair;
  FailureConfig config;
  config.processes.push_back(p);
  return config;
}

TEST(FailureModel, HeavyTailedLifetimesAreCappedAtTheLargestInputTime) {
  // Weibull k = 0.1 (the smallest the loader takes) with the largest MTBF, 1e11 s: lifetime =
  // scale x (-ln u)^10 with scale = 1e11 / Gamma(11) = 27,557 s, above 1e11 s when u < 0.011,
  // so about 11 of the 1,024 GPUs' first lifetimes (and 8e-4 of them overflow microseconds).
  const Fleet fleet = test::single_cluster_fleet(16, 8, 8);
  FailureModel model(one_process({LifetimeDistribution::Kind::Weibull, kMaxInputSeconds, 0.1}, {}),
                     fleet.topology, RngStreams(1));
  const std::vector<FailureDraw> draws = model.first_failures();
  ASSERT_EQ(draws.size(), 1024u);
  int capped = 0;
  for (const FailureDraw& d : draws) {
    EXPECT_GE(d.time, 1);
    EXPECT_LE(d.time, kMaxInput);
    capped += d.time == kMaxInput;
  }
  EXPECT_GT(capped, 0) << "no draw reached the cap: the test no longer tests it";
}

TEST(FailureModel, HeavyTailedRepairsAreCappedAtTheLargestInputTime) {
  // Lognormal repairs with median 1e11 s and sigma 10: half of them above 1e11 s, a third
  // above the 9.2e12 s where microseconds overflow.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  RepairDistribution repair;
  repair.kind = RepairDistribution::Kind::Lognormal;
  repair.median_s = kMaxInputSeconds;
  repair.sigma = 10;
  FailureModel model(one_process({LifetimeDistribution::Kind::Exponential, 3600, 1}, repair),
                     fleet.topology, RngStreams(1));
  int capped = 0;
  for (std::uint32_t gpu = 0; gpu < 8; ++gpu) {
    const SimTime now = 1000;
    const FailureModel::Outcome out = model.fail(0, gpu, now);
    ASSERT_TRUE(out.takes_effect);
    EXPECT_GE(out.repair_at, now);
    EXPECT_LE(out.repair_at - now, kMaxInput);
    capped += out.repair_at - now == kMaxInput;
  }
  EXPECT_GT(capped, 0) << "no draw reached the cap: the test no longer tests it";
}

}  // namespace
}  // namespace fleetsim
