// Benchmarks whose list comes from a registry (one per registered placement). Registries fill
// during static initialisation in other files, in no guaranteed order, so these are registered
// from main(), after every registration has run.
#pragma once

namespace fleetsim::bench {

void register_placement_benchmarks();  // bench/micro/placement_bench.cpp

}  // namespace fleetsim::bench
