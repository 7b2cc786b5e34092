// Placement on the 99,936-GPU GB200 NVL72 fleet (configs/fleets/gb200_100k.yaml), pre-filled to
// 50 % or 95 % and churned so that free GPUs are fragmented: FreeCapacity::take_with for one gang
// + rollback, per registered placement: BM_Placement_<name>/<gang GPUs>/<fill %>.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/random/discrete_distribution.hpp>

#include "bench/late_registration.hpp"
#include "sim/core/error.hpp"
#include "sim/io/fleet_config.hpp"
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/placement.hpp"

namespace fleetsim::bench {
namespace {

const Fleet& gb200_fleet() {
  static const Fleet fleet = build_fleet(load_fleet_config(
      ConfigNode::load_file(FLEETSIM_SOURCE_DIR "/configs/fleets/gb200_100k.yaml")));
  return fleet;
}

// Takes an allocation's GPUs on the index itself (not through a journaling scratch).
void apply(CapacityIndex& index, const Allocation& a) {
  for (const NodeSlice& s : a.slices) index.take(s.node, s.gpus);
}
void undo(CapacityIndex& index, const Allocation& a) {
  for (const NodeSlice& s : a.slices) index.release(s.node, s.gpus);
}

// The fleet with `fill_percent` of its GPUs allocated. Gangs from the Philly size mix (as in
// configs/workloads/gb200_100k_1m.yaml) are placed topology-aware until the fleet is half-way
// from the target to full, then random ones leave until it is back at the target. Fixed seed.
CapacityIndex prefilled_index(int fill_percent) {
  const Fleet& fleet = gb200_fleet();
  CapacityIndex index(fleet.topology);
  const std::unique_ptr<Placement> topology = find_placement("topology")->make();
  const std::vector<std::uint32_t> sizes = {1, 2, 4, 8, 12, 16, 24, 32, 64, 128};
  const std::vector<double> weights = {76627, 1818, 1870, 1643, 7, 199, 7, 67, 6, 3};
  boost::random::discrete_distribution<std::size_t> size_of(weights.begin(), weights.end());
  std::mt19937_64 rng(42);

  const double total = static_cast<double>(fleet.topology.gpu_count());
  const double target = total * fill_percent / 100.0;
  const double high = target + (total - target) / 2;
  std::vector<Allocation> live;
  int misses = 0;
  while (static_cast<double>(total - index.total_free()) < high && misses < 1000) {
    JobSpec job;
    job.gpus = sizes[size_of(rng)];
    std::optional<Allocation> a;
    {
      FreeCapacity scratch(index, *topology);  // undone at scope end
      a = scratch.take(job);
    }
    if (!a) {
      ++misses;
      continue;
    }
    apply(index, *a);
    live.push_back(std::move(*a));
  }
  std::shuffle(live.begin(), live.end(), rng);
  while (static_cast<double>(total - index.total_free()) > target) {
    undo(index, live.back());
    live.pop_back();
  }
  return index;
}

const CapacityIndex& cached_index(int fill_percent) {
  static std::map<int, CapacityIndex> cache;
  auto it = cache.find(fill_percent);
  if (it == cache.end()) it = cache.emplace(fill_percent, prefilled_index(fill_percent)).first;
  return it->second;
}

// range(0) = gang GPUs, range(1) = fill %.
void run_placement(benchmark::State& state, const std::string& name) {
  const PlacementInfo* info = find_placement(name);
  const std::unique_ptr<Placement> placement = info->make();
  CapacityIndex index = cached_index(static_cast<int>(state.range(1)));  // a private copy
  JobSpec job;
  job.gpus = static_cast<std::uint32_t>(state.range(0));
  FreeCapacity free(index, *placement);
  std::size_t slices = 0;
  bool placed = false;
  for (auto _ : state) {
    std::optional<Allocation> a = free.take_with(*placement, job);
    placed = a.has_value();
    if (placed) slices = a->slices.size();
    benchmark::DoNotOptimize(a);
    free.rollback(0);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["placed"] = placed ? 1 : 0;  // 0: no room for the gang (not an error)
  state.counters["nodes"] = static_cast<double>(slices);
  state.counters["free_gpus"] = static_cast<double>(index.total_free());
}

}  // namespace

void register_placement_benchmarks() {
  try {
    gb200_fleet();
  } catch (const ConfigError&) {
    benchmark::RegisterBenchmark("BM_Placement_fleet_config", [](benchmark::State& state) {
      state.SkipWithError("configs/fleets/gb200_100k.yaml did not load");
    });
    return;
  }
  for (const PlacementInfo& info : registered_placements()) {
    benchmark::RegisterBenchmark(
        ("BM_Placement_" + info.name).c_str(),
        [name = info.name](benchmark::State& state) { run_placement(state, name); })
        ->ArgsProduct({{1, 8, 72, 512}, {50, 95}})
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace fleetsim::bench
