// Sites in the engine, on cases a person can work out by hand: energy, carbon and cost against a
// known hourly profile; a power cap that delays a start; residency; WAN staging; build-out and
// maintenance windows; cross-site gangs; and the site-selection strategies.
#include <cmath>
#include <map>
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

constexpr double kInf = std::numeric_limits<double>::infinity();

// Starts each queued job on the GPUs the test names, whatever the rules say: the engine must
// refuse what breaks them.
class FixedPolicy final : public Policy {
 public:
  explicit FixedPolicy(std::map<std::string, Allocation> where) : where_(std::move(where)) {}
  Decisions decide(const SchedulerView& view) override {
    Decisions d;
    for (JobId id : view.queued_jobs()) {
      if (auto it = where_.find(view.job(id).spec.name); it != where_.end()) d.start(id, it->second);
    }
    return d;
  }

 private:
  std::map<std::string, Allocation> where_;
};

Allocation on_nodes(std::initializer_list<std::uint32_t> nodes) {
  Allocation a;
  for (std::uint32_t n : nodes) a.slices.push_back({NodeId{n}, 0xFF});
  return a;
}

using SiteRun = test::RunOutput;

// fifo + first_fit, no samples, with a site selection (empty name: the default, "any").
SiteRun run_sites(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& selection = "",
                  const std::string& policy_name = "fifo") {
  return test::run_at_sites(fleet, std::move(jobs), selection, policy_name);
}

std::string run_fixed_expecting_error(const Fleet& fleet, std::vector<JobSpec> jobs,
                                      std::map<std::string, Allocation> where) {
  FixedPolicy policy(std::move(where));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs));
  EngineConfig config;
  config.policy_name = "fixed";
  config.sample_interval = 0;
  Engine engine(fleet, source, policy, *placement, config);
  try {
    engine.run();
  } catch (const PolicyError& e) {
    return e.what();
  }
  return "no error";
}

SiteEnergy energy(double cap_mw, double pue, StepProfile carbon, StepProfile price) {
  return {StepProfile::constant(cap_mw), pue, std::move(carbon), std::move(price)};
}

// H100 in the test catalog: 700 W TDP, 72 W idle, no overhead. An 8-GPU node draws 576 W idle
// and 5,600 W with a job on it.

TEST(SiteEnergy, OneJobOnOneSiteWithAnHourlyCarbonProfile) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  std::array<double, 24> carbon{};
  for (std::size_t h = 0; h < 24; ++h) carbon[h] = 100.0 * static_cast<double>(h + 1);
  fleet.site_energy = {energy(kInf, 1.5, StepProfile::daily(carbon, 0), StepProfile::constant(50))};
  const SiteRun r = run_sites(fleet, {job("a", 0, 8, 5400)});
  ASSERT_EQ(r.totals.sites.size(), 1u);
  const SiteEnergyTotals& e = r.totals.sites[0].energy;
  // 5,600 W for 1.5 h = 8.4 kWh IT; x 1.5 PUE = 12.6 kWh at the meter.
  EXPECT_NEAR(e.it_mwh, 0.0084, 1e-12);
  EXPECT_NEAR(e.facility_mwh, 0.0126, 1e-12);
  // 8.4 kW facility: hour 0 at 100 g/kWh = 840 g, then half an hour at 200 g/kWh = 840 g.
  EXPECT_NEAR(e.carbon_t, 1680e-6, 1e-12);
  EXPECT_NEAR(e.cost_usd, 0.0126 * 50, 1e-12);
  EXPECT_EQ(e.peak_it_mw, 5'600'000);  // milliwatts
  EXPECT_DOUBLE_EQ(r.totals.sites[0].allocated_gpu_seconds, 8 * 5400.0);
}

TEST(SiteEnergy, AStartOverThePowerCapWaitsForHeadroom) {
  // Two 8-GPU nodes: 1,152 W idle; one job adds 5,024 W (6,176 W), a second would reach 11,200 W
  // against an 8 kW cap, so it starts when the first ends.
  Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  fleet.site_energy = {energy(0.008, 1.0, {}, {})};
  for (const char* policy : {"fifo", "fifo_backfill", "sjf"}) {
    const SiteRun r = run_sites(fleet, {job("a", 0, 8, 1000), job("b", 0, 8, 1000)}, "", policy);
    EXPECT_DOUBLE_EQ(seconds(r.jobs[1].first_start), 1000) << policy;
    EXPECT_DOUBLE_EQ(seconds(r.jobs[1].end), 2000) << policy;
    EXPECT_EQ(r.totals.sites[0].energy.peak_it_mw, 6'176'000) << policy;
  }
}

TEST(SiteEnergy, TheEngineRefusesAStartOverTheCap) {
  Fleet fleet = test::single_cluster_fleet(1, 2, 8);
  fleet.site_energy = {energy(0.008, 1.0, {}, {})};
  EXPECT_EQ(run_fixed_expecting_error(fleet, {job("a", 0, 8, 1000), job("b", 0, 8, 1000)},
                                      {{"a", on_nodes({0})}, {"b", on_nodes({1})}}),
            "policy fixed: t=0.000000s: starts job b (id 1) at site site0: 0.005 MW more would "
            "exceed its IT power cap of 0.008 MW (drawing 0.006 MW)");
}

TEST(Residency, AStartOutsideTheJobsResidencyIsRefused) {
  const Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  JobSpec sovereign = job("s", 0, 8, 100);
  sovereign.allowed_sites = 0b10;  // site1 only
  EXPECT_EQ(run_fixed_expecting_error(fleet, {sovereign}, {{"s", on_nodes({0})}}),
            "policy fixed: t=0.000000s: starts job s (id 0) at site site0 (XX), outside its "
            "residency (sites allowed: site1)");
  // Every built-in placement path keeps it there: the placement's own choice (site0) is not
  // allowed, so it falls back to the next site.
  const SiteRun r = run_sites(fleet, {sovereign});
  EXPECT_EQ(r.jobs[0].site, SiteId{1});
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].end), 100);
}

// Three sites of one 8-GPU node: A -(10 ms, 100 Gbps)- B -(20 ms, 10 Gbps)- C and A -(5 ms,
// 1 Gbps)- C.
Fleet three_sites() {
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}, {2, 1, 1, 8, "H100"}});
  fleet.wan = WanGraph(3, {{SiteId{0}, SiteId{1}, 10, 100},
                           {SiteId{1}, SiteId{2}, 20, 10},
                           {SiteId{0}, SiteId{2}, 5, 1}});
  return fleet;
}

TEST(Staging, DataElsewhereDelaysProgressByTheTransferOverTheWidestPath) {
  JobSpec j = job("j", 0, 8, 3600);
  j.data_site = SiteId{0};
  j.data_gb = 100;
  j.allowed_sites = 0b100;  // must run at C
  const SiteRun r = run_sites(three_sites(), {j});
  // 800 Gb over the 10 Gbps bottleneck of A-B-C = 80 s, plus its 30 ms RTT.
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].staging_time), 80.03);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].first_start), 0);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].end), 3680.03);
}

// Three sites, uncapped: carbon 300 / 100 / 200 g/kWh, price 40 / 90 / 30 $/MWh, PUE 1 / 1 / 1.2.
Fleet three_priced_sites() {
  Fleet fleet = three_sites();
  fleet.site_energy = {energy(kInf, 1.0, StepProfile::constant(300), StepProfile::constant(40)),
                       energy(kInf, 1.0, StepProfile::constant(100), StepProfile::constant(90)),
                       energy(kInf, 1.2, StepProfile::constant(200), StepProfile::constant(30))};
  return fleet;
}

TEST(SiteSelection, EachStrategyPicksTheSiteItsRuleNames) {
  const Fleet fleet = three_priced_sites();
  JobSpec j = job("j", 0, 8, 100);
  j.data_site = SiteId{1};
  j.data_gb = 10;
  const std::map<std::string, SiteId> expected = {
      {"pack", SiteId{0}},          {"carbon_aware", SiteId{1}},  // 100 g/kWh
      {"price_aware", SiteId{2}},   // 30 x 1.2 = 36 $/MWh beats 40
      {"data_local", SiteId{1}},    // its data is there
      {"spread", SiteId{0}},        // all equally free: lowest id
      {"power_aware", SiteId{0}}};  // uncapped: all equal
  for (const auto& [name, site] : expected) {
    EXPECT_EQ(run_sites(fleet, {j}, name).jobs[0].site, site) << name;
  }
}

TEST(SiteSelection, FgdChoosesTheNodeInsideTheSiteTheSelectionRanksFirst) {
  // fgd scores nodes by how much the fragmentation measure grows; a 1-GPU job on empty nodes
  // makes it grow by the same on every node, so without a selection the lowest node wins (site
  // 0). With one, the selection picks the site: carbon_aware site 1 (100 g/kWh), price_aware
  // site 2 (36 $/MWh with its PUE).
  const Fleet fleet = three_priced_sites();
  const JobSpec j = job("j", 0, 1, 100);
  EXPECT_EQ(run_sites(fleet, {j}, "", "fgd").jobs[0].site, SiteId{0});
  EXPECT_EQ(run_sites(fleet, {j}, "carbon_aware", "fgd").jobs[0].site, SiteId{1});
  EXPECT_EQ(run_sites(fleet, {j}, "price_aware", "fgd").jobs[0].site, SiteId{2});
}

TEST(BuildOut, CapacityAppearsAtItsDateAndDrawsNothingBefore) {
  // One site, two 8-GPU racks; the second is built at t = 1,000 s. A 16-GPU job waits for it.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "H100"}});
  fleet.capacity_windows = {
      {CapacityWindow::Cause::BuildOut, 0, from_seconds(1000), RackId{1}, 1}};
  const SiteRun r = run_sites(fleet, {job("big", 0, 16, 500)});
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].first_start), 1000);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].end), 1500);
  // 576 W for 1,000 s (rack 0 idle, rack 1 not there), then 11,200 W for 500 s.
  EXPECT_NEAR(r.totals.sites[0].energy.it_mwh, (576.0 * 1000 + 11200.0 * 500) / 3.6e9, 1e-15);
  EXPECT_DOUBLE_EQ(r.totals.sites[0].online_gpu_seconds, 8 * 1000.0 + 16 * 500.0);
}

TEST(Maintenance, AWindowAfterTheLastJobStillCountsUntilTheLastSample) {
  // Two 8-GPU racks; rack 1 is in maintenance from 1,500 s to 2,000 s; the only job runs on
  // rack 0 from 0 to 1,000 s; samples every 3,000 s, so the run ends at the sample at 3,000 s.
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {0, 1, 1, 8, "H100"}});
  fleet.capacity_windows = {{CapacityWindow::Cause::Maintenance, from_seconds(1500),
                             from_seconds(2000), RackId{1}, 1}};
  EngineConfig config;
  config.sample_interval = from_seconds(3000);
  const SiteRun r = test::run_at_sites(fleet, {job("a", 0, 8, 1000)}, "", "fifo", config);
  EXPECT_DOUBLE_EQ(seconds(r.totals.end_time), 3000);
  // Rack 1 is offline for 500 s of the 3,000 (it used to count as online once no job was left).
  EXPECT_DOUBLE_EQ(r.totals.sites[0].online_gpu_seconds, 16 * 3000.0 - 8 * 500.0);
  // 6,176 W (8 busy at 700 W, 8 idle at 72 W) to 1,000 s, 1,152 W idle, 576 W while rack 1 is
  // off, 1,152 W again: 8,192,000 J.
  EXPECT_NEAR(r.totals.sites[0].energy.it_mwh,
              (6176.0 * 1000 + 1152.0 * 500 + 576.0 * 500 + 1152.0 * 1000) / 3.6e9, 1e-15);
}

TEST(Maintenance, AWindowInterruptsTheJobsOnItsRacksAndReturnsThemAfter) {
  Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  fleet.capacity_windows = {{CapacityWindow::Cause::Maintenance, from_seconds(500),
                             from_seconds(800), RackId{0}, 1}};
  const SiteRun r = run_sites(fleet, {job("a", 0, 8, 1000)});
  // Without checkpoints the first 500 s are lost; it runs again from 800 s for 1,000 s.
  EXPECT_EQ(r.totals.maintenance_interruptions, 1u);
  EXPECT_EQ(r.jobs[0].interruptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].lost_time), 500);
  EXPECT_DOUBLE_EQ(seconds(r.jobs[0].end), 1800);
}

TEST(CrossSite, AGangAcrossSitesRunsSlowerByTheRttAndOnlyWhenAllowed) {
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  fleet.wan = WanGraph(2, {{SiteId{0}, SiteId{1}, 10, 100}});
  Allocation half_and_half;  // 4 GPUs at each site
  half_and_half.slices = {{NodeId{0}, 0x0F}, {NodeId{1}, 0x0F}};
  const std::map<std::string, Allocation> across = {{"g", half_and_half}};
  EXPECT_EQ(run_fixed_expecting_error(fleet, {job("g", 0, 8, 3000)}, across),
            "policy fixed: t=0.000000s: starts job g (id 0) across sites site0 and site1");
  fleet.cross_site = {true, 5, 20};
  EXPECT_EQ(run_fixed_expecting_error(fleet, {job("g", 0, 8, 3000)}, across),
            "policy fixed: t=0.000000s: starts job g (id 0) across sites site0 and site1, more "
            "than the 5 ms RTT a cross-site gang may span");
  fleet.cross_site = {true, 20, 20};
  FixedPolicy policy(across);
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source({job("g", 0, 8, 3000)});
  EngineConfig config;
  config.sample_interval = 0;
  Engine engine(fleet, source, policy, *placement, config);
  InvariantChecker checker(fleet, config, engine.jobs());
  engine.add_observer(checker);
  test::expect_no_violations(checker, engine.run());
  // RTT 10 ms against 20 ms for half speed: rate 1 / 1.5, so 3,000 s of work takes 4,500 s.
  EXPECT_DOUBLE_EQ(seconds(engine.jobs()[0].end), 4500);
  EXPECT_EQ(engine.jobs()[0].span.sites, 2u);
}

}  // namespace
}  // namespace fleetsim
