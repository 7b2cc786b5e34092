// Failures and checkpointing as the scenario describes them, validated by the loader
// (sim/io/failure_config_loader). The model that draws from them is FailureModel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/time.hpp"

namespace fleetsim {

// What one failure takes out: a GPU, a node, a rack (NVLink domain), or a whole site (power or
// network outage). Racks, clusters and sites are contiguous node ranges in the Topology.
enum class FailureLevel : std::uint8_t { Gpu, Node, Rack, Site };

const char* level_name(FailureLevel level);

// Time to failure of one component.
struct LifetimeDistribution {
  enum class Kind { Exponential, Weibull };
  Kind kind = Kind::Exponential;
  double mtbf_s = 0;  // mean time between failures of ONE component
  double shape = 1;   // Weibull k; the scale follows from the mean: mtbf / Gamma(1 + 1/k)
};

// Time from failure to the component being usable again.
struct RepairDistribution {
  enum class Kind { None, Constant, Exponential, Lognormal };
  Kind kind = Kind::None;  // None: back at once (a software fault: only the job restarts)
  double value_s = 0;      // constant
  double mean_s = 0;       // exponential
  double median_s = 0;     // lognormal
  double sigma = 0;        // lognormal: standard deviation of ln(repair time)
};

// A random failure process over every component of one level (e.g. "GPU faults": each GPU of
// the fleet fails independently with this lifetime).
struct FailureProcessConfig {
  std::string name;  // the cause, reported per process; also names its RNG stream
  FailureLevel level = FailureLevel::Gpu;
  LifetimeDistribution lifetime;
  RepairDistribution repair;
};

// One failure at a known time, for tests and what-if studies.
struct ScriptedFailure {
  SimTime at = 0;
  FailureLevel level = FailureLevel::Node;
  std::uint64_t index = 0;  // of the component within its level (global GPU / node / rack / site)
  Duration repair = 0;
  SourcePos origin;            // for an index the fleet does not have
  std::string field = "index";  // its path in the scenario, for the same error
};

struct FailureConfig {
  std::vector<FailureProcessConfig> processes;
  std::vector<ScriptedFailure> scripted;
  bool enabled() const { return !processes.empty() || !scripted.empty(); }
};

// Every training job saves a checkpoint after each `interval` of computing, pausing progress for
// `cost`; after a failure it resumes from the last completed checkpoint, paying `restart` (GPUs
// held, no progress) on its next start. interval = 0: no checkpoints, so a failure loses the
// whole segment since the job last (re)started.
struct CheckpointConfig {
  Duration interval = 0;
  Duration cost = 0;
  Duration restart = 0;
};

}  // namespace fleetsim
