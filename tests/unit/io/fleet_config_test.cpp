// Fleet loading: catalog inline or from a file (relative to the referring file), sites ->
// clusters -> rack groups, defaults, and the checks that keep a bad fleet out of the engine.
#include "sim/io/fleet_config.hpp"

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::source_path;

// A `fleet:` entry as if written in tests/data/scenarios/<file>, so relative paths resolve
// against tests/data/scenarios/.
FleetConfig load(const std::string& fleet_entry) {
  const ConfigNode root = ConfigNode::load_string("fleet: " + fleet_entry + "\n",
                                                  source_path("tests/data/scenarios/inline.yaml"));
  return load_fleet_config(root.at("fleet"));
}

std::string error_of(const std::string& fleet_entry) {
  try {
    load(fleet_entry);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

const std::string kInlineCatalog =
    "{reference: H100_SXM, types: ["
    "{name: H100_SXM, bf16_tflops: 989, hbm_gb: 80, tdp_w: 700, idle_w: 72}, "
    "{name: A100, bf16_tflops: 312, hbm_gb: 80, tdp_w: 400, idle_w: 50, "
    "relative_speed: {default: 0.5}}]}";

std::string one_site(const std::string& catalog, const std::string& racks) {
  return "{gpu_catalog: " + catalog + ", sites: [{name: lab, clusters: [{name: c0, racks: [" +
         racks + "]}]}]}";
}

TEST(FleetConfig, OneNodeOfSixteenGpusFromAFile) {
  const FleetConfig c = load("../fleets/one_node_16gpu.yaml");
  ASSERT_EQ(c.gpu_types.size(), 2u);
  EXPECT_EQ(c.reference_type, "H100_SXM");
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_EQ(c.sites[0].name, "lab");
  EXPECT_EQ(c.sites[0].country, "");      // optional, default empty
  EXPECT_EQ(c.sites[0].provider, "own");  // optional, default "own"
  ASSERT_EQ(c.sites[0].clusters.size(), 1u);
  ASSERT_EQ(c.sites[0].clusters[0].racks.size(), 1u);
  const RackGroupConfig& g = c.sites[0].clusters[0].racks[0];
  EXPECT_EQ(g.count, 1u);
  EXPECT_EQ(g.nodes, 1u);
  EXPECT_EQ(g.gpus_per_node, 16u);
  EXPECT_EQ(g.gpu_type, "H100_SXM");
  EXPECT_DOUBLE_EQ(c.span_speed.cross_rack, 1.0);
  EXPECT_DOUBLE_EQ(c.span_speed.cross_cluster, 1.0);

  const Fleet fleet = build_fleet(c);
  EXPECT_EQ(fleet.topology.gpu_count(), 16u);
  EXPECT_EQ(fleet.topology.sites().size(), 1u);
  EXPECT_EQ(fleet.topology.clusters().size(), 1u);
  EXPECT_EQ(fleet.topology.racks().size(), 1u);
  EXPECT_EQ(fleet.topology.nodes().size(), 1u);
  EXPECT_EQ(fleet.topology.max_gpus_per_node(), 16u);
  EXPECT_EQ(fleet.topology.gpus_by_type(), (std::vector<std::uint64_t>{16, 0}));
  EXPECT_EQ(fleet.catalog.type(fleet.catalog.reference()).name, "H100_SXM");
}

TEST(FleetConfig, InlineCatalogAndCatalogFileGiveTheSameTypes) {
  const FleetConfig from_file = load(one_site(
      "../fleets/catalog.yaml", "{count: 1, nodes: 1, gpus_per_node: 16, gpu_type: H100_SXM}"));
  const FleetConfig inline_ =
      load(one_site(kInlineCatalog, "{count: 1, nodes: 1, gpus_per_node: 16, gpu_type: H100_SXM}"));
  ASSERT_EQ(from_file.gpu_types.size(), inline_.gpu_types.size());
  for (std::size_t i = 0; i < inline_.gpu_types.size(); ++i) {
    const GpuType& a = from_file.gpu_types[i];
    const GpuType& b = inline_.gpu_types[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.bf16_tflops, b.bf16_tflops);
    EXPECT_EQ(a.hbm_gb, b.hbm_gb);
    EXPECT_EQ(a.tdp_w, b.tdp_w);
    EXPECT_EQ(a.idle_w, b.idle_w);
    EXPECT_EQ(a.relative_speed, b.relative_speed);
  }
  EXPECT_EQ(from_file.reference_type, inline_.reference_type);
  const Fleet fleet = build_fleet(inline_);
  EXPECT_DOUBLE_EQ(fleet.catalog.speed(*fleet.catalog.find("A100"), "default"), 0.5);
}

TEST(FleetConfig, RackGroupsMultiplyOut) {
  // Two sites; site b has two clusters. GPUs: 2 x 3 x 8 = 48 H100 at a; 4 x 1 x 4 = 16 A100 and
  // 1 x 2 x 8 = 16 H100 at b: 80 GPUs, 7 racks, 6 + 4 + 2 = 12 nodes.
  const FleetConfig c =
      load("{gpu_catalog: " + kInlineCatalog +
           ", span_speed: {cross_rack: 0.9, cross_cluster: 0.5}, sites: ["
           "{name: a, country: US, region: east, provider: aws, clusters: [{name: a0, racks: ["
           "{count: 2, nodes: 3, gpus_per_node: 8, gpu_type: H100_SXM}]}]},"
           "{name: b, clusters: [{name: b0, racks: [{count: 4, nodes: 1, gpus_per_node: 4, "
           "gpu_type: A100}]},"
           "{name: b1, racks: [{count: 1, nodes: 2, gpus_per_node: 8, gpu_type: H100_SXM}]}]}]}");
  EXPECT_DOUBLE_EQ(c.span_speed.cross_rack, 0.9);
  EXPECT_DOUBLE_EQ(c.span_speed.cross_cluster, 0.5);
  EXPECT_EQ(c.sites[0].provider, "aws");
  const Fleet fleet = build_fleet(c);
  EXPECT_EQ(fleet.topology.gpu_count(), 80u);
  EXPECT_EQ(fleet.topology.sites().size(), 2u);
  EXPECT_EQ(fleet.topology.clusters().size(), 3u);
  EXPECT_EQ(fleet.topology.racks().size(), 7u);
  EXPECT_EQ(fleet.topology.nodes().size(), 12u);
  EXPECT_EQ(fleet.topology.gpus_by_type(), (std::vector<std::uint64_t>{64, 16}));
  EXPECT_EQ(fleet.topology.sites()[0].country, "US");
  EXPECT_EQ(fleet.topology.sites()[1].gpu_count, 32u);
}

TEST(FleetConfig, CatalogFileErrorsNameTheCatalogFile) {
  // The catalog file is resolved relative to the file that names it.
  const std::string missing = test::normal(source_path("tests/data/scenarios/no_catalog.yaml"));
  EXPECT_EQ(error_of(one_site("no_catalog.yaml",
                              "{count: 1, nodes: 1, gpus_per_node: 8, gpu_type: H100_SXM}")),
            missing + ": cannot open file");
}

// A whole fleet document (as a fleet file), for errors whose line and column are easy to count.
std::string fleet_error(const std::string& text) {
  try {
    load_fleet_config(ConfigNode::load_string(text, "fleet.yaml"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

const std::string kCatalogLines =
    "gpu_catalog:\n"                                                                   // 1
    "  reference: H100_SXM\n"                                                          // 2
    "  types:\n"                                                                       // 3
    "    - {name: H100_SXM, bf16_tflops: 989, hbm_gb: 80, tdp_w: 700, idle_w: 72}\n";  // 4

TEST(FleetConfig, RejectsMoreGpusPerNodeThanANodeMaskHolds) {
  EXPECT_EQ(
      fleet_error(kCatalogLines +
                  "sites:\n"            // 5
                  "  - name: a\n"       // 6
                  "    clusters:\n"     // 7
                  "      - name: c0\n"  // 8
                  "        racks:\n"    // 9
                  "          - {count: 1, nodes: 1, gpus_per_node: 65, gpu_type: H100_SXM}\n"),
      "fleet.yaml:10:49: sites[0].clusters[0].racks[0].gpus_per_node: expected at most 64, "
      "got 65");
}

TEST(FleetConfig, RejectsASpanSpeedAboveOne) {
  EXPECT_EQ(
      fleet_error(kCatalogLines + "span_speed: {cross_rack: 1.5}\n"  // 5
                                  "sites: []\n"),
      "fleet.yaml:5:26: span_speed.cross_rack: expected a slowdown factor in (0, 1], got 1.5");
}

TEST(FleetConfig, RejectsAFleetWithoutSites) {
  EXPECT_EQ(fleet_error(kCatalogLines + "sites: []\n"),
            "fleet.yaml:5:8: sites: expected at least one site");
}

TEST(FleetConfig, RejectsAClusterWithoutRacks) {
  EXPECT_EQ(fleet_error(kCatalogLines + "sites:\n"                                   // 5
                                        "  - name: a\n"                              // 6
                                        "    clusters: [{name: c0, racks: []}]\n"),  // 7
            "fleet.yaml:7:34: sites[0].clusters[0].racks: expected at least one rack group");
}

TEST(FleetConfig, RejectsAReferenceTypeTheCatalogDoesNotList) {
  EXPECT_EQ(
      fleet_error("gpu_catalog:\n"
                  "  reference: B200\n"
                  "  types:\n"
                  "    - {name: H100_SXM, bf16_tflops: 989, hbm_gb: 80, tdp_w: 700, idle_w: 72}\n"
                  "sites: []\n"),
      "fleet.yaml:2:14: gpu_catalog.reference: unknown GPU type \"B200\"; the catalog lists: "
      "H100_SXM");
}

TEST(FleetConfig, RejectsIdlePowerAboveTdp) {
  EXPECT_EQ(
      fleet_error("gpu_catalog:\n"
                  "  reference: X\n"
                  "  types:\n"
                  "    - {name: X, bf16_tflops: 1, hbm_gb: 1, tdp_w: 100, idle_w: 200}\n"
                  "sites: []\n"),
      "fleet.yaml:4:64: gpu_catalog.types[0].idle_w: idle power 200 W is above the TDP 100 W");
}

TEST(FleetConfig, RejectsAGpuTypeListedTwice) {
  EXPECT_EQ(fleet_error("gpu_catalog:\n"
                        "  reference: X\n"
                        "  types:\n"
                        "    - {name: X, bf16_tflops: 1, hbm_gb: 1, tdp_w: 100, idle_w: 2}\n"
                        "    - {name: X, bf16_tflops: 2, hbm_gb: 1, tdp_w: 100, idle_w: 2}\n"
                        "sites: []\n"),
            "fleet.yaml:5:14: gpu_catalog.types[1].name: GPU type \"X\" is listed twice");
}

TEST(FleetConfig, ClusterNamesAreUniqueAcrossTheWholeFleet) {
  const std::string rack = "{count: 1, nodes: 1, gpus_per_node: 8, gpu_type: H100_SXM}";
  EXPECT_EQ(fleet_error(kCatalogLines +
                        "sites:\n"       // 5
                        "  - name: a\n"  // 6
                        "    clusters: [{name: c0, racks: [" +
                        rack +
                        "]}]\n"          // 7
                        "  - name: b\n"  // 8
                        "    clusters: [{name: c0, racks: [" +
                        rack + "]}]\n"),  // 9
            "fleet.yaml:9:23: sites[1].clusters[0].name: cluster \"c0\" is listed twice");
}

// --- the multi-site keys of a site and of the fleet (power, PUE, time zone, carbon and price
// profiles, build-out, maintenance, WAN, cross-site gangs) ---

// Lines 1-8: a catalog and the start of site `a` with two racks in cluster c0; a case adds the
// site's keys from line 9 on, then the fleet's own keys.
const std::string kHead =
    kCatalogLines +  // 1-4
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
