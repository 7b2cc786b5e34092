// Runs a sweep's cells on a pool of threads. Each cell is an independent run (its own engine,
// policy, RNG streams), written to a temporary sibling folder and renamed into place, so a
// cell's folder exists only once it is complete: re-running skips it, and a killed sweep loses
// at most the cells that were in flight.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace fleetsim {

// What the progress callback hears about each cell, in the order cells complete.
struct CellDone {
  std::size_t index = 0;  // into plan.cells
  bool skipped = false;   // already complete from an earlier run
  double wall_s = 0;      // this cell's run time (0 when skipped); for progress, never results
};

struct SweepOptions {
  unsigned threads = 1;
  // Only cells with index % stride == offset are this process's share (MPI ranks split a
  // sweep this way); a single process takes them all.
  std::size_t stride = 1;
  std::size_t offset = 0;
  // Stop handing out cells after this many have run (0 = no limit): an interrupted sweep, on
  // purpose, to resume later.
  std::size_t max_runs = 0;
  // Watch every cell run with the InvariantChecker (fleetsim sweep --check): slower, same files.
  bool check = false;
  // Called under a lock, one cell at a time.
  std::function<void(const CellDone&)> on_cell_done;
};

// What the InvariantChecker found in one cell.
struct CellCheck {
  std::size_t index = 0;  // into plan.cells
  CheckReport report;
};

struct SweepReport {
  std::vector<std::size_t> ran;      // cell indices simulated by this call, ascending
  std::vector<std::size_t> skipped;  // complete before this call, ascending
  std::vector<CellCheck> checks;     // with SweepOptions::check: one per cell in `ran`, in order
};

// The folder of a cell: out_dir / cell.dir.
std::string cell_folder(const std::string& out_dir, const SweepCell& cell);

// Throws the first cell's ConfigError / PolicyError after the cells in flight have finished. A
// checked cell that breaks an invariant is written all the same; its report says so.
SweepReport run_sweep(const SweepPlan& plan, const std::string& out_dir,
                      const SweepOptions& options);

}  // namespace fleetsim
