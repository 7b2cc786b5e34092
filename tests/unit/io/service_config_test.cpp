// The `services:` list of a workload: every key loaded, defaults, demand traces binned by hand,
// and the resolved scenario reproducing the services.
#include <fstream>

#include <gtest/gtest.h>

#include "sim/core/rng_streams.hpp"
#include "sim/inference/demand_curve.hpp"
#include "sim/io/results_writer.hpp"
#include "sim/io/scenario_config.hpp"
#include "sim/io/service_config.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using test::source_path;

GpuCatalog catalog() {
  return GpuCatalog({{"H100_SXM", 989, 80, 700, 72, 0, {}}, {"A100", 312, 80, 400, 50, 0, {}}},
                    "H100_SXM");
}

std::vector<ServiceSpec> load(const std::string& yaml) {
  return load_services(ConfigNode::load_string("services:\n" + yaml, "w.yaml").at("services"),
                       catalog());
}

TEST(ServiceConfig, LoadsEveryKey) {
  const std::vector<ServiceSpec> s = load(R"(
- name: chat
  model: llama3_1_8b
  gpus_per_replica: 2
  concurrency: 16
  throughput_rps: {H100_SXM: 12, A100: 5}
  slo_ms: 450
  slo_goal: 0.95
  user_region: us-east
  residency: [US, CA]
  rtt_ms: {eu-west: 80}
  min_replicas: 2
  max_replicas: 40
  start_s: 3600
  end_s: 7200
  replica_start_s: 90
  autoscaler:
    {target_utilisation: 0.6, interval_s: 30, scale_up_delay_s: 60, scale_down_delay_s: 600}
  demand:
    kind: diurnal
    mean_rps: 50
    amplitude: 0.3
    peak_hour: 14
    weekend_factor: 0.5
    utc_offset_h: -5
    step_s: 300
    bursts: {per_day: 3, multiplier: 2, duration_s: 120}
  preemptible: true
  priority: 5
  tenant: serving
)");
  ASSERT_EQ(s.size(), 1u);
  const ServiceSpec& c = s[0];
  EXPECT_EQ(c.name, "chat");
  EXPECT_EQ(c.model, "llama3_1_8b");
  EXPECT_EQ(c.gpus_per_replica, 2u);
  EXPECT_EQ(c.concurrency, 16u);
  EXPECT_EQ(c.throughput_rps, (std::map<std::string, double>{{"A100", 5}, {"H100_SXM", 12}}));
  EXPECT_EQ(c.slo_ms, 450);
  EXPECT_EQ(c.slo_goal, 0.95);
  EXPECT_EQ(c.user_region, "us-east");
  EXPECT_EQ(c.residency, (std::vector<std::string>{"US", "CA"}));
  EXPECT_EQ(c.rtt_ms.at("eu-west"), 80);
  EXPECT_EQ(c.min_replicas, 2u);
  EXPECT_EQ(c.max_replicas, 40u);
  EXPECT_EQ(c.start, from_seconds(3600));
  EXPECT_EQ(c.end, from_seconds(7200));
  EXPECT_EQ(c.replica_start, from_seconds(90));
  EXPECT_EQ(c.autoscaler.target_utilisation, 0.6);
  EXPECT_EQ(c.autoscaler.interval, from_seconds(30));
  EXPECT_EQ(c.autoscaler.scale_up_delay, from_seconds(60));
  EXPECT_EQ(c.autoscaler.scale_down_delay, from_seconds(600));
  EXPECT_EQ(c.demand.kind, DemandConfig::Kind::Diurnal);
  EXPECT_EQ(c.demand.mean_rps, 50);
  EXPECT_EQ(c.demand.amplitude, 0.3);
  EXPECT_EQ(c.demand.peak_hour, 14);
  EXPECT_EQ(c.demand.weekend_factor, 0.5);
  EXPECT_EQ(c.demand.utc_offset_h, -5);
  EXPECT_EQ(c.demand.step, from_seconds(300));
  EXPECT_EQ(c.demand.bursts_per_day, 3);
  EXPECT_EQ(c.demand.burst_multiplier, 2);
  EXPECT_EQ(c.demand.burst_duration, from_seconds(120));
  EXPECT_TRUE(c.preemptible);
  EXPECT_EQ(c.priority, 5);
  EXPECT_EQ(c.tenant, "serving");
}

TEST(ServiceConfig, DefaultsAreTheDocumentedOnes) {
  const ServiceSpec s = load(R"(
- {name: api, gpus_per_replica: 1, throughput_rps: {A100: 3}, max_replicas: 4, end_s: 60,
   demand: {kind: constant, rps: 2}}
)")[0];
  EXPECT_EQ(s.model, "api");
  EXPECT_EQ(s.concurrency, 1u);
  EXPECT_EQ(s.slo_ms, 500);
  EXPECT_EQ(s.slo_goal, 0.99);
  EXPECT_EQ(s.min_replicas, 1u);
  EXPECT_EQ(s.start, 0);
  EXPECT_EQ(s.replica_start, 0);
  EXPECT_EQ(s.autoscaler.target_utilisation, 0.7);
  EXPECT_EQ(s.autoscaler.interval, from_seconds(60));
  EXPECT_EQ(s.autoscaler.scale_up_delay, 0);
  EXPECT_EQ(s.autoscaler.scale_down_delay, from_seconds(300));
  EXPECT_FALSE(s.preemptible);
  EXPECT_EQ(s.tenant, "inference");
  EXPECT_EQ(s.field, "services[0]");
}

TEST(ServiceConfig, ResidencyResolvesToTheFleetsSites) {
  const SiteDirectory sites({{"abilene", "US", "us-central"},
                             {"stockholm", "SE", "eu-north"},
                             {"oslo", "NO", "eu-north"}});
  const auto load_with = [&](const std::string& residency) {
    return load_services(ConfigNode::load_string(
                             "services:\n- {name: api, gpus_per_replica: 1, throughput_rps: "
                             "{A100: 3}, max_replicas: 4, end_s: 60, residency: " +
                                 residency + ", demand: {kind: constant, rps: 2}}\n",
                             "w.yaml")
                             .at("services"),
                         catalog(), sites)[0];
  };
  EXPECT_EQ(load_with("[eu-north]").allowed_sites, 0b110u);
  EXPECT_EQ(load_with("[US, NO]").allowed_sites, 0b101u);
  EXPECT_EQ(load_with("[US]").residency, (std::vector<std::string>{"US"}));
  try {
    load_with("[FR]");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "w.yaml:2:103: services[0].residency[0]: no site of the fleet is in \"FR\"; its countries and "
              "regions: " + sites.places());
  }
}

TEST(ServiceConfig, TraceDemandIsBinnedIntoFullStepsFromTheFirstRequest) {
  // Requests at 0, 2, 4 | 12, 15 | 25 s; 10-s bins: 3 and 2 requests; the bin from 20 s is
  // not full (the trace ends at 25 s) and is left out. Rates 0.3 and 0.2 req/s, x scale 10,
  // replayed from the service's start and looped.
  const std::string trace = source_path("tests/data/traces/azure_demand.csv");
  const ServiceSpec s = load(R"(
- name: chat
  gpus_per_replica: 1
  throughput_rps: {A100: 3}
  max_replicas: 4
  start_s: 100
  end_s: 1000
  demand: {kind: trace, format: azure_llm, path: )" +
                             trace + R"(, step_s: 10, scale: 10}
)")[0];
  EXPECT_EQ(s.demand.trace_rps, (std::vector<double>{0.3, 0.2}));
  DemandCurve curve(s.demand, s.start, RngStreams(1), s.name);
  EXPECT_DOUBLE_EQ(curve.rate_at(from_seconds(100)), 3);
  EXPECT_DOUBLE_EQ(curve.rate_at(from_seconds(115)), 2);
  EXPECT_DOUBLE_EQ(curve.rate_at(from_seconds(125)), 3);  // looped
  EXPECT_EQ(curve.next_change(from_seconds(103)), from_seconds(110));
}

TEST(ServiceConfig, TheAzureConversationTraceReplaysAtItsPublishedMeanRate) {
  // reference-data.yaml workload.inference_arrivals.azure_2023_conv: 19,366 requests at a mean
  // of 5.53 req/s. Binned into full minutes (the last, partial one left out), the replayed mean
  // must agree within 1 %.
  const std::string trace =
      source_path("traces/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv");
  const ServiceSpec s = load(R"(
- name: conv
  gpus_per_replica: 1
  throughput_rps: {A100: 3}
  max_replicas: 4
  end_s: 1000
  demand: {kind: trace, format: azure_llm, path: )" + trace + R"(, step_s: 60}
)")[0];
  double sum = 0;
  for (double r : s.demand.trace_rps) sum += r;
  EXPECT_NEAR(sum / static_cast<double>(s.demand.trace_rps.size()), 5.53, 0.01 * 5.53);
  EXPECT_GT(s.demand.trace_rps.size(), 55u);  // about an hour of minutes
}

TEST(ServiceConfig, ResolvedScenarioReproducesTheServices) {
  const ScenarioConfig config =
      load_scenario(source_path("tests/data/scenarios/small_services.yaml"));
  ASSERT_EQ(config.workload.services.size(), 1u);
  test::TempDir dir;
  const std::string yaml = resolved_scenario_yaml(config, dir.str());
  const std::string file = (dir.path() / "scenario.resolved.yaml").string();
  std::ofstream(file) << yaml;
  const ScenarioConfig again = load_scenario(file);
  ASSERT_EQ(again.workload.services.size(), 1u);
  EXPECT_EQ(resolved_scenario_yaml(again, dir.str()), yaml);
  EXPECT_NE(yaml.find("throughput_rps: {H100_SXM: 8}"), std::string::npos) << yaml;
}

}  // namespace
}  // namespace fleetsim
