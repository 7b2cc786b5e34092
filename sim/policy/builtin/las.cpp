// Least attained service, discretised in two dimensions as in Tiresias (Gu et al., NSDI 2019):
// a job's service is the wall time it has held GPUs, times its gang size (service: gpu_time) or
// not (run_time). Thresholds split jobs into K priority queues (level = thresholds <= service);
// higher-priority queues go first, FIFO (id order) within a queue. A waiting job that does not
// fit may preempt preemptible running jobs of strictly lower-priority queues (lowest queue
// first, then the most recently started, then the largest id) if and only if that makes it
// fit. Running jobs are demoted when their service crosses a threshold; with promote_after_s a
// job waiting that long returns to the top queue with its service counted from 0 again.
//
// A pass must not cost O(jobs): 1,000,000 jobs on 100,000 GPUs run in seconds. So the policy
// keeps its own state, updated from view.changes() and its own decisions: per queue, the waiting
// jobs bucketed by shape (job_shape.hpp: a pass only walks jobs that could fit in the free GPUs
// plus those of lower-priority victims, and leaves a shape at its first job that can start
// neither way) and the preemptible running jobs, also by site (a job that may run at a few sites
// walks only their victims); and a min-heap of pending threshold crossings and promotions,
// checked lazily against the job's current stamp.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/job_shape.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

// Whether the victim's GPUs could help the job: of a type it allows, at a site it may run at (a
// victim spanning sites may always help).
bool could_use(const JobSpec& spec, const Job& victim) {
  return spec.allows_type(victim.gpu_type) &&
         (victim.span.sites > 1 || spec.may_run_at(victim.site));
}

// The site of an allocation's GPUs, or `spanning` when they are at more than one.
std::uint32_t site_of(const Fleet& fleet, const Allocation& gpus, std::uint32_t spanning) {
  const SiteId first = fleet.site_of(gpus.slices.front().node);
  for (const NodeSlice& slice : gpus.slices) {
    if (fleet.site_of(slice.node) != first) return spanning;
  }
  return static_cast<std::uint32_t>(first.index());
}

std::string validate_params(const PolicyParams& params) {
  const std::vector<double>& thresholds = params.get<std::vector<double>>("thresholds");
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (!std::isfinite(thresholds[i]) || thresholds[i] <= 0) {
      return fmt::format("thresholds[{}]: expected a positive number, got {}", i, thresholds[i]);
    }
    if (i > 0 && thresholds[i] <= thresholds[i - 1]) {
      return fmt::format("thresholds[{}]: must be greater than thresholds[{}] ({} <= {})", i, i - 1,
                         thresholds[i], thresholds[i - 1]);
    }
  }
  const double promote = params.get<double>("promote_after_s");
  if (!std::isfinite(promote) || promote < 0) {
    return fmt::format("promote_after_s: expected a number >= 0, got {}", promote);
  }
  return "";
}

class LeastAttainedService final : public Policy {
 public:
  explicit LeastAttainedService(const PolicyParams& params)
      : by_gpu_time_(params.get<std::string>("service") == "gpu_time"),
        promote_after_(from_seconds(params.get<double>("promote_after_s"))),
        skip_blocked_(params.get<bool>("skip_blocked")) {
    // Thresholds in service units: microseconds, or GPU-microseconds with gpu_time.
    for (double t : params.get<std::vector<double>>("thresholds")) {
      thresholds_.push_back(from_seconds(t));
    }
    levels_.resize(thresholds_.size() + 1);
  }

  Decisions decide(const SchedulerView& view) override {
    ++pass_;
    cannot_preempt_for_.clear();
    Decisions decisions;
    apply_changes(view);
    process_due_wakes(view);

    FreeCapacity free = view.free_capacity();
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    schedule(view, plan, decisions);
    if (buckets_emptied_) {
      for (Level& level : levels_) {
        std::erase_if(level.queued, [](const auto& bucket) { return bucket.second.empty(); });
      }
      buckets_emptied_ = false;
    }
    request_next_wake(view, decisions);
    return decisions;
  }

 private:
  enum class Where : std::uint8_t { Absent, Queued, Running, Draining, Done };

  struct Record {
    Where where = Where::Absent;
    std::uint32_t level = 0;
    std::uint32_t stamp = 0;           // bumped on every move; a Wake with an older stamp is stale
    std::uint64_t victim_of_pass = 0;  // not restarted in the pass that preempted it
    std::int64_t baseline = 0;         // raw service at the last promotion, in service units
    SimTime since = 0;                 // started (running) or entered the queue (queued)
    // Its allocation's site, or kSpanningSites (valid while preemptible and Running).
    std::uint32_t victim_site = 0;
    // Where it sits in its queue's sets (valid while Queued, resp. preemptible and Running), so
    // removing it costs no search.
    std::map<ShapeKey, std::set<JobId>>::iterator bucket;
    std::set<JobId>::const_iterator queued_at;
    std::set<std::pair<SimTime, JobId>>::const_iterator running_at;
    std::set<std::pair<SimTime, JobId>>::const_iterator running_at_site;
  };

  using RunningSet = std::set<std::pair<SimTime, JobId>>;     // by (start, id): victims last first
  static constexpr std::uint32_t kSpanningSites = kMaxSites;  // gangs over more than one site

  struct Level {
    std::map<ShapeKey, std::set<JobId>> queued;  // waiting jobs by shape, id order
    RunningSet running;                          // preemptible running jobs
    // The same by their allocation's site; [kSpanningSites] = those spanning sites.
    std::vector<RunningSet> running_at_site = std::vector<RunningSet>(kSpanningSites + 1);
    std::uint64_t running_gpus = 0;
  };

  // A pending threshold crossing (running job) or promotion (waiting job).
  struct Wake {
    SimTime time;
    JobId job;
    std::uint32_t stamp;
    bool promotion;
    friend bool operator>(const Wake& a, const Wake& b) {
      if (a.time != b.time) return a.time > b.time;
      if (a.job != b.job) return a.job > b.job;
      return a.stamp > b.stamp;
    }
  };

  struct Cursor {
    std::uint32_t gpus;
    float utilisation;
    const std::set<JobId>* jobs;
    std::set<JobId>::const_iterator next;
  };

  // Lower-priority running jobs of one level in victim order (latest start, then largest id,
  // first), restricted to a job's sites: a merge of the sets of its sites and of the spanning
  // gangs, each walked from its end.
  class VictimOrder {
   public:
    void add(const RunningSet& jobs) {
      if (!jobs.empty()) heads_.push_back({jobs.rbegin(), jobs.rend()});
    }
    std::optional<JobId> next() {
      Head* best = nullptr;
      for (Head& h : heads_) {
        if (h.at != h.end && (best == nullptr || *best->at < *h.at)) best = &h;
      }
      if (best == nullptr) return std::nullopt;
      return (best->at++)->second;
    }

   private:
    struct Head {
      RunningSet::const_reverse_iterator at, end;
    };
    std::vector<Head> heads_;
  };

  // --- service and levels ---------------------------------------------------------------

  std::int64_t units_per_us(const JobSpec& spec) const { return by_gpu_time_ ? spec.gpus : 1; }

  std::int64_t service(const SchedulerView& view, JobId id) const {
    return view.attained_wall_time(id) * units_per_us(view.job(id).spec) -
           records_[id.index()].baseline;
  }

  std::uint32_t level_of(std::int64_t service_units) const {
    return static_cast<std::uint32_t>(
        std::upper_bound(thresholds_.begin(), thresholds_.end(), service_units) -
        thresholds_.begin());
  }

  // --- moves between queues; each bumps the stamp ---------------------------------------

  void enqueue(const SchedulerView& view, JobId id) {
    Record& rec = records_[id.index()];
    rec.where = Where::Queued;
    rec.level = level_of(service(view, id));
    rec.since = view.now();
    ++rec.stamp;
    rec.bucket = levels_[rec.level].queued.try_emplace(ShapeKey::of(view.job(id).spec, id)).first;
    rec.queued_at = rec.bucket->second.insert(id).first;
    ++queued_count_;
    if (promote_after_ > 0 && rec.level > 0) {
      wakes_.push({view.now() + promote_after_, id, rec.stamp, true});
    }
  }

  void dequeue(JobId id) {
    const Record& rec = records_[id.index()];
    rec.bucket->second.erase(rec.queued_at);
    buckets_emptied_ = buckets_emptied_ || rec.bucket->second.empty();
    --queued_count_;
  }

  void add_running(const SchedulerView& view, JobId id) {
    Record& rec = records_[id.index()];
    rec.where = Where::Running;
    ++rec.stamp;
    const JobSpec& spec = view.job(id).spec;
    if (!spec.preemptible) return;  // never a victim, so its level no longer matters
    Level& level = levels_[rec.level];
    rec.running_at = level.running.insert({rec.since, id}).first;
    rec.running_at_site = level.running_at_site[rec.victim_site].insert({rec.since, id}).first;
    level.running_gpus += spec.gpus;
    if (rec.level + 1 < levels_.size()) {
      // Service grows by units_per_us per microsecond held; the crossing is the first
      // microsecond at which it reaches the next threshold (exact integer arithmetic).
      const std::int64_t rate = units_per_us(spec);
      const std::int64_t target = thresholds_[rec.level] + rec.baseline;
      const Duration held_at_crossing = (target + rate - 1) / rate;
      const SimTime at =
          view.now() + std::max<Duration>(1, held_at_crossing - view.attained_wall_time(id));
      wakes_.push({at, id, rec.stamp, false});
    }
  }

  void remove_running(const SchedulerView& view, JobId id) {
    const Record& rec = records_[id.index()];
    const JobSpec& spec = view.job(id).spec;
    if (!spec.preemptible) return;
    Level& level = levels_[rec.level];
    level.running.erase(rec.running_at);
    level.running_at_site[rec.victim_site].erase(rec.running_at_site);
    level.running_gpus -= spec.gpus;
  }

  // --- bookkeeping at the start of a pass ------------------------------------------------

  // Starts and preemptions were recorded when decided; here come the engine's own changes.
  void apply_changes(const SchedulerView& view) {
    draining_.update(view);
    for (const JobChange& change : view.changes()) {
      if (records_.size() <= change.job.index()) records_.resize(change.job.index() + 1);
      Record& rec = records_[change.job.index()];
      switch (change.kind) {
        case JobChangeKind::Arrived:
          enqueue(view, change.job);
          break;
        case JobChangeKind::Requeued:
          if (rec.where == Where::Draining) enqueue(view, change.job);
          break;
        case JobChangeKind::Finished:
          if (rec.where == Where::Running) remove_running(view, change.job);
          rec.where = Where::Done;
          ++rec.stamp;
          break;
        case JobChangeKind::Preempted:
          // Its own preemptions were recorded when decided (Draining); a job still Running here
          // was stopped by a failure: it leaves the running set and the Requeued that follows
          // puts it back in its queue.
          if (rec.where == Where::Running) {
            remove_running(view, change.job);
            rec.where = Where::Draining;
            ++rec.stamp;
          }
          break;
        case JobChangeKind::Withdrawn:
          if (rec.where == Where::Queued) dequeue(change.job);
          rec.where = Where::Done;
          ++rec.stamp;
          break;
        case JobChangeKind::Started:
          break;
      }
    }
  }

  bool is_live(const Wake& wake) const {
    const Record& rec = records_[wake.job.index()];
    if (rec.stamp != wake.stamp) return false;
    return wake.promotion ? rec.where == Where::Queued && rec.level > 0
                          : rec.where == Where::Running;
  }

  void process_due_wakes(const SchedulerView& view) {
    while (!wakes_.empty() && wakes_.top().time <= view.now()) {
      const Wake wake = wakes_.top();
      wakes_.pop();
      if (!is_live(wake)) continue;
      Record& rec = records_[wake.job.index()];
      if (wake.promotion) {
        dequeue(wake.job);
        rec.baseline += service(view, wake.job);  // service counts from 0 again
        enqueue(view, wake.job);
      } else {
        remove_running(view, wake.job);  // re-added at the level its service has reached
        rec.level = level_of(service(view, wake.job));
        add_running(view, wake.job);
      }
    }
  }

  // --- the pass --------------------------------------------------------------------------

  // GPUs of preemptible running jobs in queues of lower priority than `level`. O(K).
  std::uint64_t victim_gpus_below(std::uint32_t level) const {
    std::uint64_t n = 0;
    for (std::size_t l = level + 1; l < levels_.size(); ++l) n += levels_[l].running_gpus;
    return n;
  }

  // The most GPUs a job of this level drawing `utilisation` could start on now (try_start):
  // free, unpromised ones its power allows (FreeCapacity::usable_free), or, if GPUs drain,
  // those plus the draining ones, or, if a lower-priority victim runs, those plus the victims'.
  // On a capped fleet the capped sites' free GPUs count only in the last two.
  std::uint64_t start_bound(const detail::PlanningCapacity& plan, std::uint32_t level,
                            float utilisation) const {
    const std::uint64_t unpromised = plan.unpromised();
    std::uint64_t bound = plan.usable_unpromised(utilisation);
    if (plan.drain_budget() > 0) bound = std::max(bound, unpromised + plan.drain_budget());
    if (const std::uint64_t victims = victim_gpus_below(level); victims > 0) {
      bound = std::max(bound, unpromised + victims);
    }
    return bound;
  }

  // Visits each level's waiting jobs in id order (a merge of its shapes' buckets), trying to
  // start each. With skip_blocked, a shape is set aside while its gang exceeds start_bound(),
  // and after one of its jobs could not start while the scratch says the shape decides fit.
  // Until the pass frees GPUs, adds draining ones or preempts (only takes and promises happen
  // meanwhile), the shape's next jobs would meet the same GPUs, power, promises and victims, or
  // fewer, and fail the same way; after any of those three the shapes set aside come back from
  // their first job after the one just tried. So a pass costs O((shapes + jobs started) x log
  // shapes) per level, not O(queue), and tries the jobs a walk over every job would start.
  void schedule(const SchedulerView& view, detail::PlanningCapacity& plan, Decisions& decisions) {
    std::vector<Cursor>& cursors = cursors_;
    std::vector<std::size_t>& heap = heap_;  // cursor indices, earliest next job on top
    std::vector<std::size_t>& set_aside = set_aside_;
    const auto later = [&cursors](std::size_t a, std::size_t b) {
      return *cursors[b].next < *cursors[a].next;
    };
    for (std::uint32_t level = 0; level < levels_.size(); ++level) {
      cursors.clear();
      heap.clear();
      set_aside.clear();
      for (const auto& [key, ids] : levels_[level].queued) {
        if (ids.empty()) continue;
        const bool fits = !skip_blocked_ ||
                          key.shape.gpus <= start_bound(plan, level, key.gpu_utilisation);
        (fits ? heap : set_aside).push_back(cursors.size());
        cursors.push_back({key.shape.gpus, key.gpu_utilisation, &ids, ids.begin()});
      }
      std::make_heap(heap.begin(), heap.end(), later);
      while (true) {
        // Nothing can start (or wait for a drain) once no GPU is free, none drains and no
        // lower-priority victim is left, which only gets truer at lower priorities.
        if (plan.unpromised() + plan.drain_budget() + victim_gpus_below(level) == 0) return;
        // Next waiting job in id order; with skip_blocked, among those that could fit by count.
        while (skip_blocked_ && !heap.empty() &&
               cursors[heap.front()].gpus >
                   start_bound(plan, level, cursors[heap.front()].utilisation)) {
          std::pop_heap(heap.begin(), heap.end(), later);
          set_aside.push_back(heap.back());
          heap.pop_back();
        }
        if (heap.empty()) break;
        std::pop_heap(heap.begin(), heap.end(), later);
        const std::size_t at = heap.back();
        heap.pop_back();
        Cursor& cursor = cursors[at];
        const JobId id = *cursor.next++;  // advance first: starting it erases it from the set
        bool started = true;
        const std::uint64_t unpromised = plan.unpromised();
        const std::uint64_t drain_budget = plan.drain_budget();
        const std::uint64_t victims = victim_gpus_below(level);
        if (records_[id.index()].victim_of_pass != pass_) {
          started = try_start(view, plan, decisions, id, level);
          if (!started && !skip_blocked_) return;
        }
        if (cursor.next != cursor.jobs->end()) {
          if (started || !plan.free().shape_decides_fit()) {
            heap.push_back(at);
            std::push_heap(heap.begin(), heap.end(), later);
          } else {
            set_aside.push_back(at);
          }
        }
        if (plan.unpromised() > unpromised || plan.drain_budget() > drain_budget ||
            victim_gpus_below(level) != victims) {
          // Their jobs before this one in id order would have failed in their turn.
          for (std::size_t i : set_aside) {
            cursors[i].next = cursors[i].jobs->upper_bound(id);
            if (cursors[i].next == cursors[i].jobs->end()) continue;
            heap.push_back(i);
            std::push_heap(heap.begin(), heap.end(), later);
          }
          set_aside.clear();
        }
      }
    }
  }

  // Starts the job, preempting lower-priority jobs if that makes it fit. With a preempt
  // overhead it may instead wait for draining GPUs (its victims', or earlier ones). False when
  // it can do neither.
  bool try_start(const SchedulerView& view, detail::PlanningCapacity& plan, Decisions& decisions,
                 JobId id, std::uint32_t level) {
    const JobSpec& spec = view.job(id).spec;
    std::optional<Allocation> gpus = plan.take(spec);
    if (!gpus) {
      if (plan.wait_for_drain(spec)) return true;
      if (!preempt_for(view, plan, decisions, id, level, gpus)) return false;
      if (!gpus) return true;  // its victims drain; a later pass starts it
    }
    dequeue(id);
    Record& rec = records_[id.index()];
    rec.since = view.now();
    rec.victim_site = site_of(view.fleet(), *gpus, kSpanningSites);
    decisions.start(id, std::move(*gpus));
    add_running(view, id);
    return true;
  }

  // False, with nothing changed, when releasing lower-priority victims cannot make the job fit.
  // Otherwise preempts the victims it needs and sets `gpus` to its allocation, or (when
  // preempted GPUs drain) leaves `gpus` empty and the job waiting for them.
  bool preempt_for(const SchedulerView& view, detail::PlanningCapacity& plan, Decisions& decisions,
                   JobId id, std::uint32_t level, std::optional<Allocation>& gpus) {
    const JobSpec& spec = view.job(id).spec;
    FreeCapacity& free = plan.free();
    const std::uint64_t below = victim_gpus_below(level);
    if (below == 0 || plan.unpromised_for(spec) + below < spec.gpus) return false;
    // Within a pass the GPUs free or held by victims below a level only shrink (starts take
    // them, preemptions give them to the job that asked, and a job started at this level is no
    // victim of this level or a later one), so a shape that failed at some level fails at it
    // and below for the rest of the pass. Without this, a deep queue of jobs that residency or
    // power keeps out tries every victim for every job.
    const ShapeKey key = ShapeKey::of(spec, id);
    if (free.shape_decides_fit()) {
      if (auto failed = cannot_preempt_for_.find(key);
          failed != cannot_preempt_for_.end() && failed->second <= level) {
        return false;
      }
    }
    const std::size_t mark = free.mark();
    std::vector<JobId> released;
    const std::size_t sites = view.fleet().topology.sites().size();
    const std::uint64_t every_site =
        sites >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << sites) - 1;
    const bool anywhere = (spec.allowed_sites & every_site) == every_site;
    for (std::size_t l = levels_.size() - 1; l > level && !gpus; --l) {
      VictimOrder victims;
      if (anywhere) {
        victims.add(levels_[l].running);
      } else {
        for (std::size_t s = 0; s < sites; ++s) {
          if (spec.may_run_at(SiteId{s})) {
            victims.add(levels_[l].running_at_site[s]);
          }
        }
        victims.add(levels_[l].running_at_site[kSpanningSites]);
      }
      while (!gpus) {
        const std::optional<JobId> next = victims.next();
        if (!next) break;
        const Job& victim = view.job(*next);
        if (!could_use(spec, victim)) continue;
        free.release(victim);
        released.push_back(*next);
        gpus = plan.take(spec);
      }
    }
    if (!gpus) {
      free.rollback(mark);
      if (free.shape_decides_fit()) {
        auto [failed, fresh] = cannot_preempt_for_.try_emplace(key, level);
        if (!fresh) failed->second = std::min(failed->second, level);
      }
      return false;
    }
    // Give back the victims whose GPUs the placement did not use, latest released first.
    for (std::size_t r = released.size(); r-- > 0;) {
      if (!free.try_take_back(view.job(released[r]))) continue;  // still needed
      released.erase(released.begin() + static_cast<std::ptrdiff_t>(r));
    }
    std::uint64_t victim_gpus = 0;
    for (JobId victim : released) {
      decisions.preempt(victim);
      victim_gpus += view.job(victim).spec.gpus;
      remove_running(view, victim);
      Record& rec = records_[victim.index()];
      rec.victim_of_pass = pass_;
      if (view.preempt_overhead() == 0) {
        enqueue(view, victim);  // the engine requeues it at once
      } else {
        rec.where = Where::Draining;
        ++rec.stamp;
      }
    }
    if (plan.drains() && !released.empty()) {
      free.rollback(mark);  // the victims' GPUs are not free before the overhead
      plan.reserve(spec, *gpus);
      gpus.reset();
      plan.add_draining(victim_gpus);
      plan.wait_for_drain(spec);
    }
    return true;
  }

  // Asks to be woken at the next live crossing or promotion, but only while a job waits: with
  // an empty queue a demotion changes nothing, and the next arrival or requeue runs a pass
  // that catches up on every crossing due by then.
  void request_next_wake(const SchedulerView& view, Decisions& decisions) {
    while (!wakes_.empty() && !is_live(wakes_.top())) wakes_.pop();
    if (queued_count_ == 0 || wakes_.empty()) return;
    const SimTime at = wakes_.top().time;
    if (next_wake_ > view.now() && next_wake_ <= at) return;  // already asked for
    decisions.wake_at(at);
    next_wake_ = at;
  }

  bool by_gpu_time_;
  Duration promote_after_;  // 0 = never
  bool skip_blocked_;
  std::vector<std::int64_t> thresholds_;  // ascending, in service units
  std::vector<Level> levels_;             // [0] = highest priority
  std::vector<Record> records_;           // [job]
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> wakes_;
  detail::DrainingJobs draining_;
  // schedule()'s, members so that their buffers are reused.
  std::vector<Cursor> cursors_;
  std::vector<std::size_t> heap_;
  std::vector<std::size_t> set_aside_;
  std::uint64_t queued_count_ = 0;
  bool buckets_emptied_ = false;  // a queue has an empty bucket to erase
  std::uint64_t pass_ = 0;
  // Shapes that releasing every victim could not make fit in this pass -> the highest-priority
  // level (lowest number) they failed at.
  std::map<ShapeKey, std::uint32_t> cannot_preempt_for_;
  SimTime next_wake_ = -1;
};

const PolicyRegistration kRegistration{{
    .name = "las",
    .summary = "Tiresias-style discretised least attained service: K priority queues by "
               "attained (GPU-)time, FIFO within a queue, preempts lower queues.",
    .params = {Param::reals("thresholds", {3600.0},
                            "attained-service boundaries between queues (seconds of run time, "
                            "or GPU-seconds when service=gpu_time); K queues = thresholds+1"),
               Param::choice("service", "gpu_time", {"gpu_time", "run_time"},
                             "attained service: wall time holding GPUs x gang size, or wall time"),
               Param::real("promote_after_s", 0.0,
                           "starvation: a job queued this long returns to the highest-priority "
                           "queue; 0 = off"),
               Param::flag("skip_blocked", true,
                           "jobs behind one that cannot start may start (false: the pass stops "
                           "at the first waiting job, in priority then FIFO order, that cannot)")},
    .make = [](const PolicyParams& p) { return std::make_unique<LeastAttainedService>(p); },
    .validate = validate_params,
}};

}  // namespace
}  // namespace fleetsim
