#include "sim/policy/builtin/gavel_lp.hpp"

#include <memory>

#include <glpk.h>

#include "sim/core/error.hpp"

namespace fleetsim::detail {
namespace {

constexpr double kTieBreak = 1e-3;

struct ProblemDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

}  // namespace

std::vector<std::vector<double>> solve_gavel_lp(const std::vector<GavelJob>& jobs,
                                                const std::vector<double>& capacity,
                                                GavelObjective objective) {
  const int types = static_cast<int>(capacity.size());
  const int n = static_cast<int>(jobs.size());
  std::vector<std::vector<double>> x(jobs.size(), std::vector<double>(capacity.size(), 0.0));
  if (n == 0 || types == 0) return x;
  const bool max_min = objective == GavelObjective::MaxMinFairness;
  double total_capacity = 0;
  for (double c : capacity) total_capacity += c;

  std::unique_ptr<glp_prob, ProblemDeleter> lp(glp_create_prob());
  glp_set_obj_dir(lp.get(), GLP_MAX);
  // Columns: x[j][t] at 1 + j * types + t; with max-min, z last.
  const int columns = n * types + (max_min ? 1 : 0);
  glp_add_cols(lp.get(), columns);
  for (int j = 0; j < n; ++j) {
    for (int t = 0; t < types; ++t) {
      const int col = 1 + j * types + t;
      const double speed = jobs[j].speed[t];
      if (speed > 0) {
        glp_set_col_bnds(lp.get(), col, GLP_DB, 0.0, 1.0);
      } else {
        glp_set_col_bnds(lp.get(), col, GLP_FX, 0.0, 0.0);
      }
      // Max-min also gets a tiny share of the total, so capacity the minimum does not need is
      // not left idle at an arbitrary vertex (Gavel's water-filling variant goes further).
      const double weight = max_min ? kTieBreak / (n * total_capacity) : 1.0;
      glp_set_obj_coef(lp.get(), col, weight * speed * jobs[j].gpus * jobs[j].count);
    }
  }
  if (max_min) {
    glp_set_col_bnds(lp.get(), columns, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(lp.get(), columns, 1.0);
  }
  // Rows: one per job (time fractions sum <= 1), one per type (GPUs), with max-min one per job
  // (z <= normalised throughput).
  const int rows = n + types + (max_min ? n : 0);
  glp_add_rows(lp.get(), rows);
  std::vector<int> ia{0};
  std::vector<int> ja{0};
  std::vector<double> ar{0.0};
  const auto entry = [&](int row, int col, double value) {
    ia.push_back(row);
    ja.push_back(col);
    ar.push_back(value);
  };
  for (int j = 0; j < n; ++j) {
    glp_set_row_bnds(lp.get(), 1 + j, GLP_UP, 0.0, 1.0);
    for (int t = 0; t < types; ++t) entry(1 + j, 1 + j * types + t, 1.0);
  }
  for (int t = 0; t < types; ++t) {
    glp_set_row_bnds(lp.get(), 1 + n + t, GLP_UP, 0.0, capacity[t]);
    for (int j = 0; j < n; ++j) {
      entry(1 + n + t, 1 + j * types + t, static_cast<double>(jobs[j].gpus) * jobs[j].count);
    }
  }
  if (max_min) {
    for (int j = 0; j < n; ++j) {
      double equal_share = 0;  // the job's speed averaged over the fleet's GPU mix
      for (int t = 0; t < types; ++t) equal_share += jobs[j].speed[t] * capacity[t];
      equal_share /= total_capacity;
      const int row = 1 + n + types + j;
      glp_set_row_bnds(lp.get(), row, GLP_UP, 0.0, 0.0);  // z - throughput_j / norm_j <= 0
      entry(row, columns, 1.0);
      if (equal_share <= 0) continue;  // runs on no type the fleet has: z unconstrained by it
      for (int t = 0; t < types; ++t) {
        if (jobs[j].speed[t] > 0) entry(row, 1 + j * types + t, -jobs[j].speed[t] / equal_share);
      }
    }
  }
  glp_load_matrix(lp.get(), static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());

  glp_smcp options;
  glp_init_smcp(&options);
  options.msg_lev = GLP_MSG_OFF;
  options.presolve = GLP_ON;
  const int rc = glp_simplex(lp.get(), &options);
  FLEETSIM_CHECK(rc == 0 && glp_get_status(lp.get()) == GLP_OPT,
                 "GLPK did not solve the Gavel LP: rc={} status={}", rc, glp_get_status(lp.get()));
  for (int j = 0; j < n; ++j) {
    for (int t = 0; t < types; ++t) {
      const double v = glp_get_col_prim(lp.get(), 1 + j * types + t);
      x[j][t] = v < 1e-9 ? 0.0 : (v > 1.0 ? 1.0 : v);
    }
  }
  return x;
}

}  // namespace fleetsim::detail
