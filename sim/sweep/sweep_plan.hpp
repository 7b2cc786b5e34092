// A sweep file names the axes of a grid (scenarios x policies x policy-parameter values x seeds);
// loading it validates every axis and every scenario up front and expands the grid into cells,
// each a fully loaded scenario plus the folder its results go to. Nothing runs here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/scenario_config.hpp"

namespace fleetsim {

struct SweepCell {
  ScenarioConfig config;  // policy, parameters and seed of this cell filled in
  std::string dir;        // relative to the sweep's output folder: toy/las/queues=2/seed-3
  std::string variant;    // the folders between scenario and seed: las/queues=2
};

struct SweepPlan {
  std::string name;              // `name:` or the sweep file's stem
  std::vector<SweepCell> cells;  // scenario, policy entry, grid point, seed order
};

// Throws ConfigError naming the sweep file (or a scenario file), line and field.
SweepPlan load_sweep(const std::string& file);

}  // namespace fleetsim
