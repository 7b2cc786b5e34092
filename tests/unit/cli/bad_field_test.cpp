// Every field check of the scenario, fleet (catalog, sites, energy profiles, build-out, WAN, node
// lists), workload (synthetic, trace options, services) and failure loaders and of the policies'
// own parameter checks that bad_input_test.cpp's cases do not reach: one fixture in
// tests/data/bad/<what_is_wrong>.yaml per check, and the whole stderr line pinned.
#include <filesystem>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::normal;
using test::source_path;

std::string bad(const std::string& name) { return source_path("tests/data/bad/" + name); }

struct BadField {
  const char* scenario;  // tests/data/bad/<scenario>
  const char* named;     // the file the error names, under tests/data/bad/; nullptr: the scenario
  const char* rest;      // the error line after that file's name
};

void PrintTo(const BadField& c, std::ostream* os) { *os << c.scenario; }

std::string fixture_name(const ::testing::TestParamInfo<BadField>& p) {
  return std::filesystem::path(p.param.scenario).stem().string();
}

class CliBadField : public ::testing::TestWithParam<BadField> {};

TEST_P(CliBadField, StopsTheRunWithOneLineNamingFileLineAndField) {
  const BadField& c = GetParam();
  const std::string named = c.named == nullptr ? bad(c.scenario) : normal(bad(c.named));
  test::expect_run_rejects(bad(c.scenario), "fleetsim: error: " + named + c.rest);
}

INSTANTIATE_TEST_SUITE_P(
    TopLevel, CliBadField,
    ::testing::Values(
        BadField{"name_not_text.yaml", nullptr, ":2:7: name: expected a text value, got a list"},
        BadField{"sample_interval_below_one_second.yaml", nullptr,
                 ":6:29: output.sample_interval_s: expected at least 1 second, got 0.5"},
        BadField{"until_beyond_max_seconds.yaml", nullptr,
                 ":6:16: run.until_s: expected at most 1e+11 seconds, got \"1e12\""},
        BadField{"start_not_a_date.yaml", nullptr,
                 ":3:8: start: expected a UTC date such as 2026-01-01 or 2026-01-01T00:00, got "
                 "\"2026-13-01\""},
        // The file the scenario names is the one that cannot be read.
        BadField{"fleet_file_missing.yaml", "../fleets/no_such_fleet.yaml", ": cannot open file"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    Fleet, CliBadField,
    ::testing::Values(
        BadField{"fleet_not_a_map.yaml", nullptr, ":3:8: fleet: expected a file name or a map"},
        BadField{"rack_count_too_large.yaml", nullptr,
                 ":9:27: fleet.sites[0].clusters[0].racks[0].count: expected at most 16777216, "
                 "got 16777217"},
        BadField{"gpu_type_listed_twice.yaml", nullptr,
                 ":8:16: fleet.gpu_catalog.types[1].name: GPU type \"H100_SXM\" is listed twice"},
        BadField{"idle_power_above_tdp.yaml", nullptr,
                 ":7:76: fleet.gpu_catalog.types[0].idle_w: idle power 800 W is above the TDP "
                 "700 W"},
        BadField{"catalog_without_types.yaml", nullptr,
                 ":4:45: fleet.gpu_catalog.types: expected at least one GPU type"},
        BadField{"catalog_reference_unknown.yaml", nullptr,
                 ":5:16: fleet.gpu_catalog.reference: unknown GPU type \"B200\"; the catalog "
                 "lists: H100_SXM"},
        BadField{"span_speed_above_one.yaml", nullptr,
                 ":5:28: fleet.span_speed.cross_rack: expected a slowdown factor in (0, 1], got "
                 "1.5"},
        BadField{"cluster_listed_twice.yaml", nullptr,
                 ":12:17: fleet.sites[1].clusters[0].name: cluster \"c0\" is listed twice"},
        BadField{"cluster_without_racks.yaml", nullptr,
                 ":9:18: fleet.sites[0].clusters[0].racks: expected at least one rack group"},
        BadField{"site_without_clusters.yaml", nullptr,
                 ":7:17: fleet.sites[0].clusters: expected at least one cluster"},
        BadField{"fleet_without_sites.yaml", nullptr,
                 ":5:10: fleet.sites: expected at least one site"},
        BadField{"fleet_gpus_above_limit.yaml", nullptr,
                 ":12:27: fleet.sites[0].clusters[1].racks[0].count: the fleet would have "
                 "108000000 GPUs; at most 100000000 are supported"},
        BadField{"too_many_sites.yaml", nullptr,
                 ":6:5: fleet.sites: at most 64 sites are supported, got 65"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    PowerCap, CliBadField,
    ::testing::Values(
        BadField{"power_cap_profile_not_positive.yaml", nullptr,
                 ":7:39: fleet.sites[0].power_cap_mw.daily[3]: expected a positive number, got \"0\""},
        BadField{"power_cap_step_below_idle.yaml", nullptr,
                 ":8:48: fleet.sites[0].power_cap_mw.daily[6]: site lab: its GPUs draw 0.0576 MW "
                 "idle (idle_w + overhead_w), above its cap of 0.05 MW at local hour 6"},
        BadField{"power_cap_csv_step_below_idle.yaml", "power_cap_below_idle.csv",
                 ":3: value: site lab: its GPUs draw 0.0576 MW idle (idle_w + overhead_w), above "
                 "its cap of 0.04 MW"},
        // 16 x 72 W = 0.001152 MW; printed to three decimals it read "0.001 ... above 0.001".
        BadField{"power_cap_constant_below_idle.yaml", nullptr,
                 ":7:21: fleet.sites[0].power_cap_mw: site lab: its GPUs draw 0.001152 MW idle "
                 "(idle_w + overhead_w), above its cap of 0.001 MW"},
        BadField{"power_cap_not_a_profile.yaml", nullptr,
                 ":7:21: fleet.sites[0].power_cap_mw: expected a number, {daily: [24 values]} or "
                 "{csv: file}"},
        BadField{"power_cap_daily_and_csv.yaml", nullptr,
                 ":7:21: fleet.sites[0].power_cap_mw: expected exactly one of daily or csv"},
        BadField{"power_cap_job_too_large.yaml", nullptr,
                 ":17:9: gpus: job largest generated job needs 16 GPUs but the largest placement "
                 "the fleet allows (one GPU type, one site within power caps) has 6"},
        BadField{"power_cap_daily_23_values.yaml", nullptr,
                 ":7:29: fleet.sites[0].power_cap_mw.daily: expected 24 hourly values (local "
                 "time), got 23"}),
    fixture_name);

// Carbon, price and cap series from a CSV file (utc,value), checked row by row; PUE and the
// site's time zone.
INSTANTIATE_TEST_SUITE_P(
    SiteEnergy, CliBadField,
    ::testing::Values(
        BadField{"profile_csv_wrong_header.yaml", "profile_wrong_header.csv",
                 ":1: expected the header \"utc,value\""},
        BadField{"profile_csv_bad_escape.yaml", "profile_bad_escape.csv",
                 ":2: malformed CSV: unknown escape sequence"},
        BadField{"profile_csv_three_cells.yaml", "profile_three_cells.csv",
                 ":2: expected 2 cells (utc,value), got 3"},
        BadField{"profile_csv_bad_date.yaml", "profile_bad_date.csv",
                 ":2: utc: \"2026-02-30T00:00\" is not a UTC date and time"},
        BadField{"profile_csv_time_goes_back.yaml", "profile_time_goes_back.csv",
                 ":4: utc: 2026-01-01T06:00 is not after the previous row"},
        BadField{"profile_csv_negative_value.yaml", "profile_negative_value.csv",
                 ":3: value: \"-20\" is not a number >= 0"},
        BadField{"profile_csv_cap_zero.yaml", "profile_cap_zero.csv",
                 ":3: value: \"0\" is not a number > 0"},
        BadField{"pue_below_one.yaml", nullptr,
                 ":7:12: fleet.sites[0].pue: a PUE is at least 1, got 0.9"},
        BadField{"utc_offset_beyond_14_hours.yaml", nullptr,
                 ":7:21: fleet.sites[0].utc_offset_h: expected an offset in [-14, 14] hours, got "
                 "15"}),
    fixture_name);

// The error names the profile file's resolved path, which depends on where the sources are.
TEST(CliBadField, ProfileCsvThatDoesNotExist) {
  const std::string f = bad("profile_csv_missing.yaml");
  test::expect_run_rejects(f, "fleetsim: error: " + f +
                                  ":7:31: fleet.sites[0].carbon_g_per_kwh.csv: cannot open "
                                  "profile file " +
                                  normal(bad("no_such_profile.csv")));
}

TEST(CliBadField, ProfileCsvWithAHeaderAndNoRows) {
  const std::string f = bad("profile_csv_no_rows.yaml");
  test::expect_run_rejects(f, "fleetsim: error: " + f +
                                  ":7:32: fleet.sites[0].price_usd_per_mwh.csv: profile file " +
                                  normal(bad("profile_no_rows.csv")) + " has no rows");
}

INSTANTIATE_TEST_SUITE_P(
    BuildOutAndMaintenance, CliBadField,
    ::testing::Values(
        BadField{"build_out_unknown_cluster.yaml", nullptr,
                 ":7:29: fleet.sites[0].build_out[0].cluster: site lab has no cluster \"c9\""},
        BadField{"build_out_bad_date.yaml", nullptr,
                 ":7:41: fleet.sites[0].build_out[0].online: expected a UTC date such as "
                 "2026-03-01 or 2026-03-01T06:00, got \"2026-13-01\""},
        BadField{"build_out_after_the_rest.yaml", nullptr,
                 ":7:54: fleet.sites[0].build_out[1]: cluster c0 is fully built by an earlier "
                 "entry"},
        BadField{"build_out_not_in_date_order.yaml", nullptr,
                 ":7:86: fleet.sites[0].build_out[1].online: build-out entries of cluster c0 must "
                 "be in date order"},
        BadField{"build_out_more_racks_than_cluster.yaml", nullptr,
                 ":7:40: fleet.sites[0].build_out[0].racks: cluster c0 has 2 racks; its build-out "
                 "entries bring 3"},
        BadField{"build_out_leaves_racks_unbuilt.yaml", nullptr,
                 ":7:18: fleet.sites[0].build_out: build-out of cluster c0 brings 1 of its 2 "
                 "racks online; end with an entry without racks for the rest"},
        BadField{"maintenance_more_racks_than_cluster.yaml", nullptr,
                 ":7:42: fleet.sites[0].maintenance[0].racks: cluster c0 has 2 racks, not 5"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    Wan, CliBadField,
    ::testing::Values(
        BadField{"wan_link_unknown_site.yaml", nullptr,
                 ":11:29: fleet.wan.links[0].b: unknown site \"far\"; the fleet has: lab"},
        BadField{"wan_link_to_itself.yaml", nullptr,
                 ":11:29: fleet.wan.links[0].b: a link joins two different sites"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    CrossSite, CliBadField,
    ::testing::Values(
        BadField{"cross_site_split_unknown.yaml", nullptr,
                 ":9:83: fleet.cross_site_gangs.split: expected one of oversized, when_blocked, "
                 "got \"sometimes\""},
        BadField{"cross_site_job_beyond_rtt_limit.yaml", nullptr,
                 ":9:9: gpus: job largest generated job needs 16 GPUs but the largest placement "
                 "the fleet allows (one GPU type, sites within the cross-site RTT limit) has 8"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    NodeList, CliBadField,
    ::testing::Values(
        BadField{"node_list_unknown_format.yaml", nullptr,
                 ":5:23: fleet.node_list.format: unknown node-list format \"slurm_nodes\"; "
                 "expected one of: openb_nodes, pai_machines, spot_nodes"},
        BadField{"node_list_bad_rows_unknown.yaml", nullptr,
                 ":5:88: fleet.node_list.bad_rows: expected error or skip, got \"maybe\""},
        BadField{"node_list_gpu_type_unknown.yaml", nullptr,
                 ":5:96: fleet.node_list.gpu_types.P100: unknown GPU type \"V100\"; the catalog "
                 "lists: A100, H100_SXM"},
        BadField{"node_list_model_unmapped.yaml", "../traces/excerpts/openb_nodes.csv",
                 ":3: gpu_type: GPU model \"P100\" is neither mapped (gpu_types:) nor a catalog "
                 "type"},
        BadField{"node_list_without_gpu_nodes.yaml", nullptr,
                 ":5:42: fleet.node_list.path: the node list has no GPU node"},
        BadField{"node_list_gpus_without_model.yaml", "traces/openb_nodes_gpus_without_model.csv",
                 ":3: gpu: a node with GPUs but no GPU model"},
        // Each format's GPU-count column (a node has at most 64 GPUs), read by the shared driver.
        BadField{"node_list_openb_nodes_gpu_not_a_number.yaml",
                 "traces/openb_nodes_gpu_not_a_number.csv",
                 ":3: gpu: \"eight\" is not an integer in [0, 64]"},
        BadField{"node_list_pai_machines_cap_gpu_too_large.yaml",
                 "traces/pai_machines_cap_gpu_too_large.csv",
                 ":2: cap_gpu: \"128\" is not an integer in [0, 64]"},
        BadField{"node_list_spot_nodes_gpu_capacity_negative.yaml",
                 "traces/spot_nodes_gpu_capacity_negative.csv",
                 ":3: gpu_capacity_num: \"-1\" is not an integer in [0, 64]"},
        BadField{"node_list_wrong_header.yaml", "traces/spot_nodes_wrong_header.csv",
                 ":1: header: expected \"gpu_model,gpu_capacity_num,cpu_num,node_name\" for "
                 "format spot_nodes, got \"sn,cpu_milli,memory_mib,gpu,model\""},
        BadField{"node_list_file_missing.yaml", "traces/no_such_nodes.csv",
                 ": cannot open trace file"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    SyntheticWorkload, CliBadField,
    ::testing::Values(
        BadField{"empirical_point_not_a_pair.yaml", nullptr,
                 ":9:57: workload.duration.points[1]: expected [quantile, seconds]"},
        BadField{"empirical_quantile_above_one.yaml", nullptr,
                 ":9:58: workload.duration.points[1][0]: expected a quantile in [0, 1], got 1.5"},
        BadField{"empirical_single_point.yaml", nullptr,
                 ":9:47: workload.duration.points: expected at least two points, from quantile 0 "
                 "to quantile 1"},
        BadField{"lognormal_sigma_too_large.yaml", nullptr,
                 ":9:61: workload.duration.sigma: expected a sigma of at most 10, got 11"},
        BadField{"duration_distribution_unknown.yaml", nullptr,
                 ":9:28: workload.duration.distribution: unknown distribution \"weibull\"; "
                 "expected one of: empirical, lognormal, exponential, constant"},
        BadField{"arrival_process_unknown.yaml", nullptr,
                 ":7:22: workload.arrival.process: unknown arrival process \"uniform\"; "
                 "expected: poisson"},
        BadField{"arrivals_beyond_max_time.yaml", nullptr,
                 ":7:46: workload.arrival.rate_per_hour: 1000000 jobs at 0.001/h would arrive "
                 "over more than 1e+10 seconds"},
        BadField{"gpus_distribution_unknown.yaml", nullptr,
                 ":8:24: workload.gpus.distribution: unknown distribution \"uniform\"; expected: "
                 "categorical"},
        BadField{"gpu_value_above_limit.yaml", nullptr,
                 ":8:49: workload.gpus.values[1]: expected at most 2^31 GPUs, got 3000000000"},
        BadField{"weights_all_zero.yaml", nullptr,
                 ":8:59: workload.gpus.weights: expected at least one positive weight"},
        BadField{"too_many_tenants.yaml", nullptr,
                 ":10:12: workload.tenants: expected at most 1000000 tenants, got 2000000"},
        BadField{"preemptible_fraction_above_one.yaml", nullptr,
                 ":10:25: workload.preemptible_fraction: expected a fraction in [0, 1], got 1.5"},
        BadField{"inflate_without_horizon.yaml", nullptr,
                 ":7:12: workload.inflate: departures: false means drawn jobs never end: set "
                 "run.until_s"},
        BadField{"flexible_fraction_above_one.yaml", nullptr,
                 ":10:24: workload.flexible.fraction: expected a fraction in [0, 1], got 1.2"},
        BadField{"flexible_negative_slack.yaml", nullptr,
                 ":10:38: workload.flexible.slack_h: expected a number >= 0, got \"-3\""},
        BadField{"elastic_max_factor_below_one.yaml", nullptr,
                 ":10:38: workload.elastic.max_factor: expected a factor in [1, 1024], got 0.5"},
        BadField{"fractional_fraction_above_one.yaml", nullptr,
                 ":10:26: workload.fractional.fraction: expected a fraction in [0, 1], got 1.5"},
        BadField{"fractional_milli_empty.yaml", nullptr,
                 ":10:38: workload.fractional.milli: expected at least one share in thousandths "
                 "of a GPU"},
        BadField{"fractional_milli_whole_gpu.yaml", nullptr,
                 ":10:44: workload.fractional.milli[1]: expected a share in [1, 999] thousandths, "
                 "got 1000"},
        BadField{"allowed_gpu_type_unknown.yaml", nullptr,
                 ":10:33: workload.allowed_gpu_types[1]: unknown GPU type \"V100\""},
        BadField{"workload_source_unknown.yaml", nullptr,
                 ":5:11: workload.source: unknown workload source \"replay\"; expected one of: "
                 "synthetic, trace"},
        BadField{"flexible_slack_beyond_max.yaml", nullptr,
                 ":10:38: workload.flexible.slack_h: expected at most 2.77778e+07 hours, got "
                 "1000000000"},
        BadField{"gpu_utilisation_above_one.yaml", nullptr,
                 ":10:20: workload.gpu_utilisation: expected a share in (0, 1], got 1.2"},
        BadField{"data_site_unknown.yaml", nullptr,
                 ":10:31: workload.data.sites.far: unknown site \"far\"; the fleet has: lab"},
        BadField{"data_site_weights_all_zero.yaml", nullptr,
                 ":10:17: workload.data.sites: expected at least one site with a positive weight"},
        BadField{
            "data_sovereign_fraction_above_one.yaml", nullptr,
            ":10:56: workload.data.sovereign_fraction: expected a fraction in [0, 1], got 1.5"},
        BadField{"residency_place_unknown.yaml", nullptr,
                 ":10:19: workload.residency[1]: no site of the fleet is in \"JP\"; its "
                 "countries and regions: NO, US, america, europe"},
        BadField{"residency_empty.yaml", nullptr,
                 ":10:14: workload.residency: expected at least one country or region"},
        // Found at the first draw (so by `run` only), at the rate; it used to name the
        // workload map's first line and leave out "workload.".
        BadField{"synthetic_arrival_beyond_max_time.yaml", nullptr,
                 ":10:46: workload.arrival.rate_per_hour: job 0 would arrive after 1e+11 "
                 "seconds; raise the rate"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    TraceOptions, CliBadField,
    ::testing::Values(
        BadField{"trace_tenants_empty.yaml", nullptr,
                 ":4:89: workload.tenants: expected at least one name"},
        BadField{"trace_window_end_before_start.yaml", nullptr,
                 ":4:110: workload.window.end: expected an end after the start"},
        BadField{"trace_bad_rows_unknown.yaml", nullptr,
                 ":4:90: workload.bad_rows: expected error or skip, got \"sometimes\""},
        BadField{"trace_duration_from_unknown.yaml", nullptr,
                 ":4:165: workload.duration_from: expected scheduled or creation, got "
                 "\"deletion\""},
        BadField{"trace_gpu_type_mapped_to_unknown.yaml", nullptr,
                 ":4:99: workload.gpu_types.T4: unknown GPU type \"L4\""},
        BadField{"trace_pollux_no_applications.yaml", nullptr,
                 ":4:113: workload.gpu_s_by_application: expected at least one application"},
        BadField{"trace_gavel_throughputs_missing.yaml", "traces/no_such_throughputs.json",
                 ": cannot open trace file"},
        BadField{"trace_gavel_throughputs_malformed.yaml",
                 "traces/gavel_throughputs_malformed.json",
                 ": malformed JSON: [json.exception.parse_error.101] parse error at line 4, "
                 "column 1: syntax error while parsing object - unexpected end of input; "
                 "expected '}'"},
        BadField{"trace_gavel_throughput_gpu_unknown.yaml",
                 "../traces/excerpts/gavel_throughputs.json",
                 ": no GPU type \"a100\" in the table"}),
    fixture_name);

// Inference services (workload.services): the loader's checks, then what needs the fleet.
INSTANTIATE_TEST_SUITE_P(
    Services, CliBadField,
    ::testing::Values(
        BadField{"service_empty_name.yaml", nullptr,
                 ":11:13: workload.services[0].name: expected a non-empty name"},
        BadField{"service_duplicate_name.yaml", nullptr,
                 ":17:13: workload.services[1].name: duplicate service name \"chat\""},
        BadField{"service_without_throughput.yaml", nullptr,
                 ":13:23: workload.services[0].throughput_rps: expected at least one GPU type"},
        BadField{"service_slo_goal_above_one.yaml", nullptr,
                 ":16:17: workload.services[0].slo_goal: expected a number in (0, 1], got 1.5"},
        BadField{"service_min_replicas_negative.yaml", nullptr,
                 ":16:21: workload.services[0].min_replicas: expected an integer >= 0, got -1"},
        BadField{"service_max_replicas_too_large.yaml", nullptr,
                 ":14:21: workload.services[0].max_replicas: expected at most 1048576, got "
                 "2097152"},
        BadField{"service_end_before_start.yaml", nullptr,
                 ":16:14: workload.services[0].end_s: expected an end after the start (3600 s), "
                 "got 600"},
        BadField{"service_priority_out_of_range.yaml", nullptr,
                 ":16:17: workload.services[0].priority: expected a priority in [-1e6, 1e6], got "
                 "2000000"},
        BadField{"service_autoscaler_interval_below_one_second.yaml", nullptr,
                 ":16:32: workload.services[0].autoscaler.interval_s: expected at least 1 second, "
                 "got 0.2"},
        BadField{"service_residency_unknown.yaml", nullptr,
                 ":16:19: workload.services[0].residency[0]: no site of the fleet is in \"JP\"; "
                 "its countries and regions: NO, US, america, europe"},
        BadField{"service_rtt_region_missing.yaml", nullptr,
                 ":17:15: workload.services[0].rtt_ms: no round trip for region \"america\" (site "
                 "us); list every region of the fleet other than the users' own (europe)"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    ServiceDemand, CliBadField,
    ::testing::Values(
        BadField{"service_demand_kind_unknown.yaml", nullptr,
                 ":16:22: workload.services[0].demand.kind: unknown demand kind \"poisson\"; "
                 "expected one of: constant, steps, diurnal, trace"},
        BadField{"service_steps_point_not_a_pair.yaml", nullptr,
                 ":16:46: workload.services[0].demand.points[1]: expected [seconds since the "
                 "start, rps]"},
        BadField{"service_steps_not_from_zero.yaml", nullptr,
                 ":16:39: workload.services[0].demand.points[0][0]: the first point must be at 0 "
                 "s, got 60"},
        BadField{"service_steps_empty.yaml", nullptr,
                 ":16:37: workload.services[0].demand.points: expected at least one point"},
        BadField{"service_demand_amplitude_above_one.yaml", nullptr,
                 ":16:55: workload.services[0].demand.amplitude: expected a number in [0, 1], got "
                 "1.5"},
        BadField{"service_peak_hour_24.yaml", nullptr,
                 ":16:55: workload.services[0].demand.peak_hour: expected an hour in [0, 24), got "
                 "24"},
        BadField{"service_utc_offset_beyond_14_hours.yaml", nullptr,
                 ":16:58: workload.services[0].demand.utc_offset_h: expected an offset in [-14, "
                 "14] hours, got -15"},
        BadField{"service_step_below_one_second.yaml", nullptr,
                 ":16:52: workload.services[0].demand.step_s: expected at least 1 second, got "
                 "0.5"},
        BadField{"service_trace_format_not_requests.yaml", nullptr,
                 ":16:37: workload.services[0].demand.format: expected a request trace format "
                 "(azure_llm, genai, mooncake), got \"philly\""},
        BadField{"service_trace_without_requests.yaml", nullptr,
                 ":16:54: workload.services[0].demand.path: the trace has no request"},
        BadField{"service_trace_shorter_than_step.yaml", nullptr,
                 ":16:96: workload.services[0].demand.step_s: the trace spans 2.000 s, less than "
                 "one step of 60 s"},
        // A broken row of the request trace stops the run as in `trace-stats`.
        BadField{"service_trace_bad_row.yaml", "traces/azure_llm_bad_hour.csv",
                 ":3: TIMESTAMP: \"2023-11-16 25:17:04.0319600\" is not a date-time YYYY-MM-DD "
                 "HH:MM:SS.fffffff"}),
    fixture_name);

// Each policy's own check of its parameters, reported at the parameter it names (at the params
// map when the parameter is left at its default).
INSTANTIATE_TEST_SUITE_P(
    PolicyParams, CliBadField,
    ::testing::Values(
        BadField{"las_threshold_not_positive.yaml", nullptr,
                 ":8:18: policy.params.thresholds[0]: expected a positive number, got 0"},
        BadField{"las_promote_after_negative.yaml", nullptr,
                 ":8:22: policy.params.promote_after_s: expected a number >= 0, got -60"},
        BadField{"gittins_thresholds_not_ascending.yaml", nullptr,
                 ":8:24: policy.params.thresholds[1]: must be greater than thresholds[0] (3600 <= "
                 "3600)"},
        BadField{"gittins_delta_not_positive.yaml", nullptr,
                 ":8:12: policy.params.delta: expected a positive number, got 0"},
        BadField{"gittins_samples_missing.yaml", nullptr,
                 ":8:5: policy.params.samples: distribution is samples but no samples are given"},
        BadField{"gittins_sample_negative.yaml", nullptr,
                 ":9:20: policy.params.samples[1]: expected a number >= 0, got -1"},
        BadField{"priority_quota_not_a_pair.yaml", nullptr,
                 ":8:13: policy.params.quotas[1]: expected tenant=share, got \"t1\""},
        BadField{"priority_quota_share_above_one.yaml", nullptr,
                 ":8:13: policy.params.quotas[0]: t0: expected a share in (0, 1], got \"1.5\""},
        BadField{"priority_quota_tenant_twice.yaml", nullptr,
                 ":8:13: policy.params.quotas[1]: tenant t0 is listed twice"},
        BadField{"themis_lease_too_short.yaml", nullptr,
                 ":8:14: policy.params.lease_s: expected a number >= 0.001, got 0"},
        BadField{"gavel_round_too_short.yaml", nullptr,
                 ":8:14: policy.params.round_s: expected a number >= 0.001, got 0.0001"},
        BadField{"srtf_min_gain_negative.yaml", nullptr,
                 ":8:17: policy.params.min_gain_s: must be >= 0"},
        BadField{"reserved_share_above_one.yaml", nullptr,
                 ":8:12: policy.params.share: expected a number in [0, 1], got 1.5"}),
    fixture_name);

INSTANTIATE_TEST_SUITE_P(
    Failures, CliBadField,
    ::testing::Values(
        BadField{"failure_repair_kind_unknown.yaml", nullptr,
                 ":8:64: failures.processes[0].repair.kind: expected one of none, constant, "
                 "exponential, lognormal, got \"weibull\""},
        BadField{"failure_shape_without_weibull.yaml", nullptr,
                 ":8:56: failures.processes[0].shape: only a weibull lifetime has a shape"},
        BadField{"failure_lifetime_unknown.yaml", nullptr,
                 ":8:59: failures.processes[0].lifetime: expected exponential or weibull, got "
                 "\"gamma\""},
        BadField{"failure_scripted_negative_index.yaml", nullptr,
                 ":8:39: failures.scripted[0].index: expected an integer >= 0, got -1"},
        BadField{"failure_process_defined_twice.yaml", nullptr,
                 ":9:14: failures.processes[1].name: failure process \"gpu\" is defined twice"},
        // Each of these three ran before the loader checked it: an endless run of 1 us failures,
        // an internal error from Gamma(1 + 1/k), repair times past what microseconds hold.
        BadField{"failure_mtbf_beyond_max.yaml", nullptr,
                 ":8:43: failures.processes[0].mtbf_hours: expected at most 2.77778e+07 hours, "
                 "got 1e+308"},
        BadField{"failure_weibull_shape_too_small.yaml", nullptr,
                 ":8:75: failures.processes[0].shape: expected a Weibull shape of at least 0.1, "
                 "got 0.001"},
        BadField{"failure_repair_sigma_too_large.yaml", nullptr,
                 ":8:99: failures.processes[0].repair.sigma: expected a sigma of at most 10, got "
                 "1e+300"}),
    fixture_name);

}  // namespace
}  // namespace fleetsim
