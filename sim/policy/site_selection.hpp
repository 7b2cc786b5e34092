// Site selection: which sites a job should try, best first, separate from the queue policy
// (which job next) and the placement (which GPUs inside a site), so any of the three combine.
// FreeCapacity walks the ranking and places the job in the first allowed site where it fits and
// the site's power headroom allows it. Residency is a hard rule applied to every ranking.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/job_table.hpp"
#include "sim/core/time.hpp"
#include "sim/model/power.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class CapacityIndex;
class PowerLedger;
struct Fleet;

// What a ranking may look at: the fleet (sites, energy profiles, WAN), free GPUs, each site's
// draw against its cap, the power the current pass has already planned, and the time (for
// profiles).
struct SiteContext {
  const Fleet* fleet = nullptr;
  const CapacityIndex* free = nullptr;
  const PowerLedger* power = nullptr;
  SimTime now = 0;
  // [site] busy power the pass's planned starts add to the ledger's draw; null or empty: none.
  const std::vector<Milliwatts>* planned_power = nullptr;
  Milliwatts planned(SiteId s) const {
    return planned_power == nullptr || planned_power->empty() ? 0 : (*planned_power)[s.index()];
  }
};

class SiteSelection {
 public:
  virtual ~SiteSelection() = default;
  // Appends candidate sites to `order` (empty on entry), best first. Leaving a site out means
  // the job is not placed there in this pass.
  virtual void rank(const JobSpec& job, const SiteContext& context,
                    std::vector<SiteId>& order) const = 0;
  // When a job that arrives at context.now with start_slack > 0 (never an inference replica)
  // enters the queue: context.now (the default: at once) or later, up to now + start_slack.
  // Asked once, at arrival; the engine holds the job until then whatever the capacity, as a
  // forecast-based deferral (carbon_aware: the greenest hour in the slack).
  virtual SimTime release_time(const JobSpec& /*job*/, const SiteContext& context) const {
    return context.now;
  }
  // When a site's cap drops below its draw, the engine sheds its running jobs in this order
  // until the draw is within the cap. `victims` holds those jobs (ids into `jobs`, all Running)
  // and is reordered in place, first victim first. The default is default_shed_order.
  virtual void order_shed_victims(const JobTable& jobs, std::vector<JobId>& victims) const;
  // Whether the sites rank() leaves out depend on more than the job's shape (job_shape.hpp:
  // gang, types, allowed sites, data site), e.g. on its runtime estimate or the pass's planned
  // power (a look-ahead at cap schedules). FreeCapacity then keeps no memo of failed shapes and
  // the FIFO walk does not skip a failed shape's later jobs: both assume that a shape that
  // failed fails again until capacity grows.
  virtual bool looks_ahead(const SiteContext&) const { return false; }
  // Whether rank() may read context.free (true unless a selection says otherwise). A policy
  // scratch that hides GPUs lazily (FreeCapacity::hide_lazily) must hide them at every site
  // the job may run at before such a ranking, which otherwise counts GPUs it will not see.
  virtual bool reads_free_gpus() const { return true; }
};

// Newest start of the current run first (the least work at risk), ties by job id.
void default_shed_order(const JobTable& jobs, std::vector<JobId>& victims);

struct SiteSelectionInfo {
  std::string name;
  std::string summary;
  std::function<std::unique_ptr<SiteSelection>()> make;
};

// Self-registration, as for policies and placements.
struct SiteSelectionRegistration {
  explicit SiteSelectionRegistration(SiteSelectionInfo info);
};

const std::vector<SiteSelectionInfo>& registered_site_selections();  // sorted by name
const SiteSelectionInfo* find_site_selection(const std::string& name);
std::string known_site_selection_names();

// The name of the default: the placement chooses among all sites, as in a single-site fleet.
inline constexpr const char* kDefaultSiteSelection = "any";

}  // namespace fleetsim
