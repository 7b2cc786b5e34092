// The carbon-aware hold of flexible jobs (SiteSelection::release_time, core/engine_holds.cpp),
// on two one-node sites with daily carbon profiles where the greenest hour of a job's slack can
// be read off by eye: when a job is held, where it then runs, what its run emits, and when it is
// not held (no slack, another site selection, a tie, a site it may not use).
#include <array>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/core/engine.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::job;
using test::seconds;

constexpr double kHour = 3600;

std::array<double, 24> flat(double value) {
  std::array<double, 24> a{};
  a.fill(value);
  return a;
}

// Site A (id 0) and site B (id 1), one 8-GPU H100 node each, PUE 1, local time = simulated time.
// A: 300 g/kWh, 120 in hour 5. B: 250 g/kWh, 150 in hour 4 and 50 in hour 9.
Fleet two_sites(std::array<double, 24> a = {}, std::array<double, 24> b = {}) {
  if (a == std::array<double, 24>{}) {
    a = flat(300);
    a[5] = 120;
  }
  if (b == std::array<double, 24>{}) {
    b = flat(250);
    b[4] = 150;
    b[9] = 50;
  }
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  const StepProfile uncapped = StepProfile::constant(std::numeric_limits<double>::infinity());
  fleet.site_energy = {{uncapped, 1.0, StepProfile::daily(a, 0), StepProfile::constant(0)},
                       {uncapped, 1.0, StepProfile::daily(b, 0), StepProfile::constant(0)}};
  return fleet;
}

JobSpec flexible(const std::string& name, double submit_s, double duration_s, double slack_h) {
  JobSpec j = job(name, submit_s, 8, duration_s);
  j.start_slack = from_seconds(slack_h * kHour);
  return j;
}

using HoldRun = test::RunOutput;

// fifo + first_fit with the named site selection ("" = none: the placement chooses).
HoldRun run_with(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& selection,
                 const SiteSelection* custom = nullptr) {
  return test::run_at_sites(fleet, std::move(jobs), selection, "fifo", test::no_samples(), {},
                            custom);
}

SimTime carbon_release(const Fleet& fleet, const JobSpec& spec) {
  const std::unique_ptr<SiteSelection> s = find_site_selection("carbon_aware")->make();
  return s->release_time(spec, SiteContext{&fleet, nullptr, nullptr, spec.submit});
}

TEST(CarbonHold, AFlexibleJobIsHeldToTheGreenestHourOfItsSlackAndRunsThere) {
  const Fleet fleet = two_sites();
  // Submitted at 1:30 with 6 h of slack: candidates 1:30 (B, 250), 2:00 .. 7:00 (hour 4: B 150,
  // hour 5: A 120; 8:00 is past 7:30). The greenest is A at 5:00 = 18,000 s.
  const HoldRun r = run_with(fleet, {flexible("f", 1.5 * kHour, 1800, 6)}, "carbon_aware");
  const Job& f = r.jobs[0];
  EXPECT_DOUBLE_EQ(seconds(f.held), 12'600);  // 18,000 - 5,400
  EXPECT_DOUBLE_EQ(seconds(f.first_start), 18'000);
  EXPECT_DOUBLE_EQ(seconds(f.end), 19'800);
  EXPECT_EQ(f.site, SiteId{0});  // at 5:00 A (120) is greener than B (250)
  EXPECT_EQ(f.state, JobState::Done);
  // Energy: each node idles at 576 W for the whole run (0 to 5.5 h); the job adds 5,024 W at A
  // for 0.5 h = 2.512 kWh. Carbon at A: idle 0.576 kW x (5 h x 300 + 0.5 h x 120) = 898.56 g,
  // the job 2.512 kWh x 120 = 301.44 g: 1,200 g. At B: 0.576 x (4 x 250 + 150 + 0.5 x 250) =
  // 734.4 g.
  const SiteEnergyTotals& a = r.totals.sites[0].energy;
  const SiteEnergyTotals& b = r.totals.sites[1].energy;
  EXPECT_NEAR(a.it_mwh, (576.0 * 19'800 + 5024.0 * 1800) / 3.6e9, 1e-15);
  EXPECT_NEAR(a.carbon_t, 1200e-6, 1e-12);
  EXPECT_NEAR(b.carbon_t, 734.4e-6, 1e-12);
  // Without slack it starts at 1:30 at B (250 < 300) and its run emits 2.512 x 250 = 628 g,
  // against 301.44 g held.
  const HoldRun now = run_with(fleet, {flexible("f", 1.5 * kHour, 1800, 0)}, "carbon_aware");
  EXPECT_EQ(now.jobs[0].site, SiteId{1});
  EXPECT_NEAR(now.totals.sites[1].energy.carbon_t,
              (0.576 * (1.5 * 250 + 0.5 * 250) + 2.512 * 250) * 1e-6, 1e-12);
}

TEST(CarbonHold, NoSlackOrAnotherSiteSelectionMeansNoHold) {
  const Fleet fleet = two_sites();
  const HoldRun no_slack = run_with(fleet, {flexible("f", 1.5 * kHour, 1800, 0)}, "carbon_aware");
  EXPECT_EQ(no_slack.jobs[0].held, 0);
  EXPECT_DOUBLE_EQ(seconds(no_slack.jobs[0].first_start), 5400);
  for (const char* selection : {"", "pack", "spread", "price_aware", "data_local", "power_aware"}) {
    const HoldRun r = run_with(fleet, {flexible("f", 1.5 * kHour, 1800, 6)}, selection);
    EXPECT_EQ(r.jobs[0].held, 0) << selection;
    EXPECT_DOUBLE_EQ(seconds(r.jobs[0].first_start), 5400) << selection;
  }
}

TEST(CarbonHold, TheEarliestOfEqualMinimaWinsAndNowBeingTheMinimumMeansNoHold) {
  std::array<double, 24> a = flat(300);
  a[3] = 100;
  a[6] = 100;
  std::array<double, 24> b = flat(300);
  const Fleet fleet = two_sites(a, b);
  // From 1:30 with 6 h: 100 at 3:00 and at 6:00; the first.
  EXPECT_EQ(carbon_release(fleet, flexible("f", 1.5 * kHour, 60, 6)), from_seconds(3 * kHour));
  // From 3:10, hour 3 is already at 100: 6:00 is no greener, so no hold.
  EXPECT_EQ(carbon_release(fleet, flexible("f", 3 * kHour + 600, 60, 6)),
            from_seconds(3 * kHour + 600));
  const HoldRun r = run_with(fleet, {flexible("f", 3 * kHour + 600, 60, 6)}, "carbon_aware");
  EXPECT_EQ(r.jobs[0].held, 0);
  // A slack that ends exactly at a step includes it: from 1:30 with 1.5 h, 3:00 is a candidate.
  EXPECT_EQ(carbon_release(fleet, flexible("f", 1.5 * kHour, 60, 1.5)), from_seconds(3 * kHour));
  EXPECT_EQ(carbon_release(fleet, flexible("f", 1.5 * kHour, 60, 1.4)), from_seconds(1.5 * kHour));
}

TEST(CarbonHold, OnlyTheSitesTheJobMayUseCount) {
  const Fleet fleet = two_sites();
  // Allowed at B only: A's 120 at 5:00 does not count; B's 150 at 4:00 does.
  JobSpec f = flexible("f", 1.5 * kHour, 1800, 6);
  f.allowed_sites = 0b10;
  const HoldRun r = run_with(fleet, {f}, "carbon_aware");
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].first_start), 4 * kHour);
  EXPECT_EQ(r.jobs[0].site, SiteId{1});
  // Allowed at A only: 300 until 5:00, then 120.
  f.allowed_sites = 0b01;
  EXPECT_EQ(carbon_release(fleet, f), from_seconds(5 * kHour));
}

TEST(CarbonHold, AHeldJobCountsItsHoldAsQueueingAndOthersDoNotWaitForIt) {
  // One site of one node: the held job f (submit 1:30, released 5:00) is out of the queue, so
  // g (non-flexible, submit 1:40, 2 h) starts at once under fifo and ends at 3:40.
  const Fleet fleet = two_sites();
  JobSpec f = flexible("f", 1.5 * kHour, 1800, 6);
  f.allowed_sites = 0b01;
  JobSpec g = job("g", 1.5 * kHour + 600, 8, 2 * kHour);
  g.allowed_sites = 0b01;
  const HoldRun r = run_with(fleet, {f, g}, "carbon_aware");
  EXPECT_DOUBLE_EQ(seconds(r.jobs[1].first_start), 1.5 * kHour + 600);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].first_start), 5 * kHour);
  // Queueing delay and JCT from the submit: 3.5 h and 4 h.
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].first_start - r.jobs[0].spec.submit), 3.5 * kHour);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].end - r.jobs[0].spec.submit), 4 * kHour);
}

// A user's selection that defers past the slack is a policy error.
class TooLate final : public SiteSelection {
 public:
  void rank(const JobSpec&, const SiteContext&, std::vector<SiteId>& order) const override {
    order = {SiteId{0}, SiteId{1}};
  }
  SimTime release_time(const JobSpec& spec, const SiteContext& context) const override {
    return context.now + spec.start_slack + 1;
  }
};

TEST(CarbonHold, AReleaseOutsideTheSlackIsAPolicyError) {
  const TooLate selection;
  try {
    run_with(two_sites(), {flexible("f", 10, 60, 1)}, "", &selection);
    ADD_FAILURE() << "no error";
  } catch (const PolicyError& e) {
    EXPECT_STREQ(e.what(),
                 "policy fifo: t=10.000000s: site selection releases job f (id 0) at "
                 "t=3610.000001s, outside its start slack [10.000000s, 3610.000000s]");
  }
}

}  // namespace
}  // namespace fleetsim
