// Workload inflation: jobs drawn from a trace with replacement, one every `interval`, until
// their GPU demand reaches a multiple of the fleet's GPUs. This is how FGD (Weng et al., USENIX
// ATC'23, section 6.1) measures fragmentation, after Verma et al. ("Evaluating job packing in
// warehouse-scale computing", IEEE CLUSTER 2014): with no departures, GPUs a placement strands
// stay unallocated while the demand that has arrived already exceeds them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/time.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

struct InflationConfig {
  double demand = 1.0;  // drawing stops once drawn GPU demand >= demand x the fleet's GPUs
  Duration interval = kMicrosPerSecond;  // draw k is submitted at k x interval
  bool departures = true;  // false: drawn jobs never end (the run needs run.until_s)
  SourcePos pos;           // of the `inflate` entry, for errors found when the trace is read
  std::string field;
};

// A drawn job's run time without departures: the longest time an input may give.
inline constexpr Duration kNeverEnds = static_cast<Duration>(kMaxInputSeconds) * kMicrosPerSecond;

// A job's GPU demand in GPUs: its gang, times its share of each GPU.
double gpu_demand(const JobSpec& job);

// The drawn jobs, in submit order. Draw k copies pool[i], i uniform on the pool, as
// "<name>#<k>" (source_line kept, so errors still name the trace row). The draws come from the
// scenario's "inflate" stream, so `fleetsim validate` and the run draw the same jobs. Throws
// ConfigError (at config.pos) when the pool is empty.
std::vector<JobSpec> inflate(const std::vector<JobSpec>& pool, const InflationConfig& config,
                             std::uint64_t fleet_gpus, const RngStreams& rng);

}  // namespace fleetsim
