// A run with a failure model (and checkpoints), watched by the InvariantChecker: the failure
// engine tests use fifo_backfill, policy tests the policy whose reaction to failures they check.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim::test {

struct FailureRun {
  std::vector<Job> jobs;
  RunTotals totals;
};

inline FailureRun run_with_failures(const Fleet& fleet, std::vector<JobSpec> jobs,
                                    FailureConfig failures, CheckpointConfig checkpoint,
                                    std::uint64_t seed = 1,
                                    const std::string& policy_name = "fifo_backfill",
                                    const std::map<std::string, ParamValue>& params = {}) {
  const PolicyInfo* info = find_policy(policy_name);
  std::unique_ptr<Policy> policy = info->make(make_params(*info, params));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs));
  EngineConfig config;
  config.policy_name = policy_name;
  config.sample_interval = 0;
  config.checkpoint = checkpoint;
  Engine engine(fleet, source, *policy, *placement, config);
  FailureModel model(std::move(failures), fleet.topology, RngStreams(seed));
  if (model.process_count() > 0) engine.set_failure_model(model);
  InvariantChecker checker(fleet, config, engine.jobs());
  engine.add_observer(checker);
  FailureRun out;
  out.totals = engine.run();
  expect_no_violations(checker, out.totals);
  out.jobs = engine.take_jobs();
  return out;
}

}  // namespace fleetsim::test
