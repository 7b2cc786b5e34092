// Power-cap schedules in the engine, on cases a person can work out by hand: a cap drop sheds
// the newest job (power_aware: the lowest priority), which keeps its progress and restarts when
// the cap rises; a rise alone starts a job; power_aware looks ahead at a drop; the sampled cap
// follows the profile.
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

// H100 in the test catalog: 700 W TDP, 72 W idle, no overhead. One 8-GPU node draws 576 W idle;
// a 4-GPU job adds 4 x 628 = 2,512 W and an 8-GPU job 5,024 W.

// A cap in MW that steps at the given seconds (the first value from time 0).
StepProfile steps(std::vector<double> at_s, std::vector<double> mw) {
  std::vector<SimTime> times;
  for (double t : at_s) times.push_back(from_seconds(t));
  return StepProfile::series(std::move(times), std::move(mw));
}

SiteEnergy capped(StepProfile cap) {
  SiteEnergy e;
  e.it_cap_mw = std::move(cap);
  return e;
}

struct Samples final : RunObserver {
  void on_sample(const SampleState& s) override { rows.push_back(s); }
  std::vector<SampleState> rows;
};

struct CapRun : test::RunOutput {
  std::vector<SampleState> samples;
};

// fifo + first_fit with a site selection (empty: the default, "any").
CapRun run_caps(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& selection = "",
                Duration preempt_overhead = 0, Duration sample_interval = 0) {
  EngineConfig config;
  config.preempt_overhead = preempt_overhead;
  config.sample_interval = sample_interval;
  Samples samples;
  CapRun out{test::run_at_sites(fleet, std::move(jobs), selection, "fifo", config, {&samples}),
             {}};
  out.samples = std::move(samples.rows);
  return out;
}

// 6 kW: room for two 4-GPU jobs (576 + 2 x 2,512 = 5,600 W); 4 kW: room for one (3,088 W).
StepProfile two_then_one_then_two() { return steps({0, 1000, 3000}, {0.006, 0.004, 0.006}); }

TEST(CapSchedule, ADropShedsTheNewestJobWhichRestartsWhenTheCapRises) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.site_energy = {capped(two_then_one_then_two())};
  for (const char* selection : {"", "pack"}) {
    const CapRun r = run_caps(fleet, {job("a", 0, 4, 5000), job("b", 100, 4, 2000)}, selection);
    // a runs 0..5,000 s untouched. b starts at 100 s; at 1,000 s it is the newest and is shed
    // with 900 s done; it cannot fit under 4 kW beside a, so it restarts when the cap rises at
    // 3,000 s and runs its last 1,100 s: it ends at 4,100 s.
    EXPECT_DOUBLE_EQ(seconds(r["a"].end), 5000) << selection;
    EXPECT_EQ(r["a"].preemptions, 0u) << selection;
    EXPECT_DOUBLE_EQ(seconds(r["b"].first_start), 100) << selection;
    EXPECT_EQ(r["b"].preemptions, 1u) << selection;  // a shed is a preemption in jobs.csv
    EXPECT_DOUBLE_EQ(seconds(r["b"].run_time), 900 + 1100) << selection;
    EXPECT_DOUBLE_EQ(seconds(r["b"].end), 4100) << selection;
    EXPECT_EQ(r.totals.cap_sheds, 1u) << selection;
    EXPECT_EQ(r.totals.sites[0].cap_sheds, 1u) << selection;
    EXPECT_EQ(r.totals.sites[0].energy.peak_it_mw, 5'600'000) << selection;
  }
}

TEST(CapSchedule, AShedJobDrainingThePreemptOverheadStopsDrawingAtTheDrop) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.site_energy = {capped(two_then_one_then_two())};
  const CapRun r =
      run_caps(fleet, {job("a", 0, 4, 5000), job("b", 100, 4, 2000)}, "", from_seconds(60));
  // b holds its GPUs until 1,060 s but draws nothing busy from 1,000 s; it restarts at 3,000 s
  // (no resume overhead) and ends at 4,100 s.
  EXPECT_DOUBLE_EQ(seconds(r["b"].end), 4100);
  EXPECT_DOUBLE_EQ(seconds(r["b"].run_time), 960 + 1100);
  // IT draw: 3,088 W for 100 s, 5,600 W for 900 s, 3,088 W from 1,000 s (not 5,600 W until
  // 1,060 s) to 3,000 s, 5,600 W to 4,100 s, 3,088 W to 5,000 s:
  // 308,800 + 5,040,000 + 6,176,000 + 6,160,000 + 2,779,200 = 20,464,000 J.
  EXPECT_NEAR(r.totals.sites[0].energy.it_mwh, 20'464'000 / 3.6e9, 1e-12);
}

TEST(CapSchedule, PowerAwareShedsTheLowerPriorityJobEvenWhenItIsOlder) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.site_energy = {capped(two_then_one_then_two())};
  JobSpec a = job("a", 0, 4, 5000);
  a.priority = 0;
  JobSpec b = job("b", 100, 4, 2000);
  b.priority = 1;
  b.estimate = from_seconds(500);  // its user expects it over before the drop: no look-ahead hold
  const CapRun by_default = run_caps(fleet, {a, b});
  EXPECT_EQ(by_default["a"].preemptions, 0u);
  EXPECT_EQ(by_default["b"].preemptions, 1u);

  const CapRun r = run_caps(fleet, {a, b}, "power_aware");
  // At 1,000 s the older a (priority 0) is shed with 1,000 s done. b runs 100..2,100 s; then a
  // fits under 4 kW again and runs its last 4,000 s: 2,100..6,100 s.
  EXPECT_EQ(r["b"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(seconds(r["b"].end), 2100);
  EXPECT_EQ(r["a"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(r["a"].end), 6100);
  EXPECT_EQ(r.totals.cap_sheds, 1u);
}

TEST(CapSchedule, PowerAwareLooksAheadAndPlacesAwayFromADropThatPackWalksInto) {
  // Site 0: 6 kW, then 1 kW (idle only) from 1,000 s to 5,000 s. Site 1: 5.8 kW throughout.
  // Both hold an 8-GPU job now (5,600 W); by headroom share site 0 comes first
  // (5,424 / 6,000 > 5,224 / 5,800).
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  fleet.site_energy = {capped(steps({0, 1000, 5000}, {0.006, 0.001, 0.006})),
                       capped(StepProfile::constant(0.0058))};
  const std::vector<JobSpec> jobs = {job("x", 0, 8, 2000)};

  const CapRun pack = run_caps(fleet, jobs, "pack");
  // Site 0 at 0 s, shed at 1,000 s with 1,000 s done, restarted at site 1 at once: ends 2,000 s.
  EXPECT_EQ(pack["x"].preemptions, 1u);
  EXPECT_EQ(pack.totals.sites[0].cap_sheds, 1u);
  EXPECT_EQ(pack["x"].site, SiteId{1});
  EXPECT_DOUBLE_EQ(seconds(pack["x"].end), 2000);

  const CapRun aware = run_caps(fleet, jobs, "power_aware");
  // Site 0 would drop below 5,600 W before x's end at 2,000 s, and a start at 5,000 s would
  // not: ranked out, so x runs at site 1 from 0 s, never shed.
  EXPECT_EQ(aware["x"].preemptions, 0u);
  EXPECT_EQ(aware["x"].site, SiteId{1});
  EXPECT_DOUBLE_EQ(seconds(aware["x"].end), 2000);
  EXPECT_EQ(aware.totals.cap_sheds, 0u);

  // Site 0 alone: power_aware holds x until the cap is back at 5,000 s (ends 7,000 s); pack
  // starts it at once, is shed at 1,000 s and finishes the last 1,000 s from 5,000 s.
  Fleet one = test::single_cluster_fleet(1, 1, 8);
  one.site_energy = {fleet.site_energy[0]};
  const CapRun held = run_caps(one, jobs, "power_aware");
  EXPECT_DOUBLE_EQ(seconds(held["x"].first_start), 5000);
  EXPECT_DOUBLE_EQ(seconds(held["x"].end), 7000);
  EXPECT_EQ(held["x"].preemptions, 0u);
  const CapRun walked = run_caps(one, jobs, "pack");
  EXPECT_DOUBLE_EQ(seconds(walked["x"].first_start), 0);
  EXPECT_DOUBLE_EQ(seconds(walked["x"].end), 6000);
  EXPECT_EQ(walked["x"].preemptions, 1u);
}

TEST(CapSchedule, PowerAwareStartsAJobLongerThanEveryHighCapWindowInsteadOfHoldingItForever) {
  // A daily shape: 6 kW from local hour 0 to 12, 1 kW after. A 20-hour job always meets a
  // drop, wherever it starts: waiting cannot help, so it starts at 0 s and is shed at 12 h,
  // restarts at 24 h with 12 h done and ends at 32 h.
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  std::array<double, 24> hourly{};
  for (std::size_t h = 0; h < 24; ++h) hourly[h] = h < 12 ? 0.006 : 0.001;
  fleet.site_energy = {capped(StepProfile::daily(hourly, 0))};
  const CapRun r = run_caps(fleet, {job("long", 0, 8, 20 * 3600)}, "power_aware");
  EXPECT_DOUBLE_EQ(seconds(r["long"].first_start), 0);
  EXPECT_EQ(r["long"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(r["long"].end), 32 * 3600);
}

TEST(CapSchedule, ARisingCapStartsAWaitingJobAtThatInstant) {
  // 1 kW (idle only) until 1,500 s, then 6 kW: the job waits for the rise, the only event at
  // 1,500 s, and runs 1,500..2,500 s.
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.site_energy = {capped(steps({0, 1500}, {0.001, 0.006}))};
  const CapRun r = run_caps(fleet, {job("a", 0, 8, 1000)});
  EXPECT_DOUBLE_EQ(seconds(r["a"].first_start), 1500);
  EXPECT_DOUBLE_EQ(seconds(r["a"].end), 2500);
  EXPECT_EQ(r.totals.cap_sheds, 0u);
}

TEST(CapSchedule, SamplesShowTheCapAtEachSampleTime) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.site_energy = {capped(two_then_one_then_two())};
  const CapRun r = run_caps(fleet, {job("a", 0, 4, 3500)}, "", 0, from_seconds(500));
  // Samples every 500 s from 0 to 3,500 s: 6 kW before 1,000 s, 4 kW to 3,000 s, then 6 kW.
  const std::vector<double> expected = {0.006, 0.006, 0.004, 0.004, 0.004, 0.004, 0.006, 0.006};
  ASSERT_EQ(r.samples.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_DOUBLE_EQ(r.samples[i].sites[0].cap_mw, expected[i]) << "sample " << i;
  }
}

TEST(CapSchedule, AJobLeftQueuedForGoodEndsTheRunDespiteADailyCapElsewhere) {
  // Site 0's cap falls for good to its idle draw at 100 s; j arrives at 200 s, may run only
  // there, and never starts. Site 1's daily shape steps every hour forever: the run still ends
  // (two days after the last start, with nothing running), leaving j queued.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  std::array<double, 24> hourly{};
  for (std::size_t h = 0; h < 24; ++h) hourly[h] = h % 2 == 0 ? 0.006 : 0.004;
  fleet.site_energy = {capped(steps({0, 100}, {0.006, 0.000576})),
                       capped(StepProfile::daily(hourly, 0))};
  JobSpec j = job("j", 200, 8, 100);
  j.allowed_sites = 1;  // site 0 only
  const CapRun r = run_caps(fleet, {job("early", 0, 8, 50), j}, "", 0, from_seconds(3600));
  EXPECT_EQ(r["early"].state, JobState::Done);
  EXPECT_EQ(r["j"].state, JobState::Queued);
  EXPECT_LE(seconds(r.totals.end_time), 3 * 86400);
}

}  // namespace
}  // namespace fleetsim
