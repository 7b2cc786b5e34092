// A Comparison as text: an aligned terminal table, CSV (one row per scenario x variant x metric,
// for scripts and plots) or Markdown (one table per scenario, for a paper or a pull request).
#pragma once

#include <string>

#include "sim/sweep/compare.hpp"

namespace fleetsim {

enum class CompareFormat { Table, Csv, Markdown };

std::string format_comparison(const Comparison& comparison, CompareFormat format);

}  // namespace fleetsim
