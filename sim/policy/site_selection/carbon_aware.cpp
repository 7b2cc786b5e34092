// Carbon-aware: the site whose grid has the lowest carbon intensity right now first. A flexible
// job (start slack > 0) is held to the greenest instant of its slack, as a carbon-aware batch
// scheduler defers work on a day-ahead forecast (the profiles are known for the whole run).
#include <algorithm>
#include <limits>

#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class CarbonAware final : public SiteSelection {
 public:
  bool reads_free_gpus() const override { return false; }
  void rank(const JobSpec&, const SiteContext& context, std::vector<SiteId>& order) const override {
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      return context.fleet->energy(s).carbon_g_per_kwh.at(context.now);
    });
  }

  // Candidates: now, and every instant in (now, now + slack] at which an allowed site's carbon
  // profile steps. The earliest candidate with the lowest intensity at the greenest allowed site
  // wins; a later one only when strictly greener, so a job is never held for nothing. Capacity
  // and power headroom are not looked at. Cost: O(steps in the slack x allowed sites).
  SimTime release_time(const JobSpec& job, const SiteContext& context) const override {
    const Fleet& fleet = *context.fleet;
    const std::size_t sites = fleet.topology.sites().size();
    const auto greenest_at = [&](SimTime t) {
      double lowest = std::numeric_limits<double>::infinity();
      for (std::size_t s = 0; s < sites; ++s) {
        if (job.may_run_at(SiteId{s})) {
          lowest = std::min(lowest, fleet.energy(SiteId{s}).carbon_g_per_kwh.at(t));
        }
      }
      return lowest;
    };
    const SimTime last = context.now + job.start_slack;
    SimTime best_time = context.now;
    double best = greenest_at(context.now);
    for (SimTime t = context.now;;) {
      SimTime next = kTimeNever;
      for (std::size_t s = 0; s < sites; ++s) {
        if (job.may_run_at(SiteId{s})) {
          next = std::min(next, fleet.energy(SiteId{s}).carbon_g_per_kwh.next_change(t));
        }
      }
      if (next > last) break;
      t = next;
      if (const double c = greenest_at(t); c < best) {
        best = c;
        best_time = t;
      }
    }
    return best_time;
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "carbon_aware",
    .summary = "lowest grid carbon intensity now first; flexible jobs wait for the greenest hour "
               "of their start slack",
    .make = [] { return std::make_unique<CarbonAware>(); },
}};

}  // namespace
}  // namespace fleetsim
