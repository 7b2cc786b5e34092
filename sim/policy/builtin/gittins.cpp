// Discretised 2D-Gittins-index scheduling, as in Tiresias (Gu et al., "Tiresias: A GPU Cluster
// Manager for Distributed Deep Learning", USENIX NSDI 2019): a job's attained service
// is GPU-time (wall time holding GPUs x gang size; or wall time with service: run_time); the
// thresholds split jobs into priority queues as in `las`; within a queue jobs go by their
// Gittins index (highest first; ties in submit order) instead of FIFO. The index comes from a
// job-size distribution in service units, given as samples or as a lognormal / exponential
// (see gittins_index.hpp), with the static quantum delta (3,250 in the authors' simulator:
// github.com/SymbioticLab/Tiresias, commit b0ef8449, simulator/jobs.py `gittins_delta`).
// A waiting job that does not fit may preempt preemptible jobs of strictly lower queues (lowest
// queue first, then lowest index, then latest started). The policy asks to be woken when a
// running job crosses a threshold while jobs wait; the next crossings are kept in a heap, so
// finding the earliest costs O(log running), not O(running). Waiting jobs are kept in pass
// order between passes (O(log queue) per queue change); a pass costs O(jobs it visits +
// victims). The running jobs below the top queue are kept listed (with what their service
// needs, so listing the victims reads no job record) and their GPUs and power counted by site
// and type, so a waiting job that could not make room even with all of them is told so in
// O(sites x types): on capped multi-site fleets, most are. Victims are ranked only as far as
// preemption goes (selection, then a sort of the first few).
#include <algorithm>
#include <cmath>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/policy/builtin/gittins_index.hpp"
#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/builtin/preempt_to_fit.hpp"
#include "sim/policy/releasable_gpus.hpp"
#include "sim/policy/registry.hpp"

namespace fleetsim {
namespace {

constexpr std::size_t kQuantiles = 1000;  // samples standing for a parametric distribution

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
  for (const char* name : {"delta", "median", "sigma", "mean"}) {
    const double v = params.get<double>(name);
    if (!std::isfinite(v) || v <= 0) {
      return fmt::format("{}: expected a positive number, got {}", name, v);
    }
  }
  const std::vector<double>& samples = params.get<std::vector<double>>("samples");
  if (params.get<std::string>("distribution") == "samples" && samples.empty()) {
    return "samples: distribution is samples but no samples are given";
  }
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i]) || samples[i] < 0) {
      return fmt::format("samples[{}]: expected a number >= 0, got {}", i, samples[i]);
    }
  }
  return "";
}

detail::GittinsIndex make_index(const PolicyParams& params) {
  const std::string& kind = params.get<std::string>("distribution");
  std::vector<double> samples =
      kind == "samples" ? params.get<std::vector<double>>("samples")
      : kind == "lognormal"
          ? detail::GittinsIndex::lognormal_quantiles(params.get<double>("median"),
                                                      params.get<double>("sigma"), kQuantiles)
          : detail::GittinsIndex::exponential_quantiles(params.get<double>("mean"), kQuantiles);
  return detail::GittinsIndex(std::move(samples), params.get<double>("delta"));
}

class Gittins final : public Policy {
 public:
  explicit Gittins(const PolicyParams& params)
      : by_gpu_time_(params.get<std::string>("service") == "gpu_time"),
        backfill_(params.get<bool>("backfill")),
        thresholds_(params.get<std::vector<double>>("thresholds")),
        crossing_slack_(thresholds_.empty() ? 0
                                            : 4 + static_cast<Duration>(thresholds_.back() *
                                                                        kMicrosPerSecond * 1e-14)),
        index_(make_index(params)) {}

  Decisions decide(const SchedulerView& view) override {
    draining_.update(view);
    forget_stopped(view);
    track_starts(view);
    track_queue(view);
    Decisions decisions;
    if (view.queued_jobs().empty()) return decisions;
    refresh_due(view);
    FreeCapacity free = view.free_capacity();
    if (free.total_free() == 0 && draining_.gpus() == 0 && lower_.empty()) {
      // No GPU to give and every running job is in the top queue: nobody can start, so skip
      // ranking the queue. Jobs wait: be woken when a running job is demoted.
      request_wake(view, {}, decisions);
      return decisions;
    }
    detail::PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
    std::vector<JobId> started;
    bool someone_waits = false;
    // Victims, built when first needed. Only jobs in queues below the first job that needs them:
    // the jobs after it are in its queue or lower, so the others are never anyone's victims.
    VictimPool pool;
    bool pool_ready = false;
    // Jobs that could not make room by preempting: later jobs are in the same or a lower queue,
    // so they have no more victims, and a pass only uses GPUs up.
    detail::CannotMakeRoom failed(free.shape_decides_fit());
    for (const Ranked& w : waiting_) {  // a pass usually ends after a few jobs
      const JobSpec& spec = view.job(w.id).spec;
      if (std::optional<Allocation> gpus = plan.take(spec)) {
        decisions.start(w.id, std::move(*gpus));
        started.push_back(w.id);
        continue;
      }
      someone_waits = true;
      // Nothing to start on, wait for or preempt, for it or (in lower queues) any later job.
      if (pool_ready && plan.unpromised() == 0 && plan.drain_budget() == 0 &&
          pool.below(w.level) == 0) {
        break;
      }
      if (plan.wait_for_drain(spec)) continue;
      // In the last queue nobody is below it; and a job that failed to make room may cover it.
      if (w.level >= thresholds_.size() || failed.covers(spec)) {
        if (!backfill_) break;
        continue;
      }
      // Its victims are some of the jobs below the top queue: if all of those could not make
      // room, they cannot. Most jobs are told so here, in O(sites x types), without the pool.
      if (!plan.free().may_fit_with(spec, *lower_gpus_)) {
        failed.add(spec);
        if (!backfill_) break;
        continue;
      }
      if (!pool_ready) {
        pool = victim_pool(view, w.level);
        pool_ready = true;
      }
      const std::size_t victims = pool.below(w.level);  // its jobs in lower queues
      if (victims == 0) {
        if (!backfill_) break;
        continue;
      }
      // The bound over its own victims, unless they are every job counted above (the victims
      // are among those, so as many means the same jobs): it does not need their order, so
      // the pool is ranked only once a job may make room.
      std::vector<JobId> candidates;
      if (victims != lower_.size()) {
        for (const Ranked& v : pool.jobs) {
          if (v.level > w.level) candidates.push_back(v.id);
        }
        if (!detail::may_make_room(view, plan.free(), spec, candidates)) {
          failed.add(spec);
          if (!backfill_) break;
          continue;
        }
      }
      // Its victims in order, ranked only as far as preemption goes: it tries them in order
      // and stops once the job fits, usually after a few, and a try that fails changes
      // nothing, so trying the first 16, then 64, ... gives what trying them all at once does.
      detail::PreemptOutcome out;
      for (std::size_t tried = std::min<std::size_t>(victims, 16);;
           tried = std::min(victims, 4 * tried)) {
        rank_victims(pool, tried);
        candidates.clear();
        for (std::size_t v = 0; v < tried; ++v) candidates.push_back(pool.jobs[v].id);
        out = detail::preempt_to_fit(view, plan, spec, candidates, decisions,
                                     /*room_checked=*/true);
        if (out.made_room || tried == victims) break;
      }
      if (out.made_room) {
        pool.ranked -= out.victims.size();  // all among the ranked ones
        std::erase_if(pool.jobs, [&](const Ranked& v) {
          if (std::find(out.victims.begin(), out.victims.end(), v.id) == out.victims.end()) {
            return false;
          }
          --pool.per_level[v.level];
          return true;
        });
        if (out.gpus) {
          decisions.start(w.id, std::move(*out.gpus));
          started.push_back(w.id);
        }
      } else {
        failed.add(spec);
        if (!backfill_) break;
      }
    }
    if (someone_waits) request_wake(view, started, decisions);
    return decisions;
  }

 private:
  struct Ranked {
    JobId id;
    std::uint32_t level;
    double index;   // victims: set when the pool is first ranked
    double service;  // in service units
    SimTime since;   // start of the current segment (victims: latest started first)
  };

  // The order of waiting jobs in a pass: queue, then highest index, then id.
  struct PassOrder {
    bool operator()(const Ranked& a, const Ranked& b) const {
      return std::tuple(a.level, -a.index, a.id) < std::tuple(b.level, -b.index, b.id);
    }
  };
  struct WaitKey {  // a waiting job's place in waiting_
    double index = 0;
    std::uint32_t level = 0;
  };
  struct LowerEntry {  // a running job below the top queue, with what its service needs
    JobId id;
    std::uint32_t epoch;     // the run epoch it was found in
    Duration run_time;       // its record's, over the segments before this one
    SimTime segment_start;   // of the segment it runs
    double rate;             // service per second held: its GPUs with gpu_time, else 1
  };

  // Preemptible running jobs below some queue. Ranked only when a job may make room with them,
  // and only as far as it needs: lowest queue first, then lowest index, then latest started,
  // then largest id.
  struct VictimPool {
    std::vector<Ranked> jobs;
    std::vector<std::size_t> per_level;  // jobs in each queue
    bool indexed = false;    // every job's index is set
    std::size_t ranked = 0;  // jobs[0..ranked) are the first in order, and in order

    // How many jobs are in queues below `level`: in order, the first that many.
    std::size_t below(std::uint32_t level) const {
      std::size_t n = 0;
      for (std::size_t l = level + 1; l < per_level.size(); ++l) n += per_level[l];
      return n;
    }
  };

  double service(const SchedulerView& view, JobId id) const {  // seconds or GPU-seconds
    const double held = to_seconds(view.attained_wall_time(id));
    return by_gpu_time_ ? held * view.job(id).spec.gpus : held;
  }

  std::uint32_t level_of(double service_units) const {
    return static_cast<std::uint32_t>(
        std::upper_bound(thresholds_.begin(), thresholds_.end(), service_units) -
        thresholds_.begin());
  }

  Ranked rank(const SchedulerView& view, JobId id) const {
    return ranked(view, id, service(view, id));
  }
  Ranked ranked(const SchedulerView& view, JobId id, double service_units) const {
    return {id, level_of(service_units), index_(service_units), service_units,
            view.job(id).segment_start};
  }

  // Wakes at the first threshold crossing of a running (or just started) preemptible job: it
  // may then be preempted for a waiting job of a higher queue.
  void request_wake(const SchedulerView& view, const std::vector<JobId>& started,
                    Decisions& decisions) {
    SimTime at = next_running_crossing(view, decisions.preempts());
    for (JobId id : started) at = std::min(at, crossing_at(view, id));
    if (at == kTimeNever || (next_wake_ > view.now() && next_wake_ <= at)) return;
    decisions.wake_at(at);
    next_wake_ = at;
  }

  // When the job's service (`s`, now) next reaches a threshold if it keeps its GPUs from now
  // on; kTimeNever if it is not preemptible or past the last threshold.
  SimTime crossing_at(const SchedulerView& view, JobId id, double s) const {
    const JobSpec& spec = view.job(id).spec;
    auto next = std::upper_bound(thresholds_.begin(), thresholds_.end(), s);
    if (!spec.preemptible || next == thresholds_.end()) return kTimeNever;
    const double rate = by_gpu_time_ ? spec.gpus : 1.0;  // service per second held
    return view.now() + std::max<Duration>(1, static_cast<Duration>(std::ceil(
                                                  (*next - s) / rate * kMicrosPerSecond)));
  }
  SimTime crossing_at(const SchedulerView& view, JobId id) const {
    return crossing_at(view, id, service(view, id));
  }

  // A running job's crossings entry is live while it runs the segment it was made in. A
  // finished job's record is not read: an engine that drops finished jobs no longer has it.
  bool live(const SchedulerView& view, JobId id, std::uint32_t epoch) const {
    if (id.index() < finished_.size() && finished_[id.index()]) return false;
    const Job& job = view.job(id);
    return job.state == JobState::Running && job.epoch == epoch;
  }

  // Looks at a running preemptible job now: notes it in lower_ (and its GPUs in lower_gpus_)
  // if it has left the top queue, and returns its next crossing.
  SimTime refresh(const SchedulerView& view, JobId id, std::uint32_t epoch) {
    const double s = service(view, id);
    // Listed already means in this run epoch: forget_stopped unlisted it when it last stopped.
    if (level_of(s) > 0 && lower_at_[id.index()] == kNotListed) {
      const Job& job = view.job(id);
      lower_at_[id.index()] = static_cast<std::uint32_t>(lower_.size());
      const double rate = by_gpu_time_ ? static_cast<double>(job.spec.gpus) : 1.0;
      lower_.push_back({id, epoch, job.run_time, job.segment_start, rate});
      lower_gpus_->add(id, job);
    }
    return crossing_at(view, id, s);
  }

  // Takes the jobs that stopped running since the last pass out of lower_ and lower_gpus_. A
  // job that stops is in the changes (the engine reports every finish, preemption and failure
  // interruption), so lower_ holds running jobs only and the pool never reads a job record.
  void forget_stopped(const SchedulerView& view) {
    if (!lower_gpus_) lower_gpus_.emplace(view.fleet());
    for (const JobChange& c : view.changes()) {
      const std::size_t i = c.job.index();
      if (c.kind == JobChangeKind::Finished) {
        if (finished_.size() <= i) finished_.resize(i + 1);
        finished_[i] = true;
      }
      if (i >= lower_at_.size() || lower_at_[i] == kNotListed) continue;
      const std::uint32_t at = lower_at_[i];
      if (live(view, c.job, lower_[at].epoch)) continue;
      lower_at_[i] = kNotListed;
      lower_[at] = lower_.back();
      lower_.pop_back();
      if (at < lower_.size()) lower_at_[lower_[at].id.index()] = at;
      lower_gpus_->remove(c.job);
    }
  }

  // A listed job's service now, as service() gives it: its record's run time and segment start
  // do not change while it runs the segment.
  double service(const SchedulerView& view, const LowerEntry& e) const {
    return to_seconds(e.run_time + (view.now() - e.segment_start)) * e.rate;
  }

  // Keeps waiting_ to the queue, from the changes since the last pass. A queued job's service
  // (what it held GPUs for so far) does not grow while it waits, so it is ranked once, when it
  // enters the queue; a pass no longer ranks and heaps the whole queue.
  void track_queue(const SchedulerView& view) {
    for (const JobChange& c : view.changes()) {
      const std::size_t i = c.job.index();
      if (c.kind == JobChangeKind::Arrived || c.kind == JobChangeKind::Requeued) {
        const Ranked r = rank(view, c.job);
        if (wait_key_.size() <= i) wait_key_.resize(i + 1);
        wait_key_[i] = {r.index, r.level};
        waiting_.insert(r);
      } else if (c.kind == JobChangeKind::Started || c.kind == JobChangeKind::Withdrawn) {
        waiting_.erase(Ranked{c.job, wait_key_[i].level, wait_key_[i].index, 0, 0});
      }
    }
    FLEETSIM_CHECK(waiting_.size() == view.queued_jobs().size(),
                   "gittins: {} jobs tracked as waiting, {} queued", waiting_.size(),
                   view.queued_jobs().size());
  }

  // Every preemptible job started since the last pass gets an entry in the crossings heap (and
  // in lower_ if it resumed below the top queue).
  void track_starts(const SchedulerView& view) {
    for (const JobChange& c : view.changes()) {
      if (c.kind != JobChangeKind::Started) continue;
      const Job& job = view.job(c.job);
      if (job.state != JobState::Running || !job.spec.preemptible) continue;
      if (lower_at_.size() <= c.job.index()) lower_at_.resize(c.job.index() + 1, kNotListed);
      if (const SimTime at = refresh(view, c.job, job.epoch); at != kTimeNever) {
        crossings_.push({at, c.job, job.epoch});
      }
    }
  }

  // Refreshes the entries that may have crossed a threshold by now (keys within
  // crossing_slack_), so that lower_ holds every running preemptible job below the top queue.
  void refresh_due(const SchedulerView& view) {
    reread_.clear();
    while (!crossings_.empty() && crossings_.top().at <= view.now() + crossing_slack_) {
      const Crossing c = crossings_.top();
      crossings_.pop();
      if (!live(view, c.id, c.epoch)) continue;
      if (const SimTime at = refresh(view, c.id, c.epoch); at != kTimeNever) {
        reread_.push_back({at, c.id, c.epoch});
      }
    }
    for (const Crossing& c : reread_) crossings_.push(c);
  }

  // The earliest crossing_at() over running jobs not preempted in this pass, the same value a
  // scan of every running job gives. A job's crossing time does not depend on when it is
  // computed, up to the float rounding of service (the ceil may move by 1 us either way), so an
  // entry's key is within crossing_slack_ of what crossing_at() gives now for the same
  // threshold, and later for a later one. So the heap is read in key order, each entry
  // refreshed now, until the next key is too far beyond the best found to beat it. An entry
  // whose job stopped or restarted since it was made (another epoch) is dropped; one past its
  // last threshold too.
  SimTime next_running_crossing(const SchedulerView& view, const std::vector<JobId>& preempted) {
    SimTime best = kTimeNever;
    reread_.clear();
    while (!crossings_.empty()) {
      const Crossing c = crossings_.top();
      if (best != kTimeNever && c.at > best + crossing_slack_) break;
      crossings_.pop();
      if (!live(view, c.id, c.epoch)) continue;
      const SimTime at = refresh(view, c.id, c.epoch);
      if (at == kTimeNever) continue;
      reread_.push_back({at, c.id, c.epoch});
      if (std::find(preempted.begin(), preempted.end(), c.id) == preempted.end()) {
        best = std::min(best, at);
      }
    }
    for (const Crossing& c : reread_) crossings_.push(c);
    return best;
  }

  // Preemptible running jobs in queues below `level`, found in lower_ (refreshed this pass):
  // O(lower_), unsorted, without reading a job record. In a busy fleet most waiting jobs that
  // do not fit have run before (they were preempted) and sit in the lowest queue, and ranking
  // every running job for them was most of gittins' time.
  VictimPool victim_pool(const SchedulerView& view, std::uint32_t level) const {
    FLEETSIM_CHECK(lower_.size() == lower_gpus_->size(),
                   "gittins: {} jobs listed below the top queue, {} counted", lower_.size(),
                   lower_gpus_->size());
    VictimPool pool;
    pool.per_level.assign(thresholds_.size() + 1, 0);
    if (level >= thresholds_.size()) return pool;
    for (const LowerEntry& e : lower_) {
      const double s = service(view, e);
      if (const std::uint32_t l = level_of(s); l > level) {
        pool.jobs.push_back({e.id, l, 0.0, s, e.segment_start});
        ++pool.per_level[l];
      }
    }
    return pool;
  }

  // Puts the pool's first `n` jobs in order (the rest after them, in no order): O(pool) for
  // the index and the selection, O(n log n) for the sort. The order is total (ids differ), so
  // the first n are the same however the pool was listed.
  void rank_victims(VictimPool& pool, std::size_t n) const {
    if (!pool.indexed) {
      for (Ranked& r : pool.jobs) r.index = index_(r.service);
      pool.indexed = true;
    }
    n = std::min(n, pool.jobs.size());
    if (n <= pool.ranked) return;
    const auto before = [](const Ranked& a, const Ranked& b) {
      return std::tuple(-static_cast<int>(a.level), a.index, -a.since, b.id) <
             std::tuple(-static_cast<int>(b.level), b.index, -b.since, a.id);
    };
    const auto first = pool.jobs.begin() + static_cast<std::ptrdiff_t>(pool.ranked);
    const auto nth = pool.jobs.begin() + static_cast<std::ptrdiff_t>(n);
    std::nth_element(first, nth - 1, pool.jobs.end(), before);
    std::sort(first, nth - 1, before);
    pool.ranked = n;
  }

  struct Crossing {
    SimTime at;  // crossing_at() when the entry was made
    JobId id;
    std::uint32_t epoch;  // the job's run epoch then
    friend bool operator>(const Crossing& a, const Crossing& b) {
      return std::tie(a.at, a.id) > std::tie(b.at, b.id);
    }
  };

  bool by_gpu_time_;
  bool backfill_;
  std::vector<double> thresholds_;  // ascending, service units
  // How far an entry's key may be from crossing_at() for the same threshold: the ceil's 1 us
  // either way, twice, with room to spare, plus what the rounding of service can add before the
  // ceil (under 1e-9 us per service unit of the largest threshold; 1e-8 allowed).
  Duration crossing_slack_;
  detail::GittinsIndex index_;
  detail::DrainingJobs draining_;
  std::set<Ranked, PassOrder> waiting_;  // the queue, in pass order
  std::vector<WaitKey> wait_key_;        // [job], while it waits
  // The next threshold crossing of each running preemptible job, as last computed; entries of
  // jobs that stopped since are stale (live() is false) and dropped when met.
  std::priority_queue<Crossing, std::vector<Crossing>, std::greater<>> crossings_;
  std::vector<bool> finished_;  // [job]: its crossings entries are stale without a look
  std::vector<Crossing> reread_;  // a buffer for re-keyed entries, a member to reuse it
  // Running preemptible jobs found below the top queue, dropped when they stop
  // (forget_stopped); lower_at_[job] = its place in lower_ while it is listed.
  static constexpr std::uint32_t kNotListed = ~std::uint32_t{0};
  std::vector<LowerEntry> lower_;
  std::vector<std::uint32_t> lower_at_;
  // The GPUs and power of lower_'s running jobs, each counted while it runs the segment it was
  // listed in: every victim any waiting job could have (set up at the first pass).
  std::optional<ReleasableGpus> lower_gpus_;
  SimTime next_wake_ = -1;
};

const PolicyRegistration kRegistration{{
    .name = "gittins",
    .summary = "Tiresias 2D-Gittins index: priority queues by attained (GPU-)time, Gittins index "
               "within a queue, preempts lower queues.",
    .params = {Param::reals(
                   "thresholds", {3250.0},
                   "attained-service boundaries between queues (GPU-seconds, or seconds with "
                   "service=run_time); K queues = thresholds+1"),
               Param::choice("service", "gpu_time", {"gpu_time", "run_time"},
                             "attained service: wall time holding GPUs x gang size, or wall time"),
               Param::real("delta", 3250.0, "Gittins service quantum, in service units"),
               Param::choice("distribution", "lognormal", {"lognormal", "exponential", "samples"},
                             "job-size distribution the index is computed from (service units)"),
               Param::real("median", 1144.0, "lognormal: median job size"),
               Param::real("sigma", 2.0, "lognormal: standard deviation of ln(size)"),
               Param::real("mean", 3600.0, "exponential: mean job size"),
               Param::reals("samples", {}, "samples: observed job sizes (e.g. from a past trace)"),
               Param::flag(
                   "backfill", true,
                   "jobs behind one that cannot start may start (false: the pass stops there)")},
    .make = [](const PolicyParams& p) { return std::make_unique<Gittins>(p); },
    .validate = validate_params,
}};

}  // namespace
}  // namespace fleetsim
