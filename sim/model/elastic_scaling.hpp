// How an elastic job's speed depends on its GPU count (Pollux, OSDI'21; AFS, NSDI'21 schedule on
// such curves). We use Amdahl's law: with serial fraction s, n GPUs run
// speedup(n) = n / (1 + s (n - 1)) times as fast as one. s = 0 scales linearly; a data-parallel
// job whose gradient all-reduce takes 5 % of a step at one node's worth of GPUs is near s = 0.05.
// A job's duration is measured on its requested `gpus`, so on n GPUs it progresses at
// speedup(n) / speedup(gpus) of its reference rate.
#pragma once

#include <cstdint>

#include "sim/workload/job.hpp"

namespace fleetsim {

inline double amdahl_speedup(double serial_fraction, std::uint32_t gpus) {
  const double n = gpus;
  return n / (1.0 + serial_fraction * (n - 1.0));
}

// Rate factor of `job` on `gpus` GPUs against its requested gang: exactly 1 at spec.gpus.
inline double elastic_speed(const JobSpec& job, std::uint32_t gpus) {
  if (gpus == job.gpus) return 1.0;
  return amdahl_speedup(job.serial_fraction, gpus) / amdahl_speedup(job.serial_fraction, job.gpus);
}

}  // namespace fleetsim
