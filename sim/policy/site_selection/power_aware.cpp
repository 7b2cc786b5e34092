// Power-aware: the site with the largest share of its IT power cap still free first, so no
// site runs up against its cap while another has room (uncapped sites count as fully free).
// It respects cap schedules: a site whose cap will drop, before the job's expected end
// (now + runtime_estimate), below the site's draw plus the job's power is ranked out, so the job
// goes elsewhere or waits for the drop to pass. When no start within the next kStartsTried cap
// changes would let it run to its expected end unshed (a job longer than any high-cap window),
// waiting cannot help: the site is ranked last instead of out, so the job is never held forever.
// When a cap drops, it sheds the lowest-priority work first (then the newest start, then id).
#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/core/power_ledger.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/policy/site_selection/sorted_sites.hpp"

namespace fleetsim {
namespace {

// Later starts tried when the cap dips before the job's expected end (2 days of an hourly shape).
constexpr int kStartsTried = 48;

// The most the job could add to the site's draw: its gang at the busiest GPU type it may use
// that has a free GPU there (0: it cannot be placed there now anyway).
Milliwatts job_power_at(const JobSpec& job, const SiteContext& context, SiteId site) {
  const CapacityIndex& free = *context.free;
  const GpuCatalog& catalog = context.fleet->catalog;
  Milliwatts per_gpu = 0;
  const auto consider = [&](GpuTypeId t) {
    if (free.site_free(site, t) > 0) {
      per_gpu = std::max(per_gpu, busy_extra_mw(catalog.type(t), job.gpu_utilisation));
    }
  };
  if (job.allowed_types.empty()) {
    for (std::size_t t = 0; t < free.type_count(); ++t) consider(GpuTypeId{t});
  } else {
    for (GpuTypeId t : job.allowed_types) consider(t);
  }
  return per_gpu * job.gpus;
}

// Whether the cap stays at or above `need` (mW) over [from, from + run).
bool cap_holds(const StepProfile& cap, SimTime from, Duration run, Milliwatts need) {
  return std::llround(cap.min_over(from, from + run) * 1e9) >= need;
}

enum class Outlook { Holds, WaitHelps, ShedAnyway };

Outlook outlook(const JobSpec& job, const SiteContext& context, SiteId site) {
  const StepProfile& cap = context.fleet->energy(site).it_cap_mw;
  if (cap.is_constant()) return Outlook::Holds;  // the headroom check now is all there is
  const Milliwatts added = job_power_at(job, context, site);
  if (added == 0) return Outlook::Holds;
  const Milliwatts need = context.power->draw(site) + context.planned(site) + added;
  const Duration run = job.runtime_estimate();
  if (cap_holds(cap, context.now, run, need)) return Outlook::Holds;
  SimTime start = context.now;
  for (int i = 0; i < kStartsTried; ++i) {
    start = cap.next_value_change(start);
    if (start == kTimeNever) break;
    if (cap_holds(cap, start, run, need)) return Outlook::WaitHelps;
  }
  return Outlook::ShedAnyway;
}

class PowerAware final : public SiteSelection {
 public:
  void rank(const JobSpec& job, const SiteContext& context,
            std::vector<SiteId>& order) const override {
    const PowerLedger& power = *context.power;
    thread_local std::vector<Outlook> outlooks;  // [site]; per thread, as sweeps run in threads
    outlooks.clear();
    for (std::size_t s = 0; s < context.fleet->topology.sites().size(); ++s) {
      outlooks.push_back(outlook(job, context, SiteId{s}));
    }
    detail::sites_sorted_by(context, order, [&](SiteId s) {
      const double used_share =
          power.cap(s) == PowerLedger::kUncapped
              ? -1.0
              : -static_cast<double>(power.headroom(s)) / static_cast<double>(power.cap(s));
      return std::pair(outlooks[s.index()] == Outlook::ShedAnyway, used_share);
    });
    // Ranked out: sites where waiting for the cap's dip to pass lets the job run unshed.
    std::erase_if(order, [&](SiteId s) { return outlooks[s.index()] == Outlook::WaitHelps; });
  }

  // Only cap schedules give it something to look ahead at.
  bool looks_ahead(const SiteContext& context) const override {
    for (std::size_t s = 0; s < context.fleet->topology.sites().size(); ++s) {
      if (!context.fleet->energy(SiteId{s}).it_cap_mw.is_constant()) return true;
    }
    return false;
  }

  void order_shed_victims(const JobTable& jobs,
                          std::vector<JobId>& victims) const override {
    std::sort(victims.begin(), victims.end(), [&](JobId a, JobId b) {
      const Job& x = jobs[a];
      const Job& y = jobs[b];
      return std::tuple(x.spec.priority, -x.segment_start, a) <
             std::tuple(y.spec.priority, -y.segment_start, b);
    });
  }
};

const SiteSelectionRegistration kRegistration{{
    .name = "power_aware",
    .summary = "largest share of the site's power cap free first; looks ahead at cap drops and "
               "sheds the lowest priority first",
    .make = [] { return std::make_unique<PowerAware>(); },
}};

}  // namespace
}  // namespace fleetsim
