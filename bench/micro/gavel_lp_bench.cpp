// One solve of Gavel's allocation LP (sim/policy/builtin/gavel_lp.hpp, GLPK simplex) per round:
// BM_GavelLp_<objective>/<jobs>, 3 GPU types (the gavel_catalog.yaml speeds of a3c, lm and
// resnet18 on K80/P100/V100, jobs cycling through the three), gangs of 1-8 GPUs in Philly's
// proportions, and three equal pools holding half the GPUs the jobs ask for (2x oversubscribed, as
// in a busy round). Fixed seed; the problem is built outside the timed loop.
#include <benchmark/benchmark.h>

#include <boost/random/discrete_distribution.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/policy/builtin/gavel_lp.hpp"

namespace fleetsim::bench {
namespace {

struct Problem {
  std::vector<detail::GavelJob> jobs;
  std::vector<double> capacity;
};

Problem make_problem(std::int64_t n) {
  // Speeds relative to K80 (gavel_catalog.yaml): {K80, P100, V100} for a3c, lm, resnet18.
  const std::vector<std::vector<double>> speeds = {
      {1.0, 1.652, 2.087}, {1.0, 3.562, 4.283}, {1.0, 4.993, 4.173}};
  const std::vector<std::uint32_t> sizes = {1, 2, 4, 8};
  const std::vector<double> weights = {76627, 1818, 1870, 1643};  // Philly counts (see configs)
  boost::random::discrete_distribution<std::size_t> size_of(weights.begin(), weights.end());
  std::mt19937_64 rng(7);
  Problem p;
  double gpus = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t g = sizes[size_of(rng)];
    p.jobs.push_back({g, speeds[static_cast<std::size_t>(i) % speeds.size()]});
    gpus += g;
  }
  p.capacity.assign(3, gpus / 6.0);  // three equal pools holding half the demand
  return p;
}

void run(benchmark::State& state, detail::GavelObjective objective) {
  const Problem p = make_problem(state.range(0));
  for (auto _ : state) {
    auto x = detail::solve_gavel_lp(p.jobs, p.capacity, objective);
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());  // solves/s
  state.SetLabel("3 GPU types");
}

void BM_GavelLp_MaxMin(benchmark::State& state) {
  run(state, detail::GavelObjective::MaxMinFairness);
}
void BM_GavelLp_Throughput(benchmark::State& state) {
  run(state, detail::GavelObjective::TotalThroughput);
}

BENCHMARK(BM_GavelLp_MaxMin)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GavelLp_Throughput)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fleetsim::bench
