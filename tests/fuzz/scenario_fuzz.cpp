// libFuzzer target: bytes as a scenario file, through what `fleetsim validate` does with a
// synthetic workload: load_scenario (every section, referenced fleet and workload files, policy
// parameters), build_fleet, the generator's feasibility check; then the first jobs the generator
// and the first failures and repairs the failure model draw. Trace files have their own target
// (trace_fuzz.cpp).
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/io/scenario_config.hpp"
#include "sim/workload/feasibility.hpp"
#include "tests/fuzz/fuzz_contract.hpp"

namespace fleetsim {
namespace {

// A fleet this large is valid but takes too much memory to build once per input; the limit is
// this target's budget (-rss_limit_mb), not a rule of the loader.
constexpr std::uint64_t kMaxBuiltGpus = std::uint64_t{1} << 20;
// Enough draws to cross every branch of the generator and the failure model, few enough to keep
// the target fast.
constexpr int kDraws = 64;

std::uint64_t gpu_count(const FleetConfig& fleet) {
  std::uint64_t gpus = 0;
  for (const SiteConfig& site : fleet.sites) {
    for (const ClusterConfig& cluster : site.clusters) {
      for (const RackGroupConfig& g : cluster.racks) {
        gpus += std::uint64_t{g.count} * g.nodes * g.gpus_per_node;
      }
    }
  }
  return gpus;
}

// Failures, each followed by its repair, in draw order (not time order: only the draws matter).
void draw_failures(const FailureConfig& config, const Fleet& fleet, const RngStreams& rng) {
  FailureModel model(config, fleet.topology, rng);
  std::vector<FailureDraw> pending = model.first_failures();
  for (int i = 0; i < kDraws && !pending.empty(); ++i) {
    const FailureDraw d = pending.back();
    pending.pop_back();
    fuzz::require(d.time >= 0, "a failure before t=0");
    const FailureModel::Outcome outcome = model.fail(d.process, d.component, d.time);
    if (outcome.next) {
      fuzz::require(outcome.next->time > d.time, "a next failure not after the last one");
      pending.push_back(*outcome.next);
    }
    if (!outcome.takes_effect) continue;
    fuzz::require(outcome.repair_at >= d.time, "a repair before its failure");
    if (auto next = model.repair(d.process, d.component, outcome.repair_at)) {
      fuzz::require(next->time > outcome.repair_at, "a failure not after the repair before it");
      pending.push_back(*next);
    }
  }
}

void validate(const std::string& file) {
  const ScenarioConfig config = load_scenario(file);
  if (gpu_count(config.fleet) > kMaxBuiltGpus) return;
  const Fleet fleet = build_fleet(config.fleet);
  const RngStreams rng(config.seed);
  if (config.failures.enabled()) draw_failures(config.failures, fleet, rng);
  const auto* synthetic = std::get_if<SyntheticConfig>(&config.workload.source);
  if (synthetic == nullptr) return;
  const Feasibility feasibility(fleet);
  feasibility.check_generator(*synthetic);
  LoadedWorkload workload =
      open_workload(config.workload, fleet.catalog, rng, fleet.topology.gpu_count());
  SimTime previous = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::optional<JobSpec> job = workload.source->next();
    if (!job) break;
    fuzz::require(job->submit >= previous, "generated jobs out of submit order");
    fuzz::require(job->duration > 0, "a generated job without run time");
    fuzz::require(feasibility.fits(*job), "a generated job that can never run");
    previous = job->submit;
  }
}

}  // namespace
}  // namespace fleetsim

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // rejected trace rows and node lists warn
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fleetsim::fuzz::ScratchFile file(".yaml");
  file.write(data, size);
  fleetsim::fuzz::loads_or_rejects([] { fleetsim::validate(file.path()); });
  return 0;
}
