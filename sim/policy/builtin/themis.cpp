// Finish-time fairness, as in Themis (Mahajan et al., "Themis: Fair and Efficient GPU Cluster
// Scheduling", USENIX NSDI 2020): rho = finish time in the shared cluster / finish time
// running alone. For a job at `now`, the shared finish time is estimated as (now - submit) +
// remaining reference run time, and the isolated one is its reference duration (what it would
// take alone on its gang), so a waiting job's rho grows while it waits.
//
// GPUs are leased for `lease_s`; leases are aligned to multiples of lease_s. At each lease
// boundary every waiting and preemptible running job is ranked by rho, worst first (unit:
// tenant ranks tenants by the mean rho of their active jobs first, as Themis' apps), and the
// set that fits greedily in that order keeps or gets GPUs: running jobs outside it whose GPUs a
// waiting job of the set needs are preempted (lowest rho first). Between boundaries the policy
// only fills free GPUs, worst rho first, and never preempts. Non-preemptible jobs keep their
// GPUs. O((queue + running) log) plus a placement per candidate at a boundary; between
// boundaries (unit: job) a placement per shape of waiting job, plus O(log queue) per job of a
// shape that could start, and O(running) only in a pass that would ask for a wake not asked for
// yet.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/builtin/preempt_to_fit.hpp"
#include "sim/policy/builtin/queued_by_shape.hpp"
#include "sim/policy/releasable_gpus.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class Themis final : public Policy {
 public:
  explicit Themis(const PolicyParams& params)
      : lease_(from_seconds(params.get<double>("lease_s"))),
        by_tenant_(params.get<std::string>("unit") == "tenant") {}

  Decisions decide(const SchedulerView& view) override {
    draining_.update(view);
    queue_.update(view);
    note_waiting(view);
    Decisions decisions;
    if (view.queued_jobs().empty()) return decisions;
    const bool boundary = view.now() >= next_boundary_;
    if (boundary) next_boundary_ = (view.now() / lease_ + 1) * lease_;
    if (!boundary && !by_tenant_) {
      fill_free(view, decisions);
      return decisions;
    }

    std::vector<Candidate> order;
    for (JobId id : view.queued_jobs()) order.push_back({rho(view, id), 0, true, id});
    if (boundary) {
      for (JobId id : view.running_jobs()) {
        if (view.job(id).spec.preemptible) order.push_back({rho(view, id), 0, false, id});
      }
    }
    if (by_tenant_) rank_tenants(view, order);
    std::sort(order.begin(), order.end(), worse);

    FreeCapacity free = view.free_capacity();
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    const std::vector<bool> planned =
        boundary ? detail::plan_running_set(view, free, order, draining_) : std::vector<bool>();
    // Victims: running jobs left out of the set, lowest rho first.
    std::vector<JobId> victims;
    for (std::size_t i = order.size(); i-- > 0;) {
      if (!order[i].waiting && !planned[i]) victims.push_back(order[i].id);
    }

    // The victims' GPUs and power by site and type, counted when a job first needs them: a
    // job's bound (may_make_room) is then O(sites x types), not O(victims).
    std::optional<ReleasableGpus> victim_gpus;
    bool left_waiting = false;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Candidate& c = order[i];
      if (!c.waiting) continue;
      const JobSpec& spec = view.job(c.id).spec;
      if (std::optional<Allocation> gpus = plan.take(spec)) {
        decisions.start(c.id, std::move(*gpus));
        continue;
      }
      left_waiting = true;
      if (!boundary || !planned[i] || plan.wait_for_drain(spec) || victims.empty()) continue;
      if (!victim_gpus) {
        victim_gpus.emplace(view.fleet());
        for (JobId v : victims) victim_gpus->add(v, view.job(v));
      }
      if (!free.may_fit_with(spec, *victim_gpus)) continue;
      detail::PreemptOutcome out = detail::preempt_to_fit(view, plan, spec, victims, decisions,
                                                          /*room_checked=*/true);
      if (!out.made_room) continue;
      for (JobId v : out.victims) victim_gpus->remove(v);
      std::erase_if(victims, [&](JobId v) {
        return std::find(out.victims.begin(), out.victims.end(), v) != out.victims.end();
      });
      if (out.gpus) decisions.start(c.id, std::move(*out.gpus));
    }
    if (left_waiting) wake_at_boundary(view, decisions);
    return decisions;
  }

 private:
  // A pass between lease boundaries with unit: job: it fills free GPUs, worst rho first. The
  // GPUs free and not promised (PlanningCapacity::unpromised) only go down in such a pass and
  // bound what any job can take, so a job whose gang exceeds them cannot start: it is left out
  // of the ranking. The rest is ranked as a heap per shape bucket (QueuedByShape) under a heap
  // of the buckets' worst jobs, popped only while some GPUs remain. A take that fails for one
  // job of a bucket fails for the rest (FreeCapacity::shape_decides_fit): a bucket none of whose
  // jobs could start at the pass's start is left out, and one whose job fails later is dropped
  // unpopped. The same starts as sorting the whole queue, in O(buckets x placement + jobs of
  // buckets that fit + tries x log queue), where a try is a start or a bucket's failure.
  void fill_free(const SchedulerView& view, Decisions& decisions) {
    FreeCapacity free = view.free_capacity();
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    const std::uint64_t room = plan.unpromised();
    bool left_waiting = false;
    const auto later = [](const Candidate& a, const Candidate& b) { return worse(b, a); };
    std::vector<Candidate>& order = fill_order_;  // each bucket's heap in its own range
    std::vector<BucketRange>& buckets = fill_buckets_;
    order.clear();
    buckets.clear();
    const bool failure_ends_bucket = free.shape_decides_fit();
    queue_.for_each_bucket([&](std::uint32_t gpus, JobId first, const auto& each_job) {
      // A bucket that cannot start a job now cannot later in the pass: its jobs are not ranked
      // (nor their records read), so a pass costs O(buckets), plus the jobs of buckets that fit.
      if (gpus > room || (failure_ends_bucket && !fits_now(plan, view.job(first).spec))) {
        left_waiting = true;
        return;
      }
      const std::size_t begin = order.size();
      each_job([&](JobId id) { order.push_back({waiting_rho(view.now(), id), 0, true, id}); });
      std::make_heap(order.begin() + static_cast<std::ptrdiff_t>(begin), order.end(), later);
      buckets.push_back({begin, order.size()});
    });
    const auto bucket_later = [&](const BucketRange& a, const BucketRange& b) {
      return later(order[a.begin], order[b.begin]);
    };
    std::make_heap(buckets.begin(), buckets.end(), bucket_later);
    while (!buckets.empty()) {
      if (plan.unpromised() == 0) {  // nobody left can start
        left_waiting = true;
        break;
      }
      std::pop_heap(buckets.begin(), buckets.end(), bucket_later);
      BucketRange& bucket = buckets.back();
      const JobId id = order[bucket.begin].id;
      std::pop_heap(order.begin() + static_cast<std::ptrdiff_t>(bucket.begin),
                    order.begin() + static_cast<std::ptrdiff_t>(bucket.end), later);
      --bucket.end;
      if (std::optional<Allocation> gpus = plan.take(view.job(id).spec)) {
        decisions.start(id, std::move(*gpus));
      } else {
        left_waiting = true;
        if (failure_ends_bucket) bucket.end = bucket.begin;
      }
      if (bucket.end == bucket.begin) {
        buckets.pop_back();
      } else {
        std::push_heap(buckets.begin(), buckets.end(), bucket_later);
      }
    }
    if (left_waiting) wake_at_boundary(view, decisions);
  }

  // Whether the job could start on the GPUs free now; leaves them as they were.
  static bool fits_now(detail::PlanningCapacity& plan, const JobSpec& spec) {
    FreeCapacity& free = plan.free();
    const std::size_t mark = free.mark();
    const bool fits = plan.take(spec).has_value();
    free.rollback(mark);
    return fits;
  }

  // The next lease boundary re-ranks, if anyone waits for a running job's GPUs. Looked up
  // only when someone is left waiting and no wake is asked for yet: a pass between boundaries
  // then rarely walks the running jobs.
  void wake_at_boundary(const SchedulerView& view, Decisions& decisions) {
    const auto preemptible = [&](JobId id) { return view.job(id).spec.preemptible; };
    if (next_wake_ != next_boundary_ &&
        std::any_of(view.running_jobs().begin(), view.running_jobs().end(), preemptible)) {
      decisions.wake_at(next_boundary_);
      next_wake_ = next_boundary_;
    }
  }

  struct Candidate {
    double rho;
    double group;  // the tenant's mean rho with unit: tenant, else 0
    bool waiting;
    JobId id;
  };
  // fill_free's candidates of one shape bucket: a heap in order[begin, end).
  struct BucketRange {
    std::size_t begin;
    std::size_t end;
  };
  // Ranking order: worst first; on a tie a running job keeps its GPUs, then id order.
  static bool worse(const Candidate& a, const Candidate& b) {
    return std::tuple(-a.group, -a.rho, a.waiting, a.id) <
           std::tuple(-b.group, -b.rho, b.waiting, b.id);
  }

  static double rho(const SchedulerView& view, JobId id) {
    const Job& job = view.job(id);
    const double isolated = std::max(1.0, to_seconds(job.spec.duration));
    const double shared = to_seconds(view.now() - job.spec.submit + view.remaining(id));
    return shared / isolated;
  }

  // rho() of a waiting job from the terms noted when it entered the queue: its remaining run
  // time does not change while it waits, and now - (submit - remaining) is the same integer as
  // now - submit + remaining, so the same double. A pass between boundaries then reads 16
  // bytes per waiting job it ranks instead of the job's record.
  struct RhoTerms {
    SimTime base = 0;  // submit - remaining
    double isolated = 1;
  };
  void note_waiting(const SchedulerView& view) {
    for (const JobChange& change : view.changes()) {
      if (change.kind != JobChangeKind::Arrived && change.kind != JobChangeKind::Requeued) continue;
      const JobId id = change.job;
      if (rho_terms_.size() <= id.index()) rho_terms_.resize(id.index() + 1);
      const Job& job = view.job(id);
      rho_terms_[id.index()] = {job.spec.submit - view.remaining(id),
                                std::max(1.0, to_seconds(job.spec.duration))};
    }
  }
  double waiting_rho(SimTime now, JobId id) const {
    const RhoTerms& terms = rho_terms_[id.index()];
    return to_seconds(now - terms.base) / terms.isolated;
  }

  static void rank_tenants(const SchedulerView& view, std::vector<Candidate>& order) {
    std::map<std::string, std::pair<double, std::size_t>> sums;  // tenant -> (sum rho, jobs)
    for (const Candidate& c : order) {
      auto& [sum, n] = sums[view.job(c.id).spec.tenant];
      sum += c.rho;
      ++n;
    }
    for (Candidate& c : order) {
      const auto& [sum, n] = sums[view.job(c.id).spec.tenant];
      c.group = sum / static_cast<double>(n);
    }
  }

  Duration lease_;
  bool by_tenant_;
  SimTime next_boundary_ = 0;
  SimTime next_wake_ = -1;
  detail::DrainingJobs draining_;
  detail::QueuedByShape queue_;  // for fill_free; kept up to date in every pass
  std::vector<Candidate> fill_order_;  // fill_free's scratch, reused between passes
  std::vector<BucketRange> fill_buckets_;
  std::vector<RhoTerms> rho_terms_;  // [job], set while it waits (note_waiting)
};

const PolicyRegistration kRegistration{{
    .name = "themis",
    .summary = "Themis finish-time fairness: GPUs leased for lease_s to the jobs (or tenants) "
               "with the worst rho = shared / isolated finish time.",
    .params = {Param::real("lease_s", 600.0,
                           "lease length: the allocation is re-decided (and running jobs may be "
                           "preempted) only at multiples of it"),
               Param::choice("unit", "job", {"job", "tenant"},
                             "rank jobs by their own rho, or tenants by their jobs' mean rho "
                             "first (Themis' apps)")},
    .make = [](const PolicyParams& p) { return std::make_unique<Themis>(p); },
    .validate = [](const PolicyParams& p) -> std::string {
      const double lease = p.get<double>("lease_s");
      if (!std::isfinite(lease) || lease < 1e-3) {
        return fmt::format("lease_s: expected a number >= 0.001, got {}", lease);
      }
      return "";
    },
}};

}  // namespace
}  // namespace fleetsim
