// Gavel (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", USENIX OSDI 2020) with its total-throughput objective (the authors'
// ThroughputSumWithPerf, scheduler/policies/max_sum_throughput.py), here weighted by gang size so
// that it is the fleet's work rate. The LP is in gavel_lp.hpp, its realisation in rounds in
// gavel_rounds.hpp.
#include "sim/policy/builtin/gavel_rounds.hpp"

namespace fleetsim {
namespace {

const PolicyRegistration kRegistration{{
    .name = "gavel_throughput",
    .summary = "Gavel heterogeneity-aware total throughput: LP over job x GPU-type time fractions "
               "(GLPK), realised in rounds.",
    .params = {Param::real(
        "round_s", 360.0,
        "round length: the LP allocation is re-realised (and running jobs may "
        "be preempted) at multiples of it (the authors' simulator drivers default to 1,920 s)")},
    .make =
        [](const PolicyParams& p) {
          return std::make_unique<detail::GavelRounds>(p, detail::GavelObjective::TotalThroughput);
        },
    .validate = detail::validate_gavel_params,
}};

}  // namespace
}  // namespace fleetsim
