// The autoscaler's rule on its own: recommendations, and the stabilisation windows that delay a
// scale-up or a scale-down until the change has lasted.
#include <gtest/gtest.h>

#include "sim/inference/autoscaler.hpp"

namespace fleetsim {
namespace {

SimTime at(double s) { return from_seconds(s); }

TEST(RecommendedReplicas, CeilingOfDemandOverTargetCapacityWithinBounds) {
  // 40 req/s at 10 req/s per replica, 50 % target: 40 / 5 = 8 exactly, not 9.
  EXPECT_EQ(recommended_replicas(40, 10, 0.5, 1, 100), 8u);
  EXPECT_EQ(recommended_replicas(40.5, 10, 0.5, 1, 100), 9u);
  EXPECT_EQ(recommended_replicas(0, 10, 0.5, 1, 100), 1u);    // min
  EXPECT_EQ(recommended_replicas(0, 10, 0.5, 0, 100), 0u);    // scale to zero allowed
  EXPECT_EQ(recommended_replicas(1e6, 10, 0.5, 1, 12), 12u);  // max
}

TEST(Autoscaler, ScalesUpOnlyAfterTheIncreaseHasLastedTheUpDelay) {
  // Evaluations every 60 s, scale-up delay 120 s: the recommendation jumps from 2 to 8 at 1020
  // (the first evaluation after a step in demand). Windows are closed: [t - 120, t].
  AutoscalerConfig config;
  config.interval = from_seconds(60);
  config.scale_up_delay = from_seconds(120);
  config.scale_down_delay = from_seconds(300);
  Autoscaler a(config, 1);
  EXPECT_EQ(a.evaluate(at(0), 2), 2u);  // the first recommendation has no history to wait for
  EXPECT_EQ(a.evaluate(at(960), 2), 2u);
  EXPECT_EQ(a.evaluate(at(1020), 8), 2u);  // window [900, 1020] still holds a 2 (960)
  EXPECT_EQ(a.evaluate(at(1080), 8), 2u);  // [960, 1080]: 960 said 2
  EXPECT_EQ(a.evaluate(at(1140), 8), 8u);  // [1020, 1140]: all 8
  // Down: 2 from 2040 on; the window [t - 300, t] holds an 8 until 2340.
  for (int t = 1200; t <= 1980; t += 60) EXPECT_EQ(a.evaluate(at(t), 8), 8u) << t;
  for (int t = 2040; t <= 2280; t += 60) EXPECT_EQ(a.evaluate(at(t), 2), 8u) << t;
  EXPECT_EQ(a.evaluate(at(2340), 2), 2u);
}

TEST(Autoscaler, ABriefSpikeShorterThanTheUpDelayChangesNothing) {
  AutoscalerConfig config;
  config.scale_up_delay = from_seconds(120);
  config.scale_down_delay = 0;
  Autoscaler a(config, 3);
  EXPECT_EQ(a.evaluate(at(0), 3), 3u);
  EXPECT_EQ(a.evaluate(at(60), 10), 3u);
  EXPECT_EQ(a.evaluate(at(120), 10), 3u);
  EXPECT_EQ(a.evaluate(at(180), 3), 3u);  // the spike is over before it lasted 120 s
  // With no down delay, a drop is followed at once.
  EXPECT_EQ(a.evaluate(at(240), 1), 1u);
}

}  // namespace
}  // namespace fleetsim
