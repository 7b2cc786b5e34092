// Gavel (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", USENIX OSDI 2020) with its heterogeneity-aware max-min fairness objective:
// maximise the smallest throughput normalised by each job's equal-share throughput (the authors'
// MaxMinFairnessPolicyWithPerf, scheduler/policies/max_min_fairness.py). The LP is in
// gavel_lp.hpp, its realisation in rounds in gavel_rounds.hpp.
#include "sim/policy/builtin/gavel_rounds.hpp"

namespace fleetsim {
namespace {

const PolicyRegistration kRegistration{{
    .name = "gavel_max_min",
    .summary = "Gavel heterogeneity-aware max-min fairness: LP over job x GPU-type time fractions "
               "(GLPK), realised in rounds.",
    .params = {Param::real(
        "round_s", 360.0,
        "round length: the LP allocation is re-realised (and running jobs may "
        "be preempted) at multiples of it (the authors' simulator drivers default to 1,920 s)")},
    .make =
        [](const PolicyParams& p) {
          return std::make_unique<detail::GavelRounds>(p, detail::GavelObjective::MaxMinFairness);
        },
    .validate = detail::validate_gavel_params,
}};

}  // namespace
}  // namespace fleetsim
