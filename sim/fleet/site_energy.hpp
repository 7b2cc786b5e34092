// A site's electricity: the cap on its IT draw, its PUE (facility draw = IT draw x PUE), and the
// carbon intensity and price of the power it buys, over time.
#pragma once

#include <limits>

#include "sim/model/step_profile.hpp"

namespace fleetsim {

struct SiteEnergy {
  double it_cap_mw = std::numeric_limits<double>::infinity();
  double pue = 1.0;
  StepProfile carbon_g_per_kwh;   // facility energy -> CO2e
  StepProfile price_usd_per_mwh;  // facility energy -> cost
};

}  // namespace fleetsim
