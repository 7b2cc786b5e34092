// Small fleets, jobs and one-call runs for tests: the numbers in a test should be the only
// thing a reader has to check by hand.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/inference/services.hpp"
#include "sim/policy/registry.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim::test {

// Two types: H100 (reference, speed 1) and A100 (speed 0.5 for every job class).
GpuCatalog test_catalog();

// One site, one cluster, `racks` racks of `nodes_per_rack` nodes of `gpus_per_node` H100s.
Fleet single_cluster_fleet(std::uint32_t racks, std::uint32_t nodes_per_rack,
                           std::uint32_t gpus_per_node);

// Rack groups for mixed fleets: each entry adds one cluster (to site `site`, created in order).
struct ClusterShape {
  std::uint32_t site = 0;
  std::uint32_t racks = 1;
  std::uint32_t nodes_per_rack = 1;
  std::uint32_t gpus_per_node = 8;
  std::string gpu_type = "H100";
};
Fleet fleet_of(const std::vector<ClusterShape>& clusters);

JobSpec job(std::string name, double submit_s, std::uint32_t gpus, double duration_s);

// Ends the checker's run (finish) and fails the test for each violation it found.
void expect_no_violations(InvariantChecker& checker, const RunTotals& totals);

// Runs below are watched by the InvariantChecker (sim/check/), and fail the test on a violation.
struct RunOutput {
  std::vector<Job> jobs;  // replicas of inference services included, in id order
  RunTotals totals;
  std::vector<ServiceResult> services;
  const Job& operator[](const std::string& name) const;  // fails the test if absent
};

RunOutput run(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& policy,
              const std::map<std::string, ParamValue>& params = {},
              const std::string& placement = "first_fit", EngineConfig config = {});

// The same with inference services (replica jobs appear in `jobs` after the arrivals they
// followed, named "<service>/r<n>").
RunOutput run_with_services(const Fleet& fleet, std::vector<JobSpec> jobs,
                            std::vector<ServiceSpec> services, const std::string& policy,
                            const std::map<std::string, ParamValue>& params = {},
                            const std::string& placement = "first_fit", EngineConfig config = {});

// An engine config without samples (the engine's default samples every 10 minutes).
EngineConfig no_samples();

// A run with a site selection: `selection` a registered name ("" = none, the placement
// chooses), or `custom` instead when given; `observers` watch the run.
RunOutput run_at_sites(const Fleet& fleet, std::vector<JobSpec> jobs, const std::string& selection,
                       const std::string& policy = "fifo", EngineConfig config = no_samples(),
                       const std::vector<RunObserver*>& observers = {},
                       const SiteSelection* custom = nullptr);

// A run with a failure model (and checkpoints), no samples, `first_fit` placement: the failure
// engine tests use fifo_backfill, policy tests the policy whose reaction to failures they check.
RunOutput run_with_failures(const Fleet& fleet, std::vector<JobSpec> jobs, FailureConfig failures,
                            CheckpointConfig checkpoint, std::uint64_t seed = 1,
                            const std::string& policy = "fifo_backfill",
                            const std::map<std::string, ParamValue>& params = {});

// Seconds since time 0, for readable assertions.
double seconds(SimTime t);

}  // namespace fleetsim::test
