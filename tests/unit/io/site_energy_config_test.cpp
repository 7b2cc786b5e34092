// The multi-site keys of a fleet file (power, PUE, time zone, carbon and price profiles,
// build-out, maintenance, WAN, cross-site gangs): each defect gives one line naming file, line,
// column and field. The whole message is pinned.
#include "sim/io/site_energy_config.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "sim/io/fleet_config.hpp"

namespace fleetsim {
namespace {

std::string fleet_error(const std::string& text) {
  try {
    load_fleet_config(ConfigNode::load_string(text, "fleet.yaml"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

// Lines 1-8: a catalog and the start of site `a` with two racks in cluster c0; a case adds the
// site's keys from line 9 on, then the fleet's own keys.
const std::string kHead =
    "gpu_catalog:\n"                                                                  // 1
    "  reference: H100_SXM\n"                                                         // 2
    "  types:\n"                                                                      // 3
    "    - {name: H100_SXM, bf16_tflops: 989, hbm_gb: 80, tdp_w: 700, idle_w: 72}\n"  // 4
    "sites:\n"                                                                        // 5
    "  - name: a\n"                                                                   // 6
    "    country: US\n"                                                               // 7
    "    clusters: [{name: c0, racks: [{count: 2, nodes: 1, gpus_per_node: 8, "
    "gpu_type: H100_SXM}]}]\n";  // 8
const std::string kSecondSite =
    "  - name: b\n"
    "    country: NO\n"
    "    clusters: [{name: c1, racks: [{count: 1, nodes: 1, gpus_per_node: 8, "
    "gpu_type: H100_SXM}]}]\n";

struct Case {
  std::string name;
  std::string text;  // appended to kHead
  std::string message;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SiteEnergyConfigBadInput : public ::testing::TestWithParam<Case> {};

TEST_P(SiteEnergyConfigBadInput, IsOneLineNamingFileLineAndField) {
  EXPECT_EQ(fleet_error(kHead + GetParam().text), GetParam().message);
}

const std::vector<Case> kCases = {
    {"PueBelowOne", "    pue: 0.9\n",
     "fleet.yaml:9:10: sites[0].pue: a PUE is at least 1, got 0.9"},
    {"UtcOffsetBeyondFourteenHours", "    utc_offset_h: 15\n",
     "fleet.yaml:9:19: sites[0].utc_offset_h: expected an offset in [-14, 14] hours, got 15"},
    {"DailyProfileOfTwentyThreeValues",
     "    carbon_g_per_kwh: {daily: [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}\n",
     "fleet.yaml:9:31: sites[0].carbon_g_per_kwh.daily: expected 24 hourly values (local time), "
     "got 23"},
    {"NegativeCarbonIntensity", "    carbon_g_per_kwh: -5\n",
     "fleet.yaml:9:23: sites[0].carbon_g_per_kwh: expected a number >= 0, got \"-5\""},
    {"ProfileOfAnUnknownForm", "    price_usd_per_mwh: {hourly: [1]}\n",
     "fleet.yaml:9:25: sites[0].price_usd_per_mwh.hourly: unknown key; expected one of: daily, "
     "csv"},
    {"ProfileCsvThatDoesNotExist", "    price_usd_per_mwh: {csv: no_such_prices.csv}\n",
     "fleet.yaml:9:30: sites[0].price_usd_per_mwh.csv: cannot open profile file "
     "no_such_prices.csv"},
    {"BuildOutOfAnUnknownCluster", "    build_out: [{cluster: c9, online: 2026-02-01}]\n",
     "fleet.yaml:9:27: sites[0].build_out[0].cluster: site a has no cluster \"c9\""},
    {"BuildOutOnAMonthThatDoesNotExist", "    build_out: [{cluster: c0, online: 2026-13-01}]\n",
     "fleet.yaml:9:39: sites[0].build_out[0].online: expected a UTC date such as 2026-03-01 or "
     "2026-03-01T06:00, got \"2026-13-01\""},
    {"BuildOutOnTheThirtyFirstOfFebruary", "    build_out: [{cluster: c0, online: 2026-02-31}]\n",
     "fleet.yaml:9:39: sites[0].build_out[0].online: expected a UTC date such as 2026-03-01 or "
     "2026-03-01T06:00, got \"2026-02-31\""},
    {"BuildOutOfMoreRacksThanTheCluster",
     "    build_out: [{cluster: c0, racks: 3, online: 2026-02-01}]\n",
     "fleet.yaml:9:38: sites[0].build_out[0].racks: cluster c0 has 2 racks; its build-out entries "
     "bring 3"},
    {"BuildOutOutOfDateOrder",
     "    build_out:\n"
     "      - {cluster: c0, racks: 1, online: 2026-03-01}\n"
     "      - {cluster: c0, online: 2026-02-01}\n",
     "fleet.yaml:11:31: sites[0].build_out[1].online: build-out entries of cluster c0 must be in "
     "date order"},
    {"BuildOutThatLeavesRacksUnbuilt",
     "    build_out: [{cluster: c0, racks: 1, online: 2026-02-01}]\n",
     "fleet.yaml:9:16: sites[0].build_out: build-out of cluster c0 brings 1 of its 2 racks online; "
     "end with an entry without racks for the rest"},
    {"MaintenanceWithoutHours", "    maintenance: [{cluster: c0, start: 2026-02-01}]\n",
     "fleet.yaml:9:19: sites[0].maintenance[0].hours: missing required key"},
    {"MaintenanceOfMoreRacksThanTheCluster",
     "    maintenance: [{cluster: c0, racks: 5, start: 2026-02-01, hours: 4}]\n",
     "fleet.yaml:9:40: sites[0].maintenance[0].racks: cluster c0 has 2 racks, not 5"},
    {"WanLinkToAnUnknownSite",
     kSecondSite + "wan: {links: [{a: a, b: c, rtt_ms: 10, bandwidth_gbps: 100}]}\n",
     "fleet.yaml:12:25: wan.links[0].b: unknown site \"c\"; the fleet has: a, b"},
    {"WanLinkFromASiteToItself",
     kSecondSite + "wan: {links: [{a: a, b: a, rtt_ms: 10, bandwidth_gbps: 100}]}\n",
     "fleet.yaml:12:25: wan.links[0].b: a link joins two different sites"},
    {"WanLinkWithNegativeRtt",
     kSecondSite + "wan: {links: [{a: a, b: b, rtt_ms: -1, bandwidth_gbps: 100}]}\n",
     "fleet.yaml:12:36: wan.links[0].rtt_ms: expected a number >= 0, got \"-1\""},
    {"WanLinkWithoutBandwidth", kSecondSite + "wan: {links: [{a: a, b: b, rtt_ms: 10}]}\n",
     "fleet.yaml:12:15: wan.links[0].bandwidth_gbps: missing required key"},
    {"CrossSiteGangsAllowedWithoutAnRttLimit",
     kSecondSite + "cross_site_gangs: {allowed: true, half_speed_rtt_ms: 10}\n",
     "fleet.yaml:12:19: cross_site_gangs.max_rtt_ms: missing required key"},
};

INSTANTIATE_TEST_SUITE_P(Fleet, SiteEnergyConfigBadInput, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace fleetsim
