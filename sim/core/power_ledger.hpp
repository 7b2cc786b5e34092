// Each site's IT draw as the run goes, and its integral: IT and facility energy, carbon and cost.
// The engine changes a site's draw when jobs start and stop and when racks come and go; the
// ledger integrates the previous draw up to that instant first (splitting at the hours where the
// carbon or price profile steps), so energy = integral of power exactly, event by event. The cap
// is the value of the site's cap profile at the latest step the engine told the ledger about.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/model/power.hpp"

namespace fleetsim {

struct SiteEnergyTotals {
  double it_mwh = 0;
  double facility_mwh = 0;  // IT x PUE
  double carbon_t = 0;      // tCO2e of the facility energy
  double cost_usd = 0;
  Milliwatts peak_it_mw = 0;
};

class PowerLedger {
 public:
  static constexpr Milliwatts kUncapped = std::numeric_limits<Milliwatts>::max();

  // Every rack powered and idle; the engine takes out racks that are not built yet at time 0.
  explicit PowerLedger(const Fleet& fleet);

  std::size_t site_count() const { return draw_.size(); }
  Milliwatts draw(SiteId s) const { return draw_[s.index()]; }
  Milliwatts cap(SiteId s) const { return cap_[s.index()]; }
  Milliwatts headroom(SiteId s) const {
    return cap_[s.index()] == kUncapped ? kUncapped : cap_[s.index()] - draw_[s.index()];
  }
  bool any_cap() const { return any_cap_; }
  // The cap as a site's profile reads at `now` (the engine calls it at each step of the profile).
  // Precondition: the site is capped.
  void set_cap(SiteId s, SimTime now);
  // Integrates the site up to `now`, then changes its draw by `delta`.
  void change(SiteId s, Milliwatts delta, SimTime now);
  // Integrates every site up to `now` (before reading totals).
  void settle(SimTime now);
  const SiteEnergyTotals& totals(SiteId s) const { return totals_[s.index()]; }

 private:
  void settle_site(std::size_t s, SimTime now);

  const Fleet* fleet_;
  std::vector<Milliwatts> draw_;
  std::vector<Milliwatts> cap_;
  std::vector<SimTime> settled_to_;
  std::vector<SiteEnergyTotals> totals_;
  bool any_cap_ = false;
};

}  // namespace fleetsim
