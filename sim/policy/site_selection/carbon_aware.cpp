// Carbon-aware: the site whose grid has the lowest carbon intensity right now first.
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class CarbonAware final : public SiteSelection {
 public:
  void rank(const JobSpec&, const SiteContext& context, std::vector<SiteId>& order) const override {
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      return context.fleet->energy(s).carbon_g_per_kwh.at(context.now);
    });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "carbon_aware",
    .summary = "lowest grid carbon intensity now first",
    .make = [] { return std::make_unique<CarbonAware>(); },
}};

}  // namespace
}  // namespace fleetsim
