// fleetsim_bench's main: Google Benchmark's usual one, plus the registry-driven benchmarks.
#include <benchmark/benchmark.h>

#include "bench/late_registration.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  fleetsim::bench::register_placement_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
