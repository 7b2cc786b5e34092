// The engine loop's cost per event against the bare binary heap's hold model at the same number
// of pending events, interleaved in one run. 1-GPU jobs on a fleet with twice their peak need, so
// every job starts on arrival and what is timed is the loop itself (about 4 events per job).
// Twice: keeping every job's record (the default, what the CLI's results are written from), and
// dropping finished jobs' records (EngineConfig::keep_finished_jobs = false).
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <sys/resource.h>

#include <benchmark/benchmark.h>
#include <boost/random/exponential_distribution.hpp>

#include "bench/micro/hold_model.hpp"
#include "sim/core/engine.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"

namespace fleetsim::bench {
namespace {

constexpr double kMeanJobSeconds = 3600;

// The calling thread's system CPU seconds and minor page faults so far. On this VM the kernel's
// backing of fresh job-table pages is a large and hour-to-hour variable part of the engine's
// thread CPU time at 10^5 (bench/README.md), so every run reports it beside the ratio.
struct KernelUsage {
  double system_s = 0;
  double minor_faults = 0;
  static KernelUsage now() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return {static_cast<double>(usage.ru_stime.tv_sec) +
                static_cast<double>(usage.ru_stime.tv_usec) * 1e-6,
            static_cast<double>(usage.ru_minflt)};
  }
};

// One site, one cluster of GB200 NVL72-shaped racks (18 nodes x 4 GPUs) with >= `gpus` GPUs.
Fleet fleet_with_at_least(std::uint64_t gpus) {
  Fleet fleet;
  fleet.catalog = GpuCatalog({GpuType{"GB200_GPU", 2500, 186, 1200, 150, 0, {}}}, "GB200_GPU");
  fleet.topology = Topology(1);
  fleet.topology.add_site({"bench", "XX", "r", "own", {}, 0, 0});
  const ClusterId c = fleet.topology.add_cluster(SiteId{0}, "c0");
  const auto racks = static_cast<std::uint32_t>((gpus + 71) / 72);
  fleet.topology.add_racks(c, racks, 18, 4, GpuTypeId{0});
  return fleet;
}

// Poisson arrivals of 1-GPU jobs with exponential durations (mean 1 h), at the rate that keeps
// `running` jobs (= pending finish events) in the system on average (Little's law).
std::vector<JobSpec> one_gpu_jobs(std::size_t count, std::size_t running) {
  std::mt19937_64 arrivals(11), durations(12);
  boost::random::exponential_distribution<double> gap(static_cast<double>(running) /
                                                      kMeanJobSeconds);
  boost::random::exponential_distribution<double> length(1.0 / kMeanJobSeconds);
  std::vector<JobSpec> jobs(count);
  double clock_s = 0;
  for (std::size_t i = 0; i < count; ++i) {
    clock_s += gap(arrivals);
    jobs[i].name = "job-" + std::to_string(i);
    jobs[i].submit = from_seconds(clock_s);
    jobs[i].gpus = 1;
    jobs[i].duration = std::max<Duration>(1, from_seconds(length(durations)));
  }
  return jobs;
}

// range(0) = average running jobs, i.e. pending events in the calendar.
void engine_loop(benchmark::State& state, bool keep_finished_jobs) {
  const auto running = static_cast<std::size_t>(state.range(0));
  const PolicyInfo* policy_info = find_policy("fifo_backfill");
  const PlacementInfo* placement_info = find_placement("first_fit");
  if (policy_info == nullptr || placement_info == nullptr) {
    state.SkipWithError("policy fifo_backfill or placement first_fit is not registered");
    return;
  }
  const Fleet fleet = fleet_with_at_least(2 * running);
  // Long enough that the ramp-up (about one mean duration) is a small part of the run.
  const std::vector<JobSpec> jobs =
      one_gpu_jobs(std::max<std::size_t>(200'000, 10 * running), running);
  const std::unique_ptr<Placement> placement = placement_info->make();
  const PolicyParams params = make_params(*policy_info, {});

  std::uint64_t events = 0;
  double engine_s = 0;
  double heap_s = 0;
  KernelUsage kernel;  // summed over the engine runs
  for (auto _ : state) {
    state.PauseTiming();
    auto source = std::make_unique<VectorSource>(jobs);
    std::unique_ptr<Policy> policy = policy_info->make(params);
    EngineConfig config;
    config.policy_name = "fifo_backfill";
    config.keep_finished_jobs = keep_finished_jobs;
    auto engine = std::make_unique<Engine>(fleet, *source, *policy, *placement, config);
    state.ResumeTiming();

    const KernelUsage kernel_before = KernelUsage::now();
    const double start = thread_cpu_seconds();
    const RunTotals totals = engine->run();
    engine_s += thread_cpu_seconds() - start;
    const KernelUsage kernel_after = KernelUsage::now();
    kernel.system_s += kernel_after.system_s - kernel_before.system_s;
    kernel.minor_faults += kernel_after.minor_faults - kernel_before.minor_faults;

    state.PauseTiming();
    events += totals.events;
    // Without an observer, which would add its calls to the timed loop. A dropping run has the
    // same schedule as a keeping one (the property tests compare them), so the keeping run's
    // check that no job waited holds for it too; here, that every job finished.
    const JobTable& table = engine->job_table();
    bool all_done = table.size() == jobs.size();
    for (std::size_t id = 0; all_done && id < table.size(); ++id) {
      const Job* job = table.find(JobId{id});
      all_done = keep_finished_jobs ? job->state == JobState::Done &&
                                          job->first_start == job->spec.submit
                                    : job == nullptr;  // retired: finished and told
    }
    if (!all_done) state.SkipWithError("a job waited, did not finish or went missing");
    engine.reset();
    source.reset();
    // The baseline, interleaved so both see the same machine load: as many holds as events.
    heap_s +=
        static_cast<double>(totals.events) / bare_heap_holds_per_second(running, totals.events);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  const double engine_rate = static_cast<double>(events) / engine_s;
  const double heap_rate = static_cast<double>(events) / heap_s;
  const auto jobs_run = static_cast<double>(state.iterations() * jobs.size());
  state.counters["events_per_job"] = static_cast<double>(events) / jobs_run;
  // Kernel time inside the engine's timed CPU time (mostly page faults of the job table), and
  // the faults per job: what the engine's rate includes that the heap's does not.
  state.counters["engine_sys_share"] = kernel.system_s / engine_s;
  state.counters["faults_per_job"] = kernel.minor_faults / jobs_run;
  state.counters["engine_ev_per_s"] = engine_rate;
  state.counters["bare_heap_ev_per_s"] = heap_rate;
  state.counters["vs_bare_heap"] = engine_rate / heap_rate;  // target >= 0.5
}

void BM_EngineLoop_EventsPerSecond(benchmark::State& state) { engine_loop(state, true); }
void BM_EngineLoop_DroppingFinishedJobs(benchmark::State& state) { engine_loop(state, false); }

BENCHMARK(BM_EngineLoop_EventsPerSecond)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EngineLoop_DroppingFinishedJobs)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fleetsim::bench
