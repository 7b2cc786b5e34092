// Cross-site gangs placed by the built-in placements, on cases a person can work out by hand:
// which sites a gang may span (every two within the RTT limit), when a gang is split (only when
// no single site could ever hold it, or also when none can now), what it pays (rate divided by
// 1 + RTT / half_speed_rtt_ms; its data staged to every site it uses) and what the loader
// refuses (a gang larger than any group of sites within the limit).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/fleet/cross_site_group.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/feasibility.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::job;
using test::seconds;

// Two sites of one 8-H100 node each, 10 ms apart (100 Gbps); gangs may span 20 ms and run at
// half speed at 20 ms, so a gang over both runs at 1 / (1 + 10/20) = 2/3 speed.
Fleet two_sites(CrossSiteGangs::Split split = CrossSiteGangs::Split::Oversized) {
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  fleet.wan = WanGraph(2, {{SiteId{0}, SiteId{1}, 10, 100}});
  fleet.cross_site = {true, 20, 20, split};
  return fleet;
}

// Three sites of 8 H100 in a line: a-b 10 ms, b-c 10 ms, so a-c is 20 ms; the limit is 15 ms.
Fleet three_in_a_line() {
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}, {2, 1, 1, 8, "H100"}});
  fleet.wan = WanGraph(3, {{SiteId{0}, SiteId{1}, 10, 100}, {SiteId{1}, SiteId{2}, 10, 100}});
  fleet.cross_site = {true, 15, 20};
  return fleet;
}

std::vector<std::uint32_t> group_of(const Fleet& fleet, std::uint32_t anchor,
                                    std::uint64_t eligible) {
  std::vector<SiteId> group;
  cross_site_group(fleet, SiteId{anchor}, eligible, group);
  std::vector<std::uint32_t> ids;
  for (SiteId s : group) ids.push_back(s.value);
  return ids;
}

TEST(CrossSiteSplit, AGroupHoldsSitesPairwiseWithinTheLimitNearestFirst) {
  const Fleet fleet = three_in_a_line();
  // From b both neighbours are 10 ms away (a first: lower id), but a-c is 20 ms: c stays out.
  EXPECT_EQ(group_of(fleet, 1, 0b111), (std::vector<std::uint32_t>{1, 0}));
  EXPECT_EQ(group_of(fleet, 0, 0b111), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(group_of(fleet, 2, 0b111), (std::vector<std::uint32_t>{2, 1}));
  EXPECT_EQ(group_of(fleet, 1, 0b110), (std::vector<std::uint32_t>{1, 2}));  // a not eligible
  EXPECT_EQ(group_of(fleet, 0, 0b101), (std::vector<std::uint32_t>{0}));     // c too far
  Fleet apart = fleet;
  apart.cross_site.allowed = false;
  EXPECT_EQ(group_of(apart, 1, 0b111), (std::vector<std::uint32_t>{1}));
}

TEST(CrossSiteSplit, TheLoaderAllowsTheLargestGroupAndNoMore) {
  const Fleet fleet = three_in_a_line();
  const Feasibility feasibility(fleet);
  EXPECT_EQ(feasibility.largest_gang(job("j", 0, 1, 60)), 16u);  // two sites, never all three
  JobSpec ends = job("ends", 0, 1, 60);
  ends.allowed_sites = 0b101;  // a and c, 20 ms apart: one site at a time
  EXPECT_EQ(feasibility.largest_gang(ends), 8u);
  Fleet apart = fleet;
  apart.cross_site.allowed = false;
  EXPECT_EQ(Feasibility(apart).largest_gang(job("j", 0, 1, 60)), 8u);
  try {
    feasibility.check(job("big", 0, 17, 60), {"t.csv", 4, 0});
    ADD_FAILURE() << "a 17-GPU gang was accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "t.csv:4: gpus: job big needs 17 GPUs but the largest placement the fleet allows "
                 "(one GPU type, sites within the cross-site RTT limit) has 16");
  }
}

TEST(CrossSiteSplit, AGangNoSiteHoldsRunsOverTwoSitesAtTheRttSlowdownWithEverySelection) {
  // 12 GPUs: 8 at the anchor site and 4 at the other; 3,000 s of work at 2/3 speed: 4,500 s.
  for (const char* selection : {"", "any", "pack", "spread", "data_local", "carbon_aware",
                                       "price_aware", "power_aware"}) {
    SCOPED_TRACE(selection);
    const test::RunOutput r = test::run_at_sites(two_sites(), {job("g", 0, 12, 3000)}, selection);
    EXPECT_EQ(r["g"].span.sites, 2u);
    EXPECT_EQ(r["g"].span.nodes, 2u);
    EXPECT_DOUBLE_EQ(seconds(r["g"].end), 4500);
    EXPECT_EQ(r.totals.sites[0].allocated_gpu_seconds + r.totals.sites[1].allocated_gpu_seconds,
              12 * 4500.0);
  }
}

TEST(CrossSiteSplit, ByDefaultAGangOneSiteCanHoldWaitsForIt) {
  // a and b hold 6 of each site's 8 GPUs until 1,000 s. c (4 GPUs) fits at either site only
  // then: it waits and runs at full speed, 1,000 s to 4,000 s.
  const std::vector<JobSpec> jobs = {job("a", 0, 6, 1000), job("b", 0, 6, 1000),
                                     job("c", 0, 4, 3000)};
  const test::RunOutput r = test::run_at_sites(two_sites(), jobs, "");
  EXPECT_EQ(r["a"].span.sites, 1u);
  EXPECT_EQ(r["b"].span.sites, 1u);
  EXPECT_NE(r["a"].site, r["b"].site);
  EXPECT_EQ(r["c"].span.sites, 1u);
  EXPECT_DOUBLE_EQ(seconds(r["c"].first_start), 1000);
  EXPECT_DOUBLE_EQ(seconds(r["c"].end), 4000);
}

TEST(CrossSiteSplit, WhenBlockedAGangSplitsRatherThanWait) {
  // The same jobs with split: when_blocked: c takes the 2 + 2 free GPUs at once and runs at
  // 2/3 speed, 0 to 4,500 s: later than waiting, which is the trade-off the option exposes.
  const std::vector<JobSpec> jobs = {job("a", 0, 6, 1000), job("b", 0, 6, 1000),
                                     job("c", 0, 4, 3000)};
  const test::RunOutput r =
      test::run_at_sites(two_sites(CrossSiteGangs::Split::WhenBlocked), jobs, "");
  EXPECT_EQ(r["c"].span.sites, 2u);
  EXPECT_DOUBLE_EQ(seconds(r["c"].first_start), 0);
  EXPECT_DOUBLE_EQ(seconds(r["c"].end), 4500);
}

TEST(CrossSiteSplit, ASplitGangStagesItsDataToEverySiteItUses) {
  // 100 GB at site 0; the gang's anchor is site 0 (8 GPUs) and 4 GPUs are at site 1, which
  // needs the data: 10 ms + 100 GB x 8 / 100 Gbps = 8.01 s before 4,500 s of compute.
  JobSpec g = job("g", 0, 12, 3000);
  g.data_site = SiteId{0};
  g.data_gb = 100;
  const test::RunOutput r = test::run_at_sites(two_sites(), {g}, "");
  EXPECT_EQ(r["g"].site, SiteId{0});
  EXPECT_DOUBLE_EQ(seconds(r["g"].staging_time), 8.01);
  EXPECT_DOUBLE_EQ(seconds(r["g"].end), 4508.01);
}

TEST(CrossSiteSplit, ResidencyBoundsTheGroup) {
  // A 16-GPU gang allowed only at a and b of the line runs over exactly those two.
  JobSpec g = job("g", 0, 16, 600);
  g.allowed_sites = 0b011;
  const test::RunOutput r = test::run_at_sites(three_in_a_line(), {g}, "spread");
  EXPECT_EQ(r["g"].span.sites, 2u);
  EXPECT_DOUBLE_EQ(r.totals.sites[2].allocated_gpu_seconds, 0);
  // 10 ms against 20 ms for half speed: 600 s of work takes 900 s.
  EXPECT_DOUBLE_EQ(seconds(r["g"].end), 900);
}

}  // namespace
}  // namespace fleetsim
