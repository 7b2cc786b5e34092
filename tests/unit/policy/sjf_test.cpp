// sjf: waiting jobs start smallest first by the chosen key (gpu_time, duration or gpus), skipping
// or (strict_order) stopping at jobs that do not fit; hand-computed times on one 8-GPU node.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// a holds all 8 GPUs 0-100 s; b, c, d arrive at 1 s and wait for it.
//   b: 2 GPUs x 100 s = 200 GPU-s; c: 8 GPUs x 30 s = 240 GPU-s; d: 6 GPUs x 50 s = 300 GPU-s.
std::vector<JobSpec> three_waiting_jobs() {
  return {test::job("a", 0, 8, 100), test::job("b", 1, 2, 100), test::job("c", 1, 8, 30),
          test::job("d", 1, 6, 50)};
}

TEST(Sjf, GpuTimeKeyStartsSmallestWorkFirstAndSkipsWhatDoesNotFit) {
  // Order b (200), c (240), d (300). 100 s: b starts (6 left), c (8) skipped, d (6) fits:
  // b 100-200, d 100-150. 150 s: 6 free, c still waits. 200 s: c 200-230.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), three_waiting_jobs(), "sjf");
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 150);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 200);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 230);
}

TEST(Sjf, DurationKeyIgnoresGangSize) {
  // Order c (30 s), d (50 s), b (100 s). 100 s: c takes all 8 -> 100-130.
  // 130 s: d 130-180 and b 130-230 (6 + 2 GPUs).
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), three_waiting_jobs(), "sjf",
                             {{"key", std::string("duration")}});
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 130);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 130);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 130);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 230);
}

TEST(Sjf, StrictOrderStopsAtTheFirstJobThatDoesNotFit) {
  // gpu_time order b, c, d. 100 s: b starts (6 left); c (8) does not fit -> stop, d waits.
  // 200 s: b ends -> c 200-230 (d does not fit beside it). 230 s: d 230-280.
  const auto out = test::run(test::single_cluster_fleet(1, 1, 8), three_waiting_jobs(), "sjf",
                             {{"strict_order", true}});
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 200);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 230);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 280);
}

TEST(Sjf, GpusKeyPrefersSmallGangsEvenIfLong) {
  // a: 8 GPUs 0-100. At 1 s: e: 8 GPUs x 10 s (80 GPU-s), f: 1 GPU x 500 s (500 GPU-s).
  // gpus: f first -> 100-600; e (8) waits for it -> 600-610.
  // gpu_time: e first -> 100-110; f 110-610.
  const auto fleet = test::single_cluster_fleet(1, 1, 8);
  const std::vector<JobSpec> jobs = {test::job("a", 0, 8, 100), test::job("e", 1, 8, 10),
                                     test::job("f", 1, 1, 500)};
  const auto by_gpus = test::run(fleet, jobs, "sjf", {{"key", std::string("gpus")}});
  EXPECT_DOUBLE_EQ(test::seconds(by_gpus["f"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(by_gpus["e"].first_start), 600);
  const auto by_work = test::run(fleet, jobs, "sjf", {{"key", std::string("gpu_time")}});
  EXPECT_DOUBLE_EQ(test::seconds(by_work["e"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(by_work["f"].first_start), 110);
}

TEST(Sjf, UsesTheUserEstimateAndBreaksTiesByQueueOrder) {
  // a: 8 GPUs 0-100. At 1 s: g (8 GPUs, runs 50 s, says 50 s), h (8 GPUs, runs 100 s, says 20 s),
  // i (8 GPUs, runs 20 s, says 20 s). Keys 400, 160, 160: h before i (same key, queue order),
  // then g. h 100-200, i 200-220, g 220-270.
  JobSpec h = test::job("h", 1, 8, 100);
  h.estimate = from_seconds(20);
  const auto out = test::run(
      test::single_cluster_fleet(1, 1, 8),
      {test::job("a", 0, 8, 100), test::job("g", 1, 8, 50), h, test::job("i", 1, 8, 20)}, "sjf");
  EXPECT_DOUBLE_EQ(test::seconds(out["h"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["i"].first_start), 200);
  EXPECT_DOUBLE_EQ(test::seconds(out["g"].first_start), 220);
  EXPECT_DOUBLE_EQ(test::seconds(out["g"].end), 270);
}

TEST(Sjf, AJobThatDoesNotFitHoldsBackOnlyJobsOfItsShape) {
  // One H100 node (8) and one A100 node (8, speed 0.5). a: 8 H100s 0-100. At 1 s, gpu_time
  // order b, c, d, e, all 1 GPU: b (H100 only, 10 s) does not fit, nor can d (H100 only, 30 s);
  // c (A100 only, 20 s = 40 s on an A100) starts 1-41 and e (any type, 50 s) takes an A100,
  // 1-101. 100 s: b 100-110 and d 100-130 on the H100s.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}});
  const GpuTypeId h100 = *fleet.catalog.find("H100");
  const GpuTypeId a100 = *fleet.catalog.find("A100");
  JobSpec a = test::job("a", 0, 8, 100);
  JobSpec b = test::job("b", 1, 1, 10);
  JobSpec c = test::job("c", 1, 1, 20);
  JobSpec d = test::job("d", 1, 1, 30);
  a.allowed_types = {h100};
  b.allowed_types = {h100};
  c.allowed_types = {a100};
  d.allowed_types = {h100};
  const auto out = test::run(fleet, {a, b, c, d, test::job("e", 1, 1, 50)}, "sjf");
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].first_start), 1);
  EXPECT_DOUBLE_EQ(test::seconds(out["c"].end), 41);
  EXPECT_DOUBLE_EQ(test::seconds(out["e"].first_start), 1);
  EXPECT_DOUBLE_EQ(test::seconds(out["e"].end), 101);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["b"].end), 110);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].first_start), 100);
  EXPECT_DOUBLE_EQ(test::seconds(out["d"].end), 130);
}

}  // namespace
}  // namespace fleetsim
