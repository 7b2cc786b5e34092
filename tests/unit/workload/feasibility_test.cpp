// Feasibility: the largest gang a job can ever get is the most GPUs of one allowed type at one
// site (gangs never mix types or span sites). Bigger jobs are bad input, reported at their origin.
#include "sim/workload/feasibility.hpp"

#include <string>

#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// Site 0: 2 x 8 + 1 x 8 = 24 H100 over two clusters, and 8 A100. Site 1: 2 x 8 = 16 A100.
Fleet mixed_fleet() {
  return test::fleet_of(
      {{0, 2, 1, 8, "H100"}, {0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "A100"}, {1, 2, 1, 8, "A100"}});
}

JobSpec job_of(std::uint32_t gpus, std::vector<std::string> types, const Fleet& fleet) {
  JobSpec j = test::job("j7", 0, gpus, 60);
  for (const std::string& t : types) j.allowed_types.push_back(*fleet.catalog.find(t));
  return j;
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

TEST(Feasibility, LargestGangIsOneTypeAtOneSite) {
  const Fleet fleet = mixed_fleet();
  const Feasibility f(fleet);
  EXPECT_EQ(f.largest_gang(job_of(1, {}, fleet)), 24u);                // H100 at site 0
  EXPECT_EQ(f.largest_gang(job_of(1, {"A100"}, fleet)), 16u);          // not 8 + 16 over sites
  EXPECT_EQ(f.largest_gang(job_of(1, {"H100"}, fleet)), 24u);          // summed over clusters
  EXPECT_EQ(f.largest_gang(job_of(1, {"A100", "H100"}, fleet)), 24u);  // not 24 + 8 mixed
}

TEST(Feasibility, AHugeFinitePowerCapLeavesEverySitesGpus) {
  // The scenario fuzzer's power_cap_mw of 1e40: the GPUs it could power (about 1e43) are more
  // than a uint64 holds, and the site's 24 H100 are what bounds the gang.
  Fleet fleet = mixed_fleet();
  fleet.site_energy = {SiteEnergy{StepProfile::constant(1e40), 1.0, {}, {}}};
  EXPECT_EQ(gang_capacity_at(fleet, job_of(1, {}, fleet), SiteId{0}, *fleet.catalog.find("H100")),
            24u);
}

TEST(Feasibility, JobThatFitsPasses) {
  const Fleet fleet = mixed_fleet();
  EXPECT_NO_THROW(Feasibility(fleet).check(job_of(24, {}, fleet), {"t.csv", 3, 0}));
  EXPECT_NO_THROW(Feasibility(fleet).check(job_of(16, {"A100"}, fleet), {"t.csv", 3, 0}));
}

TEST(Feasibility, TooLargeJobIsAnErrorAtItsOrigin) {
  const Fleet fleet = mixed_fleet();
  const Feasibility f(fleet);
  EXPECT_EQ(
      error_of([&] {
        f.check(job_of(25, {}, fleet), {"t.csv", 3, 0});
      }),
      "t.csv:3: gpus: job j7 needs 25 GPUs but the largest placement the fleet allows (one GPU "
      "type, one site) has 24");
  EXPECT_EQ(
      error_of([&] {
        f.check(job_of(17, {"A100"}, fleet), {"t.csv", 9, 0});
      }),
      "t.csv:9: gpus: job j7 needs 17 GPUs but the largest placement the fleet allows (one GPU "
      "type it may use, one site) has 16");
  EXPECT_EQ(error_of([&] {
              f.check(job_of(0, {}, fleet), {"t.csv", 4, 0});
            }),
            "t.csv:4: gpus: job j7 asks for 0 GPUs");
}

TEST(Feasibility, TypeTheFleetDoesNotHaveFitsNothing) {
  // A100 only, on an H100-only fleet: the largest gang is 0.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  EXPECT_EQ(
      error_of([&] {
        Feasibility(fleet).check(job_of(1, {"A100"}, fleet), {"t.csv", 2, 0});
      }),
      "t.csv:2: gpus: job j7 needs 1 GPUs but the largest placement the fleet allows (one GPU "
      "type it may use, one site) has 0");
}

TEST(Feasibility, GeneratorIsCheckedByItsLargestSizeWhateverItsWeight) {
  const Fleet fleet = mixed_fleet();
  SyntheticConfig c;
  c.gpu_values = {1, 8, 25};
  c.gpu_weights = {1, 1, 0};  // 25 is never drawn, but is still written in the scenario
  c.gpus_origin = {"w.yaml", 5, 7};
  EXPECT_EQ(
      error_of([&] { Feasibility(fleet).check_generator(c); }),
      "w.yaml:5:7: gpus: job largest generated job needs 25 GPUs but the largest placement the "
      "fleet allows (one GPU type, one site) has 24");
  c.gpu_values = {1, 8, 24};
  EXPECT_NO_THROW(Feasibility(fleet).check_generator(c));
  c.allowed_gpu_types = {"A100"};
  EXPECT_EQ(
      error_of([&] { Feasibility(fleet).check_generator(c); }),
      "w.yaml:5:7: gpus: job largest generated job needs 24 GPUs but the largest placement the "
      "fleet allows (one GPU type it may use, one site) has 16");
}

}  // namespace
}  // namespace fleetsim
