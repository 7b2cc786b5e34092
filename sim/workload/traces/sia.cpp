// Sia SOSP'23 workloads (traces README section 10; sampled from Helios-Saturn, Philly and an
// unnamed trace): the Pollux columns, with `time` a float. Same mapping as pollux.cpp.
#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim::detail {

TraceFormat sia_format() {
  return pollux_style_format("sia",
                             "Sia SOSP'23 workload: submit s, application, initial GPUs; run "
                             "time = gpu_s_by_application / GPUs",
                             false);
}

}  // namespace fleetsim::detail
