// Pack: fill the first site (in the fleet file's order) before the next, so later sites stay
// empty (and could be powered down) while the first has room.
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class Pack final : public SiteSelection {
 public:
  bool reads_free_gpus() const override { return false; }
  void rank(const JobSpec&, const SiteContext& context, std::vector<SiteId>& order) const override {
    detail::sites_sorted_by(context, order, [](SiteId s) { return s.value; });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "pack",
    .summary = "fill sites in the fleet file's order",
    .make = [] { return std::make_unique<Pack>(); },
}};

}  // namespace
}  // namespace fleetsim
