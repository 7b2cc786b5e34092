// Gavel's allocation LP (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling Policies for
// Deep Learning Workloads", USENIX OSDI 2020): for jobs j and GPU types t, time fractions
// x[j][t] >= 0 with sum_t x[j][t] <= 1 per job and sum_j gpus_j x[j][t] <= GPUs of type t,
// maximising either the minimum normalised throughput (max-min fairness) or the total
// throughput. Solved with GLPK's simplex. Separate from the policies so the benchmark can time
// one solve.
#pragma once

#include <cstdint>
#include <vector>

namespace fleetsim::detail {

struct GavelJob {
  std::uint32_t gpus = 1;
  // speed[t]: the job's rate on type t relative to the reference type (0 = cannot run there).
  std::vector<double> speed;
  // How many identical jobs this row stands for (each gets the row's x). Identical jobs have an
  // optimal solution that treats them alike (the LP is symmetric in them and convex), so the
  // policies solve one row per distinct (gpus, speeds) instead of one per job.
  std::uint32_t count = 1;
};

enum class GavelObjective : std::uint8_t {
  // max min_j (sum_t speed[j][t] gpus_j x[j][t]) / (gpus_j * equal-share speed_j), where the
  // equal-share speed weighs the job's speeds by the fleet's GPU mix (Gavel's normalisation
  // by the throughput under an equal time share of every type). Plus 1e-3 / (jobs x GPUs) of the
  // total throughput, so spare capacity is handed out instead of left at an arbitrary vertex.
  MaxMinFairness,
  // max sum_j sum_t speed[j][t] gpus_j x[j][t]: reference GPU-seconds of work per second. Gavel
  // sums per-job throughputs; weighting by gang size makes the sum the fleet's work rate.
  TotalThroughput,
};

// x[j][t]. Precondition: capacity.size() == every speed.size(). Deterministic (GLPK simplex,
// fixed options). Throws InternalError if GLPK fails to find the optimum.
std::vector<std::vector<double>> solve_gavel_lp(const std::vector<GavelJob>& jobs,
                                                const std::vector<double>& capacity,
                                                GavelObjective objective);

}  // namespace fleetsim::detail
