// Shortest remaining time first, preemptive. Each pass plans the set that should run: waiting
// and preemptible running jobs, shortest remaining reference run time first (ties: running jobs,
// then id), taken greedily while they fit as if every preemptible running job longer than the
// shortest waiting one gave its GPUs back (and draining GPUs were free). Waiting jobs then start
// in that order; one that does not fit may preempt running jobs left out of the plan, longest
// first, but only jobs strictly longer than itself plus min_gain_s, and only if that makes it
// fit. Non-preemptible running jobs always keep running. With a preempt overhead, a job waits
// for its victims' GPUs to drain (see planning_capacity.hpp).
#include <algorithm>
#include <optional>
#include <vector>

#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

struct Candidate {
  Duration key;  // remaining run time; + min_gain for waiting jobs
  bool waiting;
  JobId id;
};

bool ranks_before(const Candidate& a, const Candidate& b) {
  if (a.key != b.key) return a.key < b.key;
  if (a.waiting != b.waiting) return !a.waiting;  // a running job keeps its place on a tie
  return a.id < b.id;
}

class ShortestRemainingTimeFirst final : public Policy {
 public:
  explicit ShortestRemainingTimeFirst(const PolicyParams& params)
      : min_gain_(from_seconds(params.get<double>("min_gain_s"))) {}

  // O(queue * log queue) plus a placement per waiting job it tries; and only in a pass where a
  // waiting job does not fit, O(running + candidates * log candidates) plus one
  // placement per candidate, where the candidates are the waiting jobs and the preemptible
  // running jobs longer than the shortest of them (the other running jobs keep their GPUs
  // whatever happens).
  Decisions decide(const SchedulerView& view) override {
    draining_.update(view);
    if (view.queued_jobs().empty()) return {};
    std::vector<Candidate> order;
    for (JobId id : view.queued_jobs()) {
      order.push_back({view.remaining(id) + min_gain_, true, id});
    }
    std::sort(order.begin(), order.end(), ranks_before);
    // Planning costs a release and a placement per running candidate (thousands on a big
    // fleet) but only matters once a waiting job does not fit, which most passes never reach.
    // So a pass first starts waiting jobs without it, and if one does not fit starts over with
    // the plan: the same decisions as planning up front (waiting jobs keep their order).
    FreeCapacity free = view.free_capacity();
    const std::size_t before = free.mark();
    if (std::optional<Decisions> decisions = start_in_order(view, free, order, nullptr)) {
      return std::move(*decisions);
    }
    free.rollback(before);
    const std::size_t waiting = order.size();
    const Duration shortest_waiting = order.front().key;
    for (JobId id : view.running_jobs()) {
      const Duration left = view.remaining(id);
      if (view.job(id).spec.preemptible && left > shortest_waiting) {
        order.push_back({left, false, id});
      }
    }
    std::vector<bool> planned(order.size(), false);  // no victims: no job preempts
    if (order.size() > waiting) {
      std::sort(order.begin(), order.end(), ranks_before);
      planned = detail::plan_running_set(view, free, order, draining_);
    }
    return *start_in_order(view, free, order, &planned);
  }

 private:
  // Starts waiting jobs in `order`, preempting running jobs left out of the plan `planned` for
  // them (planned[i]: order[i] is in the plan). Without a plan, returns nullopt as soon as a
  // waiting job would need one: it does not fit, or no GPU is free.
  std::optional<Decisions> start_in_order(const SchedulerView& view, FreeCapacity& free,
                                          const std::vector<Candidate>& order,
                                          const std::vector<bool>* planned) const {
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    // Running jobs left out of the plan, longest first: the only possible victims.
    std::vector<Candidate> victims;
    for (std::size_t i = order.size(); planned && i-- > 0;) {
      if (!order[i].waiting && !(*planned)[i]) victims.push_back(order[i]);
    }
    std::vector<bool> preempted(victims.size(), false);

    Decisions decisions;
    std::size_t longest_victim = 0;  // victims[longest_victim..] not preempted yet
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Candidate& c = order[i];
      if (!c.waiting) continue;
      if (free.total_free() == 0) {
        if (!planned) return std::nullopt;
        while (longest_victim < victims.size() && preempted[longest_victim]) ++longest_victim;
        const bool may_preempt =
            longest_victim < victims.size() && victims[longest_victim].key > c.key;
        if (!may_preempt) break;  // later jobs are longer still
      }
      const JobSpec& spec = view.job(c.id).spec;
      std::optional<Allocation> gpus = plan.take(spec);
      if (!gpus) {
        if (plan.wait_for_drain(spec)) continue;
        if (!planned) return std::nullopt;  // whether it may preempt is the plan's to say
        if (!(*planned)[i]) continue;
        gpus = preempt_for(view, plan, spec, c.key, victims, preempted, decisions);
      }
      if (gpus) decisions.start(c.id, std::move(*gpus));
    }
    return decisions;
  }

  // Releases victims strictly longer than `key`, longest first, until the job fits; gives back
  // those its placement did not need. Returns its GPUs (victims preempted); or nullopt, with
  // either nothing changed or, when preempted GPUs drain, the victims preempted and the job
  // waiting for them.
  static std::optional<Allocation> preempt_for(const SchedulerView& view,
                                               detail::PlanningCapacity& plan, const JobSpec& spec,
                                               Duration key, const std::vector<Candidate>& victims,
                                               std::vector<bool>& preempted, Decisions& decisions) {
    FreeCapacity& free = plan.free();
    const std::size_t mark = free.mark();
    std::vector<std::size_t> released;
    std::optional<Allocation> gpus;
    for (std::size_t v = 0; v < victims.size() && victims[v].key > key && !gpus; ++v) {
      const Job& victim = view.job(victims[v].id);
      if (preempted[v] || !spec.allows_type(victim.gpu_type)) continue;
      free.release(victim);
      released.push_back(v);
      gpus = plan.take(spec);
    }
    if (!gpus) {
      free.rollback(mark);
      return std::nullopt;
    }
    for (std::size_t r = released.size(); r-- > 0;) {
      // Still needed: the job uses some of these GPUs, or the power they free.
      if (!free.try_take_back(view.job(victims[released[r]].id))) continue;
      released.erase(released.begin() + static_cast<std::ptrdiff_t>(r));
    }
    std::uint64_t victim_gpus = 0;
    for (std::size_t v : released) {
      preempted[v] = true;
      decisions.preempt(victims[v].id);
      victim_gpus += view.job(victims[v].id).spec.gpus;
    }
    if (!plan.drains() || released.empty()) return gpus;
    free.rollback(mark);  // the victims' GPUs are not free before the overhead
    plan.reserve(spec, *gpus);
    plan.add_draining(victim_gpus);
    plan.wait_for_drain(spec);
    return std::nullopt;
  }

  Duration min_gain_;
  detail::DrainingJobs draining_;
};

const PolicyRegistration kRegistration{{
    .name = "srtf",
    .summary = "Shortest remaining time first; preempts running jobs for strictly shorter ones.",
    .params = {Param::real("min_gain_s", 0.0,
                           "a waiting job preempts only jobs with more than this many seconds "
                           "of run time left beyond its own")},
    .make = [](const PolicyParams& p) { return std::make_unique<ShortestRemainingTimeFirst>(p); },
    .validate = [](const PolicyParams& p) -> std::string {
      return p.get<double>("min_gain_s") >= 0 ? "" : "min_gain_s: must be >= 0";
    },
}};

}  // namespace
}  // namespace fleetsim
