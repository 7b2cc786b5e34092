// GPU power by state, in integer milliwatts so that a site's draw adds and subtracts exactly
// (no drift after millions of starts and finishes). A powered GPU slot draws its idle power plus
// its share of the node's other IT gear; a job adds utilisation x (TDP - idle) per GPU.
// TDP stands for busy power: a GEMM-bound H100 drew 698 W of its 700 W limit
// (calibration/h100.json, reference-data.yaml measured_efficiency.busy_power_fraction_of_tdp).
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/fleet/gpu_catalog.hpp"

namespace fleetsim {

using Milliwatts = std::int64_t;

inline Milliwatts powered_draw_mw(const GpuType& type) {
  return std::llround((type.idle_w + type.overhead_w) * 1000.0);
}

inline Milliwatts busy_extra_mw(const GpuType& type, double utilisation) {
  return std::llround((type.tdp_w - type.idle_w) * utilisation * 1000.0);
}

// A share of a GPU (JobSpec::gpu_milli < 1000) draws that share of a busy GPU's extra power: a
// shared GPU draws idle power plus its shares' parts, linear in the milli-GPUs in use.
inline Milliwatts busy_extra_mw(const GpuType& type, double utilisation, std::uint32_t milli) {
  const Milliwatts whole = busy_extra_mw(type, utilisation);
  return milli >= 1000 ? whole : whole * milli / 1000;
}

inline double to_mw(Milliwatts mw) { return static_cast<double>(mw) / 1e9; }

}  // namespace fleetsim
