#include "sim/core/power_ledger.hpp"

#include <algorithm>
#include <cmath>

#include "sim/core/error.hpp"

namespace fleetsim {

PowerLedger::PowerLedger(const Fleet& fleet)
    : fleet_(&fleet),
      draw_(fleet.topology.sites().size(), 0),
      cap_(fleet.topology.sites().size(), kUncapped),
      settled_to_(fleet.topology.sites().size(), 0),
      totals_(fleet.topology.sites().size()) {
  const Topology& topo = fleet.topology;
  for (const Rack& rack : topo.racks()) {
    draw_[topo.cluster(rack.cluster).site.index()] +=
        powered_draw_mw(fleet.catalog.type(rack.type)) * rack.gpu_count;
  }
  for (std::size_t s = 0; s < draw_.size(); ++s) {
    if (fleet.energy(SiteId{s}).capped()) {
      set_cap(SiteId{s}, 0);
      any_cap_ = true;
    }
    totals_[s].peak_it_mw = draw_[s];
  }
}

void PowerLedger::set_cap(SiteId s, SimTime now) {
  const double cap_mw = fleet_->energy(s).it_cap_mw.at(now);
  FLEETSIM_CHECK(std::isfinite(cap_mw) && cap_mw > 0, "site {} cap {} MW at t={}", s.value, cap_mw,
                 now);
  cap_[s.index()] = std::llround(cap_mw * 1e9);
}

void PowerLedger::change(SiteId s, Milliwatts delta, SimTime now) {
  const std::size_t i = s.index();
  settle_site(i, now);
  draw_[i] += delta;
  FLEETSIM_CHECK(draw_[i] >= 0, "site {} draws {} mW", i, draw_[i]);
  totals_[i].peak_it_mw = std::max(totals_[i].peak_it_mw, draw_[i]);
}

void PowerLedger::settle(SimTime now) {
  for (std::size_t s = 0; s < draw_.size(); ++s) settle_site(s, now);
}

void PowerLedger::settle_site(std::size_t s, SimTime now) {
  const SimTime from = settled_to_[s];
  if (now <= from) return;
  settled_to_[s] = now;
  if (draw_[s] == 0) return;
  const SiteEnergy& e = fleet_->energy(SiteId{s});
  const double it_w = static_cast<double>(draw_[s]) / 1e3;
  const double facility_w = it_w * e.pue;
  // W x s = J; 1 MWh = 3.6e9 J, 1 kWh = 3.6e6 J.
  SiteEnergyTotals& t = totals_[s];
  t.it_mwh += it_w * to_seconds(now - from) / 3.6e9;
  t.facility_mwh += facility_w * to_seconds(now - from) / 3.6e9;
  t.carbon_t += facility_w * e.carbon_g_per_kwh.integral_s(from, now) / 3.6e6 / 1e6;
  t.cost_usd += facility_w * e.price_usd_per_mwh.integral_s(from, now) / 3.6e9;
}

}  // namespace fleetsim
