// Multi-site conformance: every registered policy and site selection on seeded random fleets of
// 2-4 sites with IT power caps (constant, or schedules that drop and rise: a daily shape or a
// series of steps), WAN links, jobs with residency and data elsewhere, and on some seeds
// preemption overheads and a maintenance window. The simulator's InvariantChecker keeps its own
// per-site power ledger from the hooks and checks that no site is ever over its cap at any
// instant (so a cap drop must shed work), that no job runs outside its residency or spans sites
// farther apart than the cross-site limit, and that the engine's energy equals its own integral
// of power over time. A third of the jobs are flexible (start slack up to 12 h): each is held
// exactly until the release its site selection gives it, and none starts before. Half the fleets
// allow cross-site gangs, some of which only a split holds.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/policy/registry.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/feasibility.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/finished_records.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using Int = boost::random::uniform_int_distribution<std::uint32_t>;
using Real = boost::random::uniform_real_distribution<double>;
using Coin = boost::random::bernoulli_distribution<double>;

struct Scenario {
  Fleet fleet;
  std::vector<JobSpec> jobs;
  EngineConfig config;
};

// The fleet with each site's cap at its lowest value over the first three days.
Fleet at_lowest_caps(const Fleet& fleet) {
  Fleet out = fleet;
  for (SiteEnergy& e : out.site_energy) {
    if (e.capped()) e.it_cap_mw = StepProfile::constant(e.it_cap_mw.min_over(0, 3 * 24 * kMicrosPerHour));
  }
  return out;
}

Scenario make_scenario(std::uint64_t seed, bool fractional) {
  std::mt19937_64 rng(seed);
  Scenario sc;
  const std::uint32_t sites = Int(2, 4)(rng);
  std::vector<test::ClusterShape> shapes;
  for (std::uint32_t s = 0; s < sites; ++s) {
    shapes.push_back({s, Int(1, 3)(rng), Int(1, 3)(rng), 8, Coin(0.7)(rng) ? "H100" : "A100"});
  }
  sc.fleet = test::fleet_of(shapes);
  std::vector<WanLink> links;
  for (std::uint32_t s = 1; s < sites; ++s) {  // a chain, so every site is reachable
    links.push_back({SiteId{s - 1}, SiteId{s}, Real(1, 50)(rng), Real(1, 100)(rng)});
  }
  sc.fleet.wan = WanGraph(sites, std::move(links));
  // Cross-site gangs on half the fleets, drawn from their own generator so that every other
  // draw of a seed stays as it was.
  std::mt19937_64 cross_rng(seed + 0xc055);
  if (Coin(0.5)(cross_rng)) {
    sc.fleet.cross_site = {true, Real(10, 100)(cross_rng), Real(5, 100)(cross_rng),
                           Coin(0.5)(cross_rng) ? CrossSiteGangs::Split::WhenBlocked
                                                : CrossSiteGangs::Split::Oversized};
  }
  // Caps between idle draw and full busy draw: some starts must wait for headroom.
  for (std::uint32_t s = 0; s < sites; ++s) {
    const Site& site = sc.fleet.topology.site(SiteId{s});
    const GpuType& type = sc.fleet.catalog.type(sc.fleet.topology.node(
        sc.fleet.topology.rack(sc.fleet.topology.cluster(site.first_cluster).first_rack).first_node).type);
    const double idle_mw = static_cast<double>(site.gpu_count) * type.idle_w / 1e6;
    const double busy_mw = static_cast<double>(site.gpu_count) * type.tdp_w / 1e6;
    const auto cap_at = [&](double low) {
      return idle_mw + Real(low, 1.0)(rng) * (busy_mw - idle_mw);
    };
    SiteEnergy e;
    if (Coin(0.8)(rng)) {
      switch (Int(0, 2)(rng)) {
        case 0: e.it_cap_mw = StepProfile::constant(cap_at(0.4)); break;
        case 1: {  // hourly shape, some hours with room for little or no busy GPU
          std::array<double, 24> hourly{};
          for (double& h : hourly) h = cap_at(0.05);
          e.it_cap_mw = StepProfile::daily(hourly, Int(0, 23)(rng) * kMicrosPerHour);
          break;
        }
        default: {  // steps at random times while jobs run, then the highest for good (a
                    // job sized to the highest cap must find it again, or it never finishes)
          std::vector<SimTime> times;
          std::vector<double> values;
          double t_s = 0;
          for (std::uint32_t i = Int(2, 12)(rng); i > 0; --i) {
            times.push_back(static_cast<SimTime>(t_s * 1e6));
            values.push_back(cap_at(0.05));
            t_s += Real(300, 5000)(rng);
          }
          times.push_back(static_cast<SimTime>(t_s * 1e6));
          values.push_back(*std::max_element(values.begin(), values.end()));
          e.it_cap_mw = StepProfile::series(std::move(times), std::move(values));
          break;
        }
      }
    }
    e.pue = Real(1.0, 1.5)(rng);
    std::array<double, 24> carbon{};
    for (double& c : carbon) c = Real(50, 500)(rng);
    e.carbon_g_per_kwh = StepProfile::daily(carbon, 0);
    e.price_usd_per_mwh = StepProfile::constant(Real(30, 100)(rng));
    sc.fleet.site_energy.push_back(std::move(e));
  }
  const Feasibility feasibility(sc.fleet);
  // Gangs sized to the largest group at every site's lowest cap: split, and placeable whenever
  // their sites are idle (at the highest caps, which sites may never reach together).
  const Fleet lowest = at_lowest_caps(sc.fleet);
  const Feasibility at_lowest(lowest);
  const std::uint32_t count = Int(200, 600)(rng);
  // Its own generator, so the flexible jobs leave every other draw of the scenario as it was.
  std::mt19937_64 flexible_rng(seed + 0x5eed);
  double t = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    t += Real(0, 60)(rng);
    JobSpec spec = test::job(fmt::format("j{}", i), t, 8 * Int(1, 3)(rng) / 2, Real(60, 3600)(rng));
    if (Coin(0.3)(rng)) spec.allowed_sites = std::uint64_t{1} << Int(0, sites - 1)(rng);
    if (Coin(0.5)(rng)) {
      spec.data_site = SiteId{Int(0, sites - 1)(rng)};
      spec.data_gb = static_cast<float>(Real(1, 500)(rng));
    }
    spec.gpu_utilisation = static_cast<float>(Real(0.3, 1.0)(rng));
    spec.preemptible = Coin(0.8)(rng);
    spec.priority = static_cast<int>(Int(0, 2)(rng));
    if (Coin(1.0 / 3)(flexible_rng)) {
      spec.start_slack = from_seconds(Real(0, 12 * 3600.0)(flexible_rng));
    }
    spec.gpus = static_cast<std::uint32_t>(std::min<std::uint64_t>(spec.gpus, feasibility.largest_gang(spec)));
    if (spec.gpus == 0) {
      spec.allowed_sites = JobSpec::kAnySite;
      spec.gpus = 8;
    }
    if (sc.fleet.cross_site.allowed && Coin(0.1)(cross_rng)) {
      spec.gpus = std::max(spec.gpus, static_cast<std::uint32_t>(at_lowest.largest_gang(spec)));
    }
    sc.jobs.push_back(std::move(spec));
  }
  // With `fractional`, about one job in six becomes a 1-GPU job asking for a share of its GPU
  // (gpu_milli < 1000), drawn after every other job draw from a stream of its own: shares under
  // power caps (a share draws its part of a busy GPU's power) and maintenance windows.
  if (fractional) {
    std::mt19937_64 share_rng(seed + 0x5a7e);
    constexpr std::uint16_t kMilli[] = {100, 250, 500, 700, 900};
    for (JobSpec& spec : sc.jobs) {
      if (!Coin(1.0 / 6)(share_rng)) continue;
      JobSpec share = spec;
      share.gpus = 1;
      share.gpu_milli = kMilli[Int(0, 4)(share_rng)];
      if (feasibility.largest_gang(share) >= 1) spec = std::move(share);
    }
  }
  // Half the seeds pay preemption overheads (a shed job drains without drawing busy power),
  // half take a rack out for maintenance while jobs run; their own generator again.
  std::mt19937_64 extra_rng(seed + 0xc4ec);
  if (Coin(0.5)(extra_rng)) {
    sc.config.preempt_overhead = from_seconds(Real(1, 120)(extra_rng));
    sc.config.resume_overhead = from_seconds(Real(0, 60)(extra_rng));
  }
  if (Coin(0.5)(extra_rng)) {
    const auto racks = static_cast<std::uint32_t>(sc.fleet.topology.racks().size());
    const SimTime from = from_seconds(Real(0, t)(extra_rng));
    sc.fleet.capacity_windows = {{CapacityWindow::Cause::Maintenance, from,
                                  from + from_seconds(Real(600, 7200)(extra_rng)),
                                  RackId{Int(0, racks - 1)(extra_rng)}, 1}};
  }
  return sc;
}

// Each (policy, site selection) gets the seed of its names, so registering another policy or
// selection adds cases and leaves every other case's scenario as it was (seeds numbered by
// position all moved when one was added, and two then failed: see regression_cases()).
// Fractional jobs in every case (the last field).
using Case = std::tuple<std::string, std::string, std::uint64_t, bool>;

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const PolicyInfo& p : registered_policies()) {
    for (const SiteSelectionInfo& s : registered_site_selections()) {
      out.emplace_back(p.name, s.name, stable_hash(p.name + "/" + s.name), true);
    }
  }
  return out;
}

// Scenarios that once failed, kept whatever the seeds above become. Seed 68: a 12-GPU gang fits
// only at the site the inference side holds, as the training side's power cap runs 11 busy
// GPUs at most (NodePartition counted 24 GPUs there; lend and reserved never started it). Seed
// 72: a class-2 gang preempted for GPUs a lower class then took, again and again, each victim
// preempted within its resume overhead (PlanningCapacity promised them by count; the run never
// ended). Seeds 9 and 31: the same with the power a waiting gang needs (up to 959 preemptions of
// one job in a row, each before it made progress). Seed 36: gavel_max_min rotated a gang out at
// a round boundary before its staging and resume overhead were over, 10,000 times in a row (it now
// keeps a job's GPUs until the job has made progress). The last field: with fractional jobs (a name
// ending in f) or without (these scenarios as they were).
std::vector<Case> regression_cases() {
  return {{"lend", "power_aware", 68, false},      {"reserved", "any", 68, false},
          {"priority", "carbon_aware", 72, false}, {"srtf", "any", 72, false},
          {"priority", "any", 9, false},           {"priority", "price_aware", 31, false},
          {"gavel_max_min", "any", 36, false},     {"gavel_max_min", "spread", 36, true}};
}

class PropertyMultiSite : public ::testing::TestWithParam<Case> {};

TEST_P(PropertyMultiSite, CapsResidencyAndEnergyHold) {
  const auto& [policy_name, selection_name, seed, fractional] = GetParam();
  const Scenario sc = make_scenario(seed, fractional);
  const PolicyInfo* info = find_policy(policy_name);
  std::unique_ptr<Policy> policy = info->make(make_params(*info, {}));
  const std::unique_ptr<Placement> placement = find_placement("topology")->make();
  const std::unique_ptr<SiteSelection> selection = find_site_selection(selection_name)->make();
  VectorSource source(sc.jobs);
  EngineConfig config = sc.config;
  config.policy_name = policy_name;
  Engine engine(sc.fleet, source, *policy, *placement, config);
  engine.set_site_selection(selection.get());
  InvariantChecker check(sc.fleet, config, engine.jobs());
  engine.add_observer(check);
  const RunTotals totals = engine.run();
  check.finish(totals);
  for (const std::string& f : check.violations().lines()) ADD_FAILURE() << f;
  EXPECT_EQ(check.violations().count(), 0u);
  // The hold is the site selection's release, asked again independently of the engine (it is
  // decided at arrival, on the forecast alone).
  for (const Job& j : engine.jobs()) {
    SimTime release = j.spec.submit;
    if (j.spec.start_slack > 0 && selection != nullptr) {
      release =
          selection->release_time(j.spec, SiteContext{&sc.fleet, nullptr, nullptr, j.spec.submit});
    }
    EXPECT_EQ(j.held, release - j.spec.submit) << j.spec.name;
  }
  std::uint64_t finished = 0;
  for (const Job& j : engine.jobs()) finished += j.state == JobState::Done;
  EXPECT_EQ(finished, sc.jobs.size()) << "every job finishes";
  std::uint64_t split = 0;
  for (const Job& j : engine.jobs()) split += j.span.sites > 1;
  if (!sc.fleet.cross_site.allowed) {
    EXPECT_EQ(split, 0u) << "a gang spans sites on a fleet without cross-site gangs";
  }
  std::uint64_t held = 0;
  for (const Job& j : engine.jobs()) held += j.held > 0;
  if (selection_name == "carbon_aware") {
    EXPECT_GT(held, 0u) << "some flexible jobs wait for a greener hour";
  } else {
    EXPECT_EQ(held, 0u);
  }
  for (std::size_t s = 0; s < totals.sites.size(); ++s) {
    EXPECT_NEAR(totals.sites[s].energy.it_mwh, check.it_mwh(SiteId{s}),
                1e-9 * check.it_mwh(SiteId{s}))
        << "site " << s << ": energy = integral of power";
  }

  // Again with an engine that drops finished jobs' records: the same records at their finish,
  // the same energy (caps shed running jobs, holds release them: none may read a dropped one).
  const std::unique_ptr<Policy> policy_again = info->make(make_params(*info, {}));
  VectorSource source_again(sc.jobs);
  config.keep_finished_jobs = false;
  Engine dropping(sc.fleet, source_again, *policy_again, *placement, config);
  dropping.set_site_selection(selection.get());
  test::FinishedRecords records(dropping.job_table());
  dropping.add_observer(records);
  const RunTotals totals_again = dropping.run();
  const std::vector<Job> again = records.all_jobs();
  ASSERT_EQ(again.size(), engine.jobs().size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    const Job& j = engine.jobs()[i];
    EXPECT_EQ(std::tie(j.end, j.first_start, j.run_time, j.preemptions, j.site, j.staging_time),
              std::tie(again[i].end, again[i].first_start, again[i].run_time,
                       again[i].preemptions, again[i].site, again[i].staging_time))
        << j.spec.name;
  }
  EXPECT_EQ(totals_again.events, totals.events);
  for (std::size_t s = 0; s < totals.sites.size(); ++s) {
    EXPECT_EQ(totals_again.sites[s].energy.it_mwh, totals.sites[s].energy.it_mwh);
  }
}

TEST(PropertyMultiSiteSplit, TheFleetsThatAllowCrossSiteGangsSplitSome) {
  std::uint64_t fleets = 0, split = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const Scenario sc = make_scenario(seed, false);
    if (!sc.fleet.cross_site.allowed) continue;
    ++fleets;
    for (const Job& j : test::run_at_sites(sc.fleet, sc.jobs, "spread").jobs) {
      split += j.span.sites > 1;
    }
  }
  EXPECT_GE(fleets, 2u);
  EXPECT_GT(split, 0u);
}

INSTANTIATE_TEST_SUITE_P(Property, PropertyMultiSite, ::testing::ValuesIn(cases()),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" + std::get<1>(p.param);
                         });
INSTANTIATE_TEST_SUITE_P(PropertyRegression, PropertyMultiSite,
                         ::testing::ValuesIn(regression_cases()), [](const auto& p) {
                           return fmt::format("{}_{}_seed{}{}", std::get<0>(p.param),
                                              std::get<1>(p.param), std::get<2>(p.param),
                                              std::get<3>(p.param) ? "f" : "");
                         });

}  // namespace
}  // namespace fleetsim
