// The invariant checker's own account of each site, kept from the run's hooks and the fleet's
// fixed calendar (capacity windows, cap profiles) without reading engine state: IT draw (every
// online rack idle plus the busy share of every job drawing there), online and allocated GPUs,
// and their integrals. It checks that no site is over its cap at any instant, that samples
// report what it counts, and that the engine's energy and GPU-second totals are its integrals.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/check/violation_log.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/run_observer.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/model/power.hpp"

namespace fleetsim {

class SiteLedger {
 public:
  // Every rack powered and idle until advance() applies the capacity windows.
  SiteLedger(const Fleet& fleet, ViolationLog& log);

  // Applies the capacity windows' steps up to and including `now`. They come before anything
  // else at their instant (the engine handles them in its completion phase).
  void advance(SimTime now);
  // The windows that went offline before `before` and were not handed out yet, with the time
  // (all of them when `before` is kTimeNever): running jobs there should have been stopped.
  template <class F>
  void take_offline_windows(SimTime before, F f);

  // Integrates the site up to `now` (checking the cap over that stretch), then changes its draw.
  void change_draw(SiteId site, Milliwatts delta, SimTime now);
  void change_allocated(SiteId site, std::int64_t delta, SimTime now);
  bool rack_online(RackId rack) const { return offline_count_[rack.index()] == 0; }
  // Whether the engine may shed work at `site` at `now`: its cap steps down then, or racks there
  // come (back) online and add their idle draw.
  bool may_shed(SiteId site, SimTime now) const;

  void check_sample(const SampleState& sample);
  // Integrates every site to `end` and compares the engine's per-site totals.
  void finish(SimTime end, const RunTotals& totals);
  double it_mwh(SiteId site) const { return sites_[site.index()].it_mwh; }

 private:
  struct Step {
    SimTime time;
    std::uint32_t window;
    bool offline;
  };
  struct Count {  // a count that steps, and its integral
    std::uint64_t value = 0;
    SimTime since = 0;
    double area = 0;  // value x seconds
    void set(std::uint64_t v, SimTime now);
  };
  struct SiteState {
    Milliwatts draw = 0;
    SimTime settled_to = 0;
    double it_mwh = 0;
    double facility_mwh = 0;
    Count online;
    Count allocated;
  };
  void settle(std::size_t site, SimTime now);
  void apply(const Step& step);

  const Fleet* fleet_;
  ViolationLog* log_;
  std::vector<SiteState> sites_;
  std::vector<std::uint8_t> offline_count_;  // [rack] windows holding it offline
  std::vector<Step> steps_;                  // the windows' steps in time order
  std::size_t next_step_ = 0;
  std::vector<Step> offline_unchecked_;
};

namespace detail {
// Whether two sums of the same terms, added in a different order, agree.
inline bool sums_agree(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)) + 1e-12;
}
}  // namespace detail

template <class F>
void SiteLedger::take_offline_windows(SimTime before, F f) {
  std::size_t kept = 0;
  for (const Step& s : offline_unchecked_) {
    if (s.time < before) {
      f(fleet_->capacity_windows[s.window], s.time);
    } else {
      offline_unchecked_[kept++] = s;
    }
  }
  offline_unchecked_.resize(kept);
}

}  // namespace fleetsim
