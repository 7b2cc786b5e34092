#include "sim/io/run_scenario.hpp"

#include <optional>

#include "sim/core/rng_streams.hpp"
#include "sim/io/job_results.hpp"
#include "sim/metrics/time_series.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/policy/site_selection.hpp"
#include "sim/workload/feasibility.hpp"

namespace fleetsim {

RunResult run_scenario(const ScenarioConfig& config, const RunOptions& options) {
  const Fleet fleet = build_fleet(config.fleet, config.start_unix_s);
  const RngStreams rng(config.seed);
  if (const auto* synthetic = std::get_if<SyntheticConfig>(&config.workload.source)) {
    Feasibility(fleet).check_generator(*synthetic);  // before simulating, not at the first draw
  }
  LoadedWorkload workload = open_workload(config.workload, fleet.catalog, rng,
                                          fleet.topology.gpu_count(), site_directory(config.fleet));
  const PolicyInfo* info = find_policy(config.policy);
  const PlacementInfo* placement_info = find_placement(config.placement);
  FLEETSIM_CHECK(info != nullptr && placement_info != nullptr,
                 "scenario loader let through policy {} / placement {}", config.policy,
                 config.placement);
  std::unique_ptr<Policy> policy = info->make(make_params(*info, config.policy_params));
  std::unique_ptr<Placement> placement = placement_info->make();
  const SiteSelectionInfo* selection_info = find_site_selection(config.site_selection);
  FLEETSIM_CHECK(selection_info != nullptr, "scenario loader let through site selection {}",
                 config.site_selection);
  std::unique_ptr<SiteSelection> site_selection = selection_info->make();

  EngineConfig engine_config;
  engine_config.policy_name = config.policy;
  engine_config.preempt_overhead = config.preempt_overhead;
  engine_config.resume_overhead = config.resume_overhead;
  engine_config.sample_interval = config.sample_interval;
  engine_config.horizon = config.until;
  engine_config.checkpoint = config.checkpoint;
  engine_config.keep_finished_jobs = options.keep_jobs || options.check;
  Engine engine(fleet, *workload.source, *policy, *placement, engine_config);
  engine.set_site_selection(site_selection.get());
  std::optional<FailureModel> failures;
  if (config.failures.enabled()) {
    failures.emplace(config.failures, fleet.topology, rng);
    engine.set_failure_model(*failures);
  }
  std::optional<InferenceServices> services;
  if (!config.workload.services.empty()) {
    services.emplace(config.workload.services, fleet, rng);
    engine.set_services(*services);
  }
  TimeSeries series;
  engine.add_observer(series);
  FragmentationMeter fragmentation(engine.capacity());
  engine.add_observer(fragmentation);
  JobResults job_results(fleet, engine.job_table(), workload.source->size_hint());
  engine.add_observer(job_results);
  std::optional<InvariantChecker> checker;
  if (options.check) {
    checker.emplace(fleet, engine_config, engine.jobs(), config.workload.services);
    engine.add_observer(*checker);
  }

  RunResult result;
  result.totals = engine.run();
  if (checker) {
    checker->finish(result.totals);
    result.check = checker->report();
  }
  if (fragmentation.measured()) result.fragmentation = fragmentation.summary();
  job_results.add_unfinished();
  result.jobs_csv = job_results.take_rows();
  result.samples = series.rows();
  RunTotals training = result.totals;
  if (services) {
    result.services = services->take_results();
    training.allocated_gpu_seconds -= training.replica_gpu_seconds;
    training.allocated_gpu_seconds_at_last_arrival -= training.replica_gpu_seconds_at_last_arrival;
  }
  result.summary = job_results.summary(training);
  if (options.keep_jobs) {
    result.jobs = engine.take_jobs();
    if (services) {
      std::vector<Job> all = std::move(result.jobs);
      result.jobs.clear();
      for (Job& job : all) {
        (job.spec.is_replica() ? result.replicas : result.jobs).push_back(std::move(job));
      }
    }
  }
  result.trace_rows = workload.trace_rows;
  result.trace_rows_rejected = workload.rejected_rows;
  result.trace_rejected_by_reason = workload.rejected_by_reason;
  return result;
}

}  // namespace fleetsim
