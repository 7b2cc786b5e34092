// Draws component failures and repairs. Each random process has its own RNG stream named after
// it, so enabling failures (or adding a process) never changes the workload or other processes.
//
// Exponential lifetimes are drawn as one pooled Poisson process per level (rate = components /
// MTBF) with a uniformly chosen component; a draw that hits a component this process already
// has down is discarded, which thins the pooled rate to exactly (components up) / MTBF. Weibull
// lifetimes are not memoryless, so each component then runs its own renewal process (one
// pending failure per component, the next drawn at its repair).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "sim/core/rng_streams.hpp"
#include "sim/failure/failure_config.hpp"
#include "sim/fleet/topology.hpp"

namespace fleetsim {

struct FailureDraw {
  SimTime time = 0;
  std::uint32_t process = 0;  // index into processes(): random ones first, then scripted ones
  std::uint32_t component = 0;
};

// The GPUs of one component: a node range, or one GPU of one node.
struct ComponentGpus {
  NodeId first_node;
  std::uint32_t node_count = 0;
  std::uint64_t single_gpu_mask = 0;  // level Gpu: the GPU's bit in first_node; else 0 = all
};

class FailureModel {
 public:
  // Throws ConfigError for a scripted failure naming a component the fleet does not have.
  FailureModel(FailureConfig config, const Topology& topology, const RngStreams& rng);

  std::size_t process_count() const { return processes_.size(); }
  const std::string& process_name(std::uint32_t process) const;
  FailureLevel process_level(std::uint32_t process) const;

  // The first failure of every process (and of every component of a renewal process).
  std::vector<FailureDraw> first_failures();

  struct Outcome {
    bool takes_effect = false;          // false: the component was already down (thinned draw)
    SimTime repair_at = 0;              // when takes_effect
    std::optional<FailureDraw> next;    // the process's next failure (pooled processes)
  };
  Outcome fail(std::uint32_t process, std::uint32_t component, SimTime now);
  // The component is back; returns its next failure for a renewal process.
  std::optional<FailureDraw> repair(std::uint32_t process, std::uint32_t component, SimTime now);

  ComponentGpus gpus_of(std::uint32_t process, std::uint32_t component) const;
  // GPUs, nodes, racks or sites in the fleet.
  std::uint64_t component_count(FailureLevel level) const;

 private:
  struct Process {
    std::string name;
    FailureLevel level = FailureLevel::Gpu;
    LifetimeDistribution lifetime;
    RepairDistribution repair;
    bool pooled = false;
    std::optional<ScriptedFailure> script;
    std::mt19937_64 rng;
    std::vector<bool> down;  // [component], down because of this process
  };
  Duration draw_lifetime(Process& p);
  Duration draw_repair(Process& p);

  const Topology* topology_;
  std::vector<Process> processes_;
};

}  // namespace fleetsim
