// Price-aware: the site with the cheapest electricity right now first (price x PUE: what one
// more IT kWh costs at the meter).
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class PriceAware final : public SiteSelection {
 public:
  bool reads_free_gpus() const override { return false; }
  void rank(const JobSpec&, const SiteContext& context, std::vector<SiteId>& order) const override {
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      const SiteEnergy& e = context.fleet->energy(s);
      return e.price_usd_per_mwh.at(context.now) * e.pue;
    });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "price_aware",
    .summary = "cheapest electricity now (price x PUE) first",
    .make = [] { return std::make_unique<PriceAware>(); },
}};

}  // namespace
}  // namespace fleetsim
