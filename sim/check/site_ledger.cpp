#include "sim/check/site_ledger.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace fleetsim {
void SiteLedger::Count::set(std::uint64_t v, SimTime now) {
  area += static_cast<double>(value) * to_seconds(now - since);
  value = v;
  since = now;
}

SiteLedger::SiteLedger(const Fleet& fleet, ViolationLog& log)
    : fleet_(&fleet),
      log_(&log),
      sites_(fleet.topology.sites().size()),
      offline_count_(fleet.topology.racks().size(), 0) {
  const Topology& topo = fleet.topology;
  for (const Rack& rack : topo.racks()) {
    sites_[topo.cluster(rack.cluster).site.index()].draw +=
        powered_draw_mw(fleet.catalog.type(rack.type)) * rack.gpu_count;
  }
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    sites_[s].online.value = topo.site(SiteId{s}).gpu_count;
  }
  const std::vector<CapacityWindow>& windows = fleet.capacity_windows;
  for (std::uint32_t w = 0; w < windows.size(); ++w) {
    steps_.push_back({windows[w].offline_from, w, true});
    if (windows[w].online_at != kTimeNever) steps_.push_back({windows[w].online_at, w, false});
  }
  std::stable_sort(steps_.begin(), steps_.end(),
                   [](const Step& a, const Step& b) { return a.time < b.time; });
}

void SiteLedger::advance(SimTime now) {
  while (next_step_ < steps_.size() && steps_[next_step_].time <= now) {
    const Step& step = steps_[next_step_++];
    apply(step);
    if (step.offline) offline_unchecked_.push_back(step);
  }
}

void SiteLedger::apply(const Step& step) {
  const Topology& topo = fleet_->topology;
  const CapacityWindow& w = fleet_->capacity_windows[step.window];
  for (std::uint32_t r = 0; r < w.rack_count; ++r) {
    const RackId id{w.first_rack.value + r};
    std::uint8_t& count = offline_count_[id.index()];
    // Only the first window to take a rack out, and the last to bring it back, change anything.
    if (step.offline) {
      if (count++ > 0) continue;
    } else if (count == 0 || --count > 0) {
      continue;
    }
    const Rack& rack = topo.rack(id);
    const SiteId site = topo.cluster(rack.cluster).site;
    const std::int64_t sign = step.offline ? -1 : 1;
    change_draw(site, sign * powered_draw_mw(fleet_->catalog.type(rack.type)) * rack.gpu_count,
                step.time);
    Count& online = sites_[site.index()].online;
    online.set(online.value + static_cast<std::uint64_t>(sign * rack.gpu_count), step.time);
  }
}

void SiteLedger::settle(std::size_t s, SimTime now) {
  SiteState& site = sites_[s];
  const SimTime from = site.settled_to;
  if (now <= from) return;
  site.settled_to = now;
  const SiteEnergy& energy = fleet_->energy(SiteId{s});
  const double cap_mw = energy.it_cap_mw.min_over(from, now);
  if (std::isfinite(cap_mw) && site.draw > std::llround(cap_mw * 1e9)) {
    log_->add(from, "site " + fleet_->topology.site(SiteId{s}).name,
              fmt::format("draws {:.6f} MW, over its {:.6f} MW cap, until t={}", to_mw(site.draw),
                          cap_mw, now));
  }
  // W x s = J; 1 MWh = 3.6e9 J.
  const double it_w = static_cast<double>(site.draw) / 1e3;
  site.it_mwh += it_w * to_seconds(now - from) / 3.6e9;
  site.facility_mwh += it_w * energy.pue * to_seconds(now - from) / 3.6e9;
}

void SiteLedger::change_draw(SiteId site, Milliwatts delta, SimTime now) {
  settle(site.index(), now);
  Milliwatts& draw = sites_[site.index()].draw;
  draw += delta;
  if (draw < 0) {
    log_->add(now, "site " + fleet_->topology.site(site).name,
              fmt::format("draws {} mW, less than nothing", draw));
  }
}

void SiteLedger::change_allocated(SiteId site, std::int64_t delta, SimTime now) {
  Count& allocated = sites_[site.index()].allocated;
  allocated.set(static_cast<std::uint64_t>(static_cast<std::int64_t>(allocated.value) + delta),
                now);
}

bool SiteLedger::may_shed(SiteId site, SimTime now) const {
  const StepProfile& cap = fleet_->energy(site).it_cap_mw;
  if (now > 0 && cap.at(now) < cap.at(now - 1)) return true;
  const Topology& topo = fleet_->topology;
  return std::any_of(fleet_->capacity_windows.begin(), fleet_->capacity_windows.end(),
                     [&](const CapacityWindow& w) {
                       return w.online_at == now &&
                              topo.cluster(topo.rack(w.first_rack).cluster).site == site;
                     });
}

void SiteLedger::check_sample(const SampleState& sample) {
  if (sample.sites.size() != sites_.size()) {
    log_->add(
        sample.time, "",
        fmt::format("sample of {} sites; the fleet has {}", sample.sites.size(), sites_.size()));
    return;
  }
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const SiteSample& got = sample.sites[s];
    const SiteState& want = sites_[s];
    if (got.online_gpus != want.online.value || got.allocated_gpus != want.allocated.value ||
        got.it_power_mw != to_mw(want.draw)) {
      log_->add(sample.time, "site " + fleet_->topology.site(SiteId{s}).name,
                fmt::format("sample online_gpus={} allocated_gpus={} it_power_mw={:.6f}; "
                            "checker {} {} {:.6f}",
                            got.online_gpus, got.allocated_gpus, got.it_power_mw, want.online.value,
                            want.allocated.value, to_mw(want.draw)));
    }
  }
}

void SiteLedger::finish(SimTime end, const RunTotals& totals) {
  if (totals.sites.size() != sites_.size()) {
    log_->add(
        end, "",
        fmt::format("totals for {} sites; the fleet has {}", totals.sites.size(), sites_.size()));
    return;
  }
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    SiteState& site = sites_[s];
    settle(s, end);
    site.online.set(site.online.value, end);
    site.allocated.set(site.allocated.value, end);
    const SiteRunTotals& got = totals.sites[s];
    const std::string subject = "site " + fleet_->topology.site(SiteId{s}).name;
    if (!detail::sums_agree(got.energy.it_mwh, site.it_mwh) ||
        !detail::sums_agree(got.energy.facility_mwh, site.facility_mwh)) {
      log_->add(
          end, subject,
          fmt::format("IT / facility energy {} / {} MWh; the integral of its draw is {} / {}",
                      got.energy.it_mwh, got.energy.facility_mwh, site.it_mwh, site.facility_mwh));
    }
    if (!detail::sums_agree(got.online_gpu_seconds, site.online.area) ||
        !detail::sums_agree(got.allocated_gpu_seconds, site.allocated.area)) {
      log_->add(end, subject,
                fmt::format("online / allocated GPU-seconds {} / {}; the checker counts {} / {}",
                            got.online_gpu_seconds, got.allocated_gpu_seconds, site.online.area,
                            site.allocated.area));
    }
  }
}

}  // namespace fleetsim
