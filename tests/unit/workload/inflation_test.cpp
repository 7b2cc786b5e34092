// Workload inflation (sim/workload/inflation.hpp): what is drawn, when it arrives, when drawing
// stops, and that the same stream draws the same jobs.
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "sim/core/rng_streams.hpp"
#include "sim/workload/inflation.hpp"

namespace fleetsim {
namespace {

JobSpec job(std::string name, std::uint32_t gpus, std::uint16_t milli) {
  JobSpec j;
  j.name = std::move(name);
  j.gpus = gpus;
  j.gpu_milli = milli;
  j.duration = 600 * kMicrosPerSecond;
  j.estimate = 700 * kMicrosPerSecond;
  j.source_line = 7;
  return j;
}

TEST(Inflation, GpuDemandIsGangTimesShare) {
  EXPECT_DOUBLE_EQ(gpu_demand(job("a", 8, 1000)), 8.0);
  EXPECT_DOUBLE_EQ(gpu_demand(job("b", 1, 250)), 0.25);
}

// Only 1-GPU jobs of 500 milli: a 4-GPU fleet at demand 1.5 needs exactly 12 draws (6 GPUs).
TEST(Inflation, DrawsUntilTheDemandIsReachedOneJobPerInterval) {
  const std::vector<JobSpec> pool = {job("half", 1, 500)};
  InflationConfig config;
  config.demand = 1.5;
  config.interval = 2 * kMicrosPerSecond;
  const std::vector<JobSpec> drawn = inflate(pool, config, 4, RngStreams(1));
  ASSERT_EQ(drawn.size(), 12U);
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    EXPECT_EQ(drawn[k].name, "half#" + std::to_string(k));
    EXPECT_EQ(drawn[k].submit, static_cast<SimTime>(2 * k) * kMicrosPerSecond);
    EXPECT_EQ(drawn[k].duration, 600 * kMicrosPerSecond);  // departures: the trace's own
    EXPECT_EQ(drawn[k].source_line, 7U);
  }
}

// The last draw may overshoot: with only 3-GPU jobs and a 4-GPU target, the first draw (3)
// leaves it unreached and the second (6) passes it, whatever the stream draws.
TEST(Inflation, TheLastDrawMayOvershootTheTarget) {
  const std::vector<JobSpec> drawn = inflate({job("three", 3, 1000)}, InflationConfig{}, 4,
                                             RngStreams(3));
  ASSERT_EQ(drawn.size(), 2U);
  EXPECT_DOUBLE_EQ(gpu_demand(drawn[0]) + gpu_demand(drawn[1]), 6.0);
}

TEST(Inflation, WithoutDeparturesJobsNeverEndAndCarryNoEstimate) {
  InflationConfig config;
  config.departures = false;
  const std::vector<JobSpec> drawn =
      inflate({job("a", 1, 1000)}, config, 3, RngStreams(1));
  ASSERT_EQ(drawn.size(), 3U);
  for (const JobSpec& j : drawn) {
    EXPECT_EQ(j.duration, kNeverEnds);
    EXPECT_FALSE(j.estimate.has_value());
  }
}

// Draws are uniform over the pool: 20,000 draws of four jobs give each 5,000 +- 5 sigma (61).
TEST(Inflation, DrawsAreUniformAndDeterministic) {
  const std::vector<JobSpec> pool = {job("a", 1, 1000), job("b", 1, 1000), job("c", 1, 1000),
                                     job("d", 1, 1000)};
  InflationConfig config;
  config.demand = 2;
  const auto draw = [&](std::uint64_t seed) {
    return inflate(pool, config, 10'000, RngStreams(seed));
  };
  const std::vector<JobSpec> drawn = draw(5);
  ASSERT_EQ(drawn.size(), 20'000U);
  std::map<char, int> count;
  for (const JobSpec& j : drawn) ++count[j.name[0]];
  for (char c : {'a', 'b', 'c', 'd'}) EXPECT_NEAR(count[c], 5000, 5 * 61.3) << c;
  const std::vector<JobSpec> again = draw(5);
  const std::vector<JobSpec> other = draw(6);
  bool same = true, differs = false;
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    same = same && again[k].name == drawn[k].name;
    differs = differs || other[k].name != drawn[k].name;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
}

TEST(Inflation, AnEmptyPoolIsAConfigErrorAtTheInflateEntry) {
  InflationConfig config;
  config.pos = {"w.yaml", 5, 10};
  config.field = "inflate";
  try {
    inflate({}, config, 8, RngStreams(1));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "w.yaml:5:10: inflate: no job to draw from: the trace gave none (every row left "
                 "out)");
  }
}

}  // namespace
}  // namespace fleetsim
