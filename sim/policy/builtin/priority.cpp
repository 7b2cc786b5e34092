// Strict priority classes with tenant quotas, the way production fleets are run: Kubernetes
// PriorityClass preemption and Kueue's ClusterQueue nominal quota / borrowing / reclaim
// (kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption,
// kueue.sigs.k8s.io/docs/concepts/cluster_queue), and YARN's Capacity Scheduler (guaranteed
// queue capacity, elastic use of idle capacity, preemption to reclaim it).
//
// Jobs whose tenant stays within its guarantee (floor(share x fleet GPUs)) go first, then jobs
// that would borrow; each group higher `priority` first, then submit order. A waiting job that
// does not fit may preempt (a) preemptible jobs of strictly lower classes (preempt: true) and,
// when it is within its tenant's guarantee, (b) preemptible jobs of other tenants whatever their
// class (reclaim: true); either way, another tenant's jobs only while that tenant holds more
// than its guarantee: a guarantee is never preempted by another tenant (Kueue's nominal quota).
// Victims go lowest class first, then latest started; a borrower stops being a victim once its
// tenant is back at its guarantee. Tenants not listed in `quotas` have a guarantee of 0; with no
// quotas at all, quota rules are off. Event-driven. A pass that can start nothing (no GPU free
// or draining, no possible victim) costs O(changes); one with no quotas, nothing draining and no
// possible victim walks the queue by shape, as fifo_backfill does (O(shapes + starts) x log);
// otherwise O(queue + running log running), plus O(running) for each waiting job that tries to
// preempt (once per class, tenant and gang size: failures are remembered within the pass).
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/builtin/preempt_to_fit.hpp"
#include "sim/policy/builtin/queued_by_shape.hpp"
#include "sim/policy/builtin/tenant_quotas.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

class PriorityQuota final : public Policy {
 public:
  explicit PriorityQuota(const PolicyParams& params)
      : preempt_(params.get<bool>("preempt")),
        borrow_(params.get<bool>("borrow")),
        reclaim_(params.get<bool>("reclaim")),
        backfill_(params.get<bool>("backfill")) {
    detail::parse_quotas(params.get<std::string>("quotas"), shares_);  // validated already
  }

  Decisions decide(const SchedulerView& view) override {
    apply_changes(view);
    Decisions decisions;
    if (view.queued_jobs().empty()) return decisions;
    if (!guarantees_ready_) set_guarantees(view);
    // Nothing can start when no GPU is free or draining and no running job could be a victim:
    // answer that in O(1), before looking at the queue (most passes of a busy fleet).
    FreeCapacity free = view.free_capacity();
    const bool victims_exist =
        !running_classes_.empty() &&
        ((preempt_ && running_classes_.begin()->first < queued_classes_.rbegin()->first) ||
         (reclaim_ && !shares_.empty()));
    if (free.total_free() == 0 && draining_.gpus() == 0 && !victims_exist) return decisions;
    if (shares_.empty() && backfill_ && !victims_exist && draining_.gpus() == 0) {
      start_by_shape(view, free, decisions);
      return decisions;
    }

    Pass pass{view, decisions, {}, {}, {}};
    if (!shares_.empty()) {
      for (JobId id : view.running_jobs()) pass.usage[view.job(id).spec.tenant] += gpus(view, id);
      for (JobId id : draining_.jobs()) pass.usage[view.job(id).spec.tenant] += gpus(view, id);
    }
    if (victims_exist) {
      for (JobId id : view.running_jobs()) {
        if (view.job(id).spec.preemptible) pass.pool.push_back(id);
      }
    }
    // Victim preference: lowest class, then latest started, then largest id.
    std::sort(pass.pool.begin(), pass.pool.end(), [&](JobId a, JobId b) {
      const Job& x = view.job(a);
      const Job& y = view.job(b);
      return std::tuple(x.spec.priority, -x.segment_start, b) <
             std::tuple(y.spec.priority, -y.segment_start, a);
    });

    // The queue is in submit order; a stable sort by class keeps it within a class.
    std::vector<JobId> waiting(view.queued_jobs().begin(), view.queued_jobs().end());
    if (queued_classes_.size() > 1) {
      std::stable_sort(waiting.begin(), waiting.end(), [&](JobId a, JobId b) {
        return view.job(a).spec.priority > view.job(b).spec.priority;
      });
    }
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    // Guarantees are served first: the jobs within their tenant's guarantee, every class
    // (highest first), then the jobs that would borrow. Borrowers first by class would give a
    // GPU reclaimed from a borrower straight back to it, and the reclaim would repeat for ever.
    std::vector<JobId> borrowing;
    for (JobId id : waiting) {
      if (plan.unpromised() == 0 && plan.drain_budget() == 0 && pass.pool.empty()) {
        return decisions;  // nothing left to give, now or by preempting
      }
      if (!within_guarantee(pass, id)) {
        borrowing.push_back(id);
      } else if (!try_start(pass, plan, id, true) && !backfill_) {
        return decisions;
      }
    }
    for (JobId id : borrowing) {
      if (!borrow_) break;
      if (!try_start(pass, plan, id, false) && !backfill_) return decisions;
    }
    return decisions;
  }

 private:
  struct Pass {
    const SchedulerView& view;
    Decisions& decisions;
    std::map<std::string, std::uint64_t, std::less<>> usage;  // GPUs held, per tenant
    std::vector<JobId> pool;                                  // preemptible running jobs
    // (class, within guarantee, tenant if quotas) -> jobs that could not make room by
    // preempting: later jobs of the same key have no more victims, and free GPUs only get
    // fewer during a pass.
    std::map<std::tuple<int, bool, std::string>, detail::CannotMakeRoom> failed;
  };

  // The pass when no job can preempt, wait for a drain or be held back by a quota: each class,
  // highest first, FIFO with greedy backfill, its jobs visited by shape as fifo_backfill visits
  // its queue (QueuedByShape::walk_fitting). It starts what the general pass would: that pass
  // tries every waiting job in the same order, and the jobs this one skips are those of a
  // shape that already failed in the pass or with a gang larger than the free GPUs the power
  // caps allow, which it would have tried in vain. O((classes + buckets + starts) x log).
  void start_by_shape(const SchedulerView& view, FreeCapacity& free, Decisions& decisions) {
    const bool shape_decides_fit = free.shape_decides_fit();
    for (auto& [cls, queue] : queued_by_class_) {
      queue.walk_fitting([&](float gpu_utilisation) { return free.usable_free(gpu_utilisation); },
                         [&](JobId id) {
                           std::optional<Allocation> gpus = free.take(view.job(id).spec);
                           if (!gpus) {
                             return shape_decides_fit ? detail::WalkStep::skip_shape
                                                      : detail::WalkStep::next;
                           }
                           decisions.start(id, std::move(*gpus));
                           return detail::WalkStep::next;
                         });
    }
  }

  // Keeps the classes of waiting jobs and of preemptible running jobs counted, and each class's
  // waiting jobs bucketed by shape, from the engine's changes (starts and preemptions decided
  // last pass are among them). O(changes log (classes + buckets)).
  void apply_changes(const SchedulerView& view) {
    draining_.update(view);
    const auto add = [](std::map<int, std::uint64_t>& classes, int c, bool up) {
      if (up) {
        ++classes[c];
      } else if (--classes[c] == 0) {
        classes.erase(c);
      }
    };
    for (const JobChange& change : view.changes()) {
      const JobSpec& spec = view.job(change.job).spec;
      queued_by_class_[spec.priority].apply(view, change);
      switch (change.kind) {
        case JobChangeKind::Arrived:
        case JobChangeKind::Requeued:
          add(queued_classes_, spec.priority, true);
          break;
        case JobChangeKind::Started:
          add(queued_classes_, spec.priority, false);
          if (spec.preemptible) add(running_classes_, spec.priority, true);
          break;
        case JobChangeKind::Preempted:
        case JobChangeKind::Finished:
          if (spec.preemptible) add(running_classes_, spec.priority, false);
          break;
        case JobChangeKind::Withdrawn: add(queued_classes_, spec.priority, false); break;
      }
    }
  }

  static std::uint64_t gpus(const SchedulerView& view, JobId id) { return view.job(id).spec.gpus; }

  void set_guarantees(const SchedulerView& view) {
    const double total = static_cast<double>(view.fleet().topology.gpu_count());
    for (const auto& [tenant, share] : shares_) {
      guarantee_[tenant] = static_cast<std::uint64_t>(std::floor(share * total + 1e-9));
    }
    guarantees_ready_ = true;
  }

  std::uint64_t guarantee(const std::string& tenant) const {
    auto it = guarantee_.find(tenant);
    return it == guarantee_.end() ? 0 : it->second;
  }

  std::uint64_t usage(const Pass& pass, const std::string& tenant) const {
    auto it = pass.usage.find(tenant);
    return it == pass.usage.end() ? 0 : it->second;
  }

  bool within_guarantee(const Pass& pass, JobId id) const {
    if (shares_.empty()) return true;
    const JobSpec& spec = pass.view.job(id).spec;
    return usage(pass, spec.tenant) + spec.gpus <= guarantee(spec.tenant);
  }

  // Starts the job, or preempts for it, or lets it wait for draining GPUs. False when it can
  // do none of these.
  bool try_start(Pass& pass, detail::PlanningCapacity& plan, JobId id, bool within) {
    const JobSpec& spec = pass.view.job(id).spec;
    if (std::optional<Allocation> gpus = plan.take(spec)) {
      start(pass, id, std::move(*gpus));
      return true;
    }
    if (plan.wait_for_drain(spec)) return true;
    // Which running jobs are victims depends on the tenant whenever quotas are on.
    const auto key =
        std::tuple(spec.priority, within, shares_.empty() ? std::string() : spec.tenant);
    auto failed = pass.failed.find(key);
    if (failed != pass.failed.end() && failed->second.covers(spec)) return false;
    const std::vector<JobId> candidates = victims_for(pass, spec, within);
    detail::PreemptOutcome out =
        detail::preempt_to_fit(pass.view, plan, spec, candidates, pass.decisions);
    if (!out.made_room) {
      pass.failed.try_emplace(key, plan.free().shape_decides_fit()).first->second.add(spec);
      return false;
    }
    for (JobId victim : out.victims) {
      pass.usage[pass.view.job(victim).spec.tenant] -= gpus(pass.view, victim);
      std::erase(pass.pool, victim);
    }
    if (out.gpus) start(pass, id, std::move(*out.gpus));
    return true;
  }

  void start(Pass& pass, JobId id, Allocation gpus) {
    pass.usage[pass.view.job(id).spec.tenant] += pass.view.job(id).spec.gpus;
    pass.decisions.start(id, std::move(gpus));
  }

  // Preemptible running jobs this one may take GPUs from, in the order they are given up. With
  // quotas, a job of another tenant is a victim only while that tenant holds more than its
  // guarantee, counting the victims before it as gone: a guarantee is never preempted by another
  // tenant, whatever the classes (else a higher-class borrower and the guaranteed job it
  // preempted would take the GPUs from each other for ever).
  std::vector<JobId> victims_for(const Pass& pass, const JobSpec& spec, bool within) const {
    const bool reclaims = within && reclaim_ && !shares_.empty();
    std::map<std::string, std::uint64_t, std::less<>> left;  // usage after earlier candidates
    std::vector<JobId> out;
    for (JobId v : pass.pool) {
      const JobSpec& victim = pass.view.job(v).spec;
      const bool other_tenant = !shares_.empty() && victim.tenant != spec.tenant;
      const bool lower = preempt_ && victim.priority < spec.priority;
      if (!other_tenant) {
        if (lower) out.push_back(v);
        continue;
      }
      if (!lower && !reclaims) continue;
      auto [it, fresh] = left.try_emplace(victim.tenant, usage(pass, victim.tenant));
      if (it->second <= guarantee(victim.tenant)) continue;  // within its guarantee
      it->second -= victim.gpus;
      out.push_back(v);
    }
    return out;
  }

  bool preempt_;
  bool borrow_;
  bool reclaim_;
  bool backfill_;
  std::map<std::string, double> shares_;
  std::map<std::string, std::uint64_t, std::less<>> guarantee_;
  bool guarantees_ready_ = false;
  detail::DrainingJobs draining_;
  std::map<int, std::uint64_t> queued_classes_;   // class -> waiting jobs
  std::map<int, std::uint64_t> running_classes_;  // class -> preemptible running jobs
  // class -> its waiting jobs by shape, highest class first (start_by_shape).
  std::map<int, detail::QueuedByShape, std::greater<>> queued_by_class_;
};

const PolicyRegistration kRegistration{{
    .name = "priority",
    .summary = "Strict priority classes (higher first, optional preemption of lower classes) "
               "with per-tenant guaranteed shares, borrowing and reclaim.",
    .params = {Param::flag("preempt", true,
                           "a waiting job may preempt preemptible jobs of strictly lower classes"),
               Param::text("quotas", "",
                           "guaranteed share of the fleet's GPUs per tenant, "
                           "\"tenant=share, ...\" (shares in (0, 1], sum <= 1); empty = no quotas"),
               Param::flag("borrow", true,
                           "tenants may use idle GPUs beyond their guarantee (false: never exceed "
                           "it; unlisted tenants then never run)"),
               Param::flag("reclaim", true,
                           "a job within its tenant's guarantee may preempt jobs of tenants over "
                           "theirs, whatever their class"),
               Param::flag("backfill", true,
                           "jobs behind one that cannot start may start (false: the pass stops "
                           "there)")},
    .make = [](const PolicyParams& p) { return std::make_unique<PriorityQuota>(p); },
    .validate = [](const PolicyParams& p) -> std::string {
      std::map<std::string, double> shares;
      return detail::parse_quotas(p.get<std::string>("quotas"), shares);
    },
}};

}  // namespace
}  // namespace fleetsim
