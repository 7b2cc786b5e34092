// Every registered policy under random failures: the engine refuses any start on a failed GPU
// (a PolicyError, which fails the run here), so a clean run means no GPU was allocated while
// down. On top: the InvariantChecker finds nothing (lost work after checkpoints, restart
// overheads, run times), every job finishes, allocated GPU-seconds = sum of GPUs x run time, the
// per-job interruption counts add up to the engine's, and the same seed runs identically.
#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/finished_records.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using Int = boost::random::uniform_int_distribution<std::uint32_t>;
using Real = boost::random::uniform_real_distribution<double>;

struct Outcome {
  std::vector<Job> jobs;
  RunTotals totals;
  std::string error;
  CheckReport check;  // the simulator's InvariantChecker on the same run
};

// `keep`: keeping every job's record, with the InvariantChecker; otherwise dropping finished
// ones (EngineConfig::keep_finished_jobs), their records taken as they finished.
Outcome run_with_random_failures(const std::string& policy_name, std::uint64_t seed, bool keep) {
  std::mt19937_64 rng(seed);
  const Fleet fleet = test::fleet_of({{0, 2, 2, 8, "H100"}, {0, 2, 1, 4, "H100"}});  // 40 GPUs
  std::vector<JobSpec> jobs;
  double clock = 0;
  for (int i = 0; i < 60; ++i) {
    clock += Real(0, 600)(rng);
    const std::uint32_t sizes[] = {1, 2, 4, 8, 16};
    // fmt: g++ 12 -O3 warns falsely (-Wrestrict) on "j" + std::to_string(i).
    jobs.push_back(
        test::job(fmt::format("j{}", i), clock, sizes[Int(0, 4)(rng)], Real(60, 4 * 3600)(rng)));
  }
  // Most 1-GPU jobs ask for a share of their GPU (gpu_milli < 1000), from a stream of their own
  // so that every other draw stays as it was: a failure of a shared GPU interrupts every holder.
  std::mt19937_64 share_rng(seed * 7001 + 41);
  constexpr std::uint16_t kMilli[] = {200, 300, 500, 700};
  for (JobSpec& spec : jobs) {
    if (spec.gpus == 1 && Int(0, 3)(share_rng) != 0) spec.gpu_milli = kMilli[Int(0, 3)(share_rng)];
  }
  FailureConfig failures;
  FailureProcessConfig gpu{"gpu", FailureLevel::Gpu, {}, {}};
  gpu.lifetime.mtbf_s = 200 * 3600.0;  // 40 GPUs: a failure every 5 h somewhere
  gpu.repair = {RepairDistribution::Kind::Exponential, 0, 1800, 0, 0};
  FailureProcessConfig node{"node", FailureLevel::Node, {}, {}};
  node.lifetime = {LifetimeDistribution::Kind::Weibull, 100 * 3600.0, 0.8};
  node.repair = {RepairDistribution::Kind::Lognormal, 0, 0, 3600, 0.5};
  FailureProcessConfig rack{"rack", FailureLevel::Rack, {}, {}};
  rack.lifetime.mtbf_s = 300 * 3600.0;
  failures.processes = {gpu, node, rack};

  const PolicyInfo* info = find_policy(policy_name);
  std::unique_ptr<Policy> policy = info->make(make_params(*info, {}));
  const std::unique_ptr<Placement> placement = find_placement("best_fit")->make();
  VectorSource source(std::move(jobs));
  EngineConfig config;
  config.policy_name = policy_name;
  config.sample_interval = 0;
  config.checkpoint = {from_seconds(Real(300, 1800)(rng)), from_seconds(Real(0, 60)(rng)),
                       from_seconds(Real(0, 300)(rng))};
  config.keep_finished_jobs = keep;
  Engine engine(fleet, source, *policy, *placement, config);
  FailureModel model(failures, fleet.topology, RngStreams(seed));
  engine.set_failure_model(model);
  std::optional<InvariantChecker> checker;
  test::FinishedRecords finished(engine.job_table());
  if (keep) {
    engine.add_observer(checker.emplace(fleet, config, engine.jobs()));
  } else {
    engine.add_observer(finished);
  }
  Outcome out;
  try {
    out.totals = engine.run();
    if (checker) {
      checker->finish(out.totals);
      out.check = checker->report();
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.jobs = keep ? engine.jobs() : finished.all_jobs();
  return out;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const PolicyInfo& info : registered_policies()) names.push_back(info.name);
  return names;
}

class PropertyFailureConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(PropertyFailureConformance, RandomFailuresKeepEveryInvariantAndAreDeterministic) {
  for (std::uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Outcome a = run_with_random_failures(GetParam(), seed, true);
    ASSERT_EQ(a.error, "");
    for (const std::string& v : a.check.violations) ADD_FAILURE() << v;
    EXPECT_EQ(a.check.violation_count, 0u);
    // Whole jobs' GPUs x run time; fractional jobs' shares x run time, and their run times. A
    // shared GPU is allocated from its first share to its last (the checker follows each one):
    // between the two bounds below.
    double gpu_seconds = 0, shares = 0, share_runs = 0;
    std::uint64_t interruptions = 0;
    for (const Job& job : a.jobs) {
      EXPECT_EQ(job.state, JobState::Done) << job.spec.name;
      EXPECT_GE(job.lost_time, 0);
      EXPECT_LE(job.lost_time + job.checkpoint_time + job.restart_time, job.run_time);
      if (job.spec.gpu_milli < 1000) {
        shares += job.spec.gpu_milli / 1000.0 * to_seconds(job.run_time);
        share_runs += to_seconds(job.run_time);
        EXPECT_NEAR(job.gpu_seconds, job.spec.gpu_milli / 1000.0 * to_seconds(job.run_time),
                    1e-9 * std::max(1.0, job.gpu_seconds));
      } else {
        gpu_seconds += job.spec.gpus * to_seconds(job.run_time);
      }
      interruptions += job.interruptions;
    }
    EXPECT_EQ(a.jobs.size(), 60u);
    EXPECT_GE(a.totals.allocated_gpu_seconds, (gpu_seconds + shares) * (1 - 1e-9));
    EXPECT_LE(a.totals.allocated_gpu_seconds, (gpu_seconds + share_runs) * (1 + 1e-9));
    EXPECT_EQ(interruptions, a.totals.failures.job_interruptions);
    EXPECT_GT(a.totals.failures.down_gpu_seconds, 0) << "the scenario should see failures";
    // Again, dropping finished jobs: the same records at their finish.
    const Outcome b = run_with_random_failures(GetParam(), seed, false);
    ASSERT_EQ(b.error, "");
    ASSERT_EQ(a.jobs.size(), b.jobs.size());
    for (std::size_t i = 0; i < a.jobs.size(); ++i) {
      EXPECT_EQ(a.jobs[i].end, b.jobs[i].end) << a.jobs[i].spec.name;
      EXPECT_EQ(a.jobs[i].interruptions, b.jobs[i].interruptions);
      EXPECT_EQ(a.jobs[i].lost_time, b.jobs[i].lost_time);
      EXPECT_EQ(a.jobs[i].run_time, b.jobs[i].run_time);
    }
    EXPECT_EQ(a.totals.events, b.totals.events);
  }
}

INSTANTIATE_TEST_SUITE_P(Property, PropertyFailureConformance, ::testing::ValuesIn(policy_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace fleetsim
