// A site's electricity: the cap on its IT draw, its PUE (facility draw = IT draw x PUE), and the
// carbon intensity and price of the power it buys, all over time but the PUE.
#pragma once

#include <cmath>
#include <limits>

#include "sim/model/step_profile.hpp"

namespace fleetsim {

struct SiteEnergy {
  // MW; a constant infinity = no cap. A profile's values are all positive and finite.
  StepProfile it_cap_mw = StepProfile::constant(std::numeric_limits<double>::infinity());
  double pue = 1.0;
  StepProfile carbon_g_per_kwh;   // facility energy -> CO2e
  StepProfile price_usd_per_mwh;  // facility energy -> cost

  bool capped() const { return std::isfinite(it_cap_mw.max_value()); }
};

}  // namespace fleetsim
