// Spread: the site with the most free GPUs the job could use first, which balances load (and
// heat, and failure blast radius) across sites.
#include "sim/fleet/capacity_index.hpp"
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class Spread final : public SiteSelection {
 public:
  void rank(const JobSpec& job, const SiteContext& context,
            std::vector<SiteId>& order) const override {
    const CapacityIndex& free = *context.free;
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      std::uint64_t usable = 0;
      if (job.allowed_types.empty()) {
        for (std::size_t t = 0; t < free.type_count(); ++t) usable += free.site_free(s, GpuTypeId{t});
      } else {
        for (GpuTypeId t : job.allowed_types) usable += free.site_free(s, t);
      }
      return -static_cast<double>(usable);
    });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "spread",
    .summary = "the site with the most free GPUs the job can use first",
    .make = [] { return std::make_unique<Spread>(); },
}};

}  // namespace
}  // namespace fleetsim
