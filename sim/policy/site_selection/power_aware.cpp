// Power-aware: the site with the largest share of its IT power cap still free first, so no
// site runs up against its cap while another has room (uncapped sites count as fully free).
#include "sim/core/power_ledger.hpp"
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class PowerAware final : public SiteSelection {
 public:
  void rank(const JobSpec&, const SiteContext& context, std::vector<SiteId>& order) const override {
    const PowerLedger& power = *context.power;
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      if (power.cap(s) == PowerLedger::kUncapped) return -1.0;
      return -static_cast<double>(power.headroom(s)) / static_cast<double>(power.cap(s));
    });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "power_aware",
    .summary = "largest share of the site's power cap free first",
    .make = [] { return std::make_unique<PowerAware>(); },
}};

}  // namespace
}  // namespace fleetsim
