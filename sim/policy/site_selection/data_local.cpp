// Data-local: the site where the job's data already is first, then the others by how long
// staging the data there over the WAN would take (sites the WAN does not reach are left out).
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

class DataLocal final : public SiteSelection {
 public:
  bool reads_free_gpus() const override { return false; }
  void rank(const JobSpec& job, const SiteContext& context,
            std::vector<SiteId>& order) const override {
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      return job.stages_data() ? context.fleet->wan.staging_time(job.data_site, s, job.data_gb) : 0;
    });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "data_local",
    .summary = "shortest data staging time first (the data's own site first)",
    .make = [] { return std::make_unique<DataLocal>(); },
}};

}  // namespace
}  // namespace fleetsim
