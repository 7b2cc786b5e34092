#include "tests/support/test_fleet.hpp"

#include <memory>

#include <gtest/gtest.h>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/workload/vector_source.hpp"

namespace fleetsim::test {

void expect_no_violations(InvariantChecker& checker, const RunTotals& totals) {
  checker.finish(totals);
  for (const std::string& v : checker.violations().lines()) ADD_FAILURE() << "--check: " << v;
  EXPECT_EQ(checker.violations().count(), 0u) << "invariant violations";
}

GpuCatalog test_catalog() {
  GpuType h100{"H100", 989, 80, 700, 72, 0, {}};
  GpuType a100{"A100", 312, 80, 400, 50, 0, {{"default", 0.5}}};
  return GpuCatalog({h100, a100}, "H100");
}

Fleet single_cluster_fleet(std::uint32_t racks, std::uint32_t nodes_per_rack,
                           std::uint32_t gpus_per_node) {
  return fleet_of({{0, racks, nodes_per_rack, gpus_per_node, "H100"}});
}

Fleet fleet_of(const std::vector<ClusterShape>& clusters) {
  Fleet fleet;
  fleet.catalog = test_catalog();
  fleet.topology = Topology(2);
  std::uint32_t sites = 0;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    const ClusterShape& shape = clusters[i];
    while (sites <= shape.site) {
      fleet.topology.add_site({fmt::format("site{}", sites), "XX", "r", "own", {}, 0, 0});
      ++sites;
    }
    const ClusterId c = fleet.topology.add_cluster(SiteId{shape.site}, fmt::format("c{}", i));
    fleet.topology.add_racks(c, shape.racks, shape.nodes_per_rack, shape.gpus_per_node,
                             *fleet.catalog.find(shape.gpu_type));
  }
  return fleet;
}

JobSpec job(std::string name, double submit_s, std::uint32_t gpus, double duration_s) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.submit = from_seconds(submit_s);
  spec.gpus = gpus;
  spec.duration = from_seconds(duration_s);
  return spec;
}

const Job& RunOutput::operator[](const std::string& name) const {
  for (const Job& j : jobs) {
    if (j.spec.name == name) return j;
  }
  ADD_FAILURE() << "no job named " << name;
  static const Job missing;
  return missing;
}

RunOutput run(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& policy,
              const std::map<std::string, ParamValue>& params, const std::string& placement,
              EngineConfig config) {
  return run_with_services(fleet, std::move(jobs), {}, policy, params, placement, config);
}

namespace {

// What every run helper shares: the engine on `jobs` with the named policy and placement, the
// services and failure model given (none when empty), watched by the InvariantChecker.
RunOutput run_checked(const Fleet& fleet, std::vector<JobSpec> jobs,
                      std::vector<ServiceSpec> services, FailureConfig failures,
                      std::uint64_t failure_seed, const std::string& policy,
                      const std::map<std::string, ParamValue>& params,
                      const std::string& placement, EngineConfig config) {
  const PolicyInfo* info = find_policy(policy);
  const PlacementInfo* place = find_placement(placement);
  if (info == nullptr || place == nullptr) {
    ADD_FAILURE() << "unknown policy " << policy << " or placement " << placement;
    return {};
  }
  std::unique_ptr<Policy> p = info->make(make_params(*info, params));
  std::unique_ptr<Placement> pl = place->make();
  VectorSource source(std::move(jobs));
  config.policy_name = policy;
  Engine engine(fleet, source, *p, *pl, config);
  InvariantChecker checker(fleet, config, engine.jobs(), services);
  engine.add_observer(checker);
  InferenceServices inference(std::move(services), fleet, RngStreams(1));
  if (inference.size() > 0) engine.set_services(inference);
  FailureModel model(std::move(failures), fleet.topology, RngStreams(failure_seed));
  if (model.process_count() > 0) engine.set_failure_model(model);
  RunOutput out;
  out.totals = engine.run();
  expect_no_violations(checker, out.totals);
  out.jobs = engine.take_jobs();
  out.services = inference.take_results();
  return out;
}

}  // namespace

RunOutput run_with_services(const Fleet& fleet, std::vector<JobSpec> jobs,
                            std::vector<ServiceSpec> services, const std::string& policy,
                            const std::map<std::string, ParamValue>& params,
                            const std::string& placement, EngineConfig config) {
  return run_checked(fleet, std::move(jobs), std::move(services), {}, 1, policy, params,
                     placement, std::move(config));
}

RunOutput run_with_failures(const Fleet& fleet, std::vector<JobSpec> jobs, FailureConfig failures,
                            CheckpointConfig checkpoint, std::uint64_t seed,
                            const std::string& policy,
                            const std::map<std::string, ParamValue>& params) {
  EngineConfig config = no_samples();
  config.checkpoint = checkpoint;
  return run_checked(fleet, std::move(jobs), {}, std::move(failures), seed, policy, params,
                     "first_fit", std::move(config));
}

EngineConfig no_samples() {
  EngineConfig config;
  config.sample_interval = 0;
  return config;
}

RunOutput run_at_sites(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& selection,
                       const std::string& policy, EngineConfig config,
                       const std::vector<RunObserver*>& observers, const SiteSelection* custom) {
  const PolicyInfo* info = find_policy(policy);
  std::unique_ptr<Policy> p = info->make(make_params(*info, {}));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  std::unique_ptr<SiteSelection> named;
  if (!selection.empty()) named = find_site_selection(selection)->make();
  VectorSource source(std::move(jobs));
  config.policy_name = policy;
  Engine engine(fleet, source, *p, *placement, config);
  engine.set_site_selection(custom != nullptr ? custom : named.get());
  for (RunObserver* o : observers) engine.add_observer(*o);
  InvariantChecker checker(fleet, config, engine.jobs());
  engine.add_observer(checker);
  RunOutput out;
  out.totals = engine.run();
  expect_no_violations(checker, out.totals);
  out.jobs = engine.take_jobs();
  return out;
}

double seconds(SimTime t) { return to_seconds(t); }

}  // namespace fleetsim::test
