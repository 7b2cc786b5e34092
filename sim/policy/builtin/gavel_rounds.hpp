// Gavel's round-based realisation of an LP allocation (Narayanan et al., OSDI 2020), shared
// by gavel_max_min and gavel_throughput, which differ only in the LP objective (gavel_lp.hpp).
// At each round boundary (multiples of round_s) the LP is re-solved if jobs arrived or finished
// since the last solve. Each (job, GPU type) pair with x > 0 gets the priority
// x[j][t] / (share of the job's time since submission spent on t), infinite while that share is
// 0 (then larger x first); pairs are granted in priority order while the type has GPUs left (a
// running job only on the type it runs on, non-preemptible jobs keep theirs). Granted waiting
// jobs start on a GPU of that type, preempting running jobs that were not granted if that makes
// them fit (lowest priority first); a running job that has not yet made progress since it
// (re)started, being still in its data staging or resume overhead, is never preempted. Between
// boundaries, and after a round, waiting jobs fill free GPUs of their x > 0 types in priority
// order, never preempting; a job that arrived since the last solve may use any allowed type,
// fastest first. Relative speed per (job class, type) comes from the GPU catalog. Cost per
// boundary: one LP over (queued + running) x types; between boundaries a pass costs
// O(queued x types) plus its placements.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/policy/builtin/gavel_lp.hpp"
#include "sim/policy/builtin/planning_capacity.hpp"
#include "sim/policy/builtin/preempt_to_fit.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/feasibility.hpp"

namespace fleetsim::detail {

class GavelRounds final : public Policy {
 public:
  GavelRounds(const PolicyParams& params, GavelObjective objective)
      : round_(from_seconds(params.get<double>("round_s"))), objective_(objective) {}

  Decisions decide(const SchedulerView& view) override {
    if (capacity_.empty()) init(view);
    account(view);
    draining_.update(view);
    Decisions decisions;
    const bool boundary = view.now() >= next_round_;
    if (boundary) next_round_ = (view.now() / round_ + 1) * round_;
    if (!view.queued_jobs().empty()) {
      if (boundary && lp_dirty_) solve(view);
      FreeCapacity free = view.free_capacity();
      PlanningCapacity plan(free, view.preempt_overhead() > 0, draining_.gpus());
      if (boundary) round(view, plan, decisions);
      fill(view, plan, decisions);
    }
    remember_running(view, decisions);
    ++pass_;
    // Every boundary re-realises the allocation while anyone waits (even with nothing running:
    // a job the stale LP gave no time gets some once the LP is re-solved). A job preempted now
    // waits too: without the wake it would get its time back only at the next arrival or finish.
    const bool someone_waits =
        view.queued_jobs().size() + decisions.preempts().size() > decisions.starts().size();
    if (someone_waits && wake_ != next_round_) {
      decisions.wake_at(next_round_);
      wake_ = next_round_;
    }
    return decisions;
  }

 private:
  struct PerJob {
    std::vector<double> x;           // LP time fraction per type; empty = not in the last LP
    std::vector<Duration> received;  // time run on each type, before `since` while running
    // Running since the pass at `since`, on `type`; that time is not in `received` yet
    // (adding it to every running job at every pass cost O(running) per pass).
    bool running = false;
    std::uint32_t type = 0;
    SimTime since = 0;
    std::uint64_t started_in_pass = ~std::uint64_t{0};  // the pass that decided its start
    std::uint64_t granted_in_pass = ~std::uint64_t{0};  // the round that granted it GPUs
    Duration received_on(std::uint32_t t, SimTime now) const {
      return received[t] + (running && type == t ? now - since : 0);
    }
  };
  struct Pair {
    bool unserved;  // received nothing on the type yet: infinite priority
    double key;     // x (unserved) or x / share
    JobId job;
    std::uint32_t type;
  };

  void init(const SchedulerView& view) {
    const std::vector<std::uint64_t>& by_type = view.fleet().topology.gpus_by_type();
    capacity_.assign(by_type.begin(), by_type.end());
    capacity_.resize(view.fleet().catalog.size(), 0.0);
    feasibility_.emplace(view.fleet());
  }

  PerJob& data(JobId id) {
    if (jobs_.size() <= id.index()) jobs_.resize(id.index() + 1);
    PerJob& d = jobs_[id.index()];
    if (d.received.empty()) d.received.assign(capacity_.size(), 0);
    return d;
  }

  // The job's rate per type (0 where it may not or cannot run: type not allowed, or its gang
  // larger than the type's GPUs at any one site).
  std::vector<double> speeds(const SchedulerView& view, JobId id) const {
    const JobSpec& spec = view.job(id).spec;
    std::vector<double> out(capacity_.size(), 0.0);
    for (std::uint32_t t = 0; t < out.size(); ++t) {
      const GpuTypeId type{t};
      if (!spec.allows_type(type) || feasibility_->largest_gang(only(spec, type)) < spec.gpus) {
        continue;
      }
      out[t] = view.fleet().catalog.speed(type, spec.job_class);
    }
    return out;
  }

  // A spec that placement reads as "this gang, on this type only".
  static JobSpec only(const JobSpec& spec, GpuTypeId type) {
    JobSpec s;
    s.gpus = spec.gpus;
    s.allowed_types = {type};
    s.allowed_sites = spec.allowed_sites;  // residency, data and power still apply
    s.data_site = spec.data_site;
    s.data_gb = spec.data_gb;
    s.gpu_utilisation = spec.gpu_utilisation;
    return s;
  }

  // Time each job held GPUs of a type: from the pass that started it to the pass that saw it
  // stop (a finish or a preemption the policy did not decide, from the changes) or decided its
  // preemption. The running set only changes at passes, so this is exact.
  void account(const SchedulerView& view) {
    for (const JobChange& c : view.changes()) {
      if (c.kind == JobChangeKind::Arrived) data(c.job);  // every job a pass sees has its entry
      if (c.kind == JobChangeKind::Arrived || c.kind == JobChangeKind::Finished ||
          c.kind == JobChangeKind::Withdrawn) {
        lp_dirty_ = true;
      }
      if (c.kind == JobChangeKind::Finished || c.kind == JobChangeKind::Preempted) {
        stop_running(data(c.job), view.now());
      }
    }
  }

  void remember_running(const SchedulerView& view, const Decisions& decisions) {
    for (JobId id : decisions.preempts()) stop_running(data(id), view.now());
    for (const StartDecision& s : decisions.starts()) {
      PerJob& d = data(s.job);
      d.running = true;
      d.type = view.fleet().topology.node(s.gpus.slices.front().node).type.value;
      d.since = view.now();
    }
  }

  static void stop_running(PerJob& d, SimTime now) {
    if (!d.running) return;  // its stop was seen already (a preemption this policy decided)
    d.received[d.type] += now - d.since;
    d.running = false;
  }

  void solve(const SchedulerView& view) {
    std::vector<JobId> ids(view.queued_jobs().begin(), view.queued_jobs().end());
    ids.insert(ids.end(), view.running_jobs().begin(), view.running_jobs().end());
    ids.insert(ids.end(), draining_.jobs().begin(), draining_.jobs().end());
    std::sort(ids.begin(), ids.end());
    // One LP row per distinct (gang size, speeds): see GavelJob::count.
    std::map<std::pair<std::uint32_t, std::vector<double>>, std::size_t> row_of;
    std::vector<GavelJob> lp;
    std::vector<std::size_t> rows;
    for (JobId id : ids) {
      auto key = std::pair(view.job(id).spec.gpus, speeds(view, id));
      auto [it, fresh] = row_of.try_emplace(key, lp.size());
      if (fresh) lp.push_back({key.first, std::move(key.second), 0});
      ++lp[it->second].count;
      rows.push_back(it->second);
    }
    const std::vector<std::vector<double>> x = solve_gavel_lp(lp, capacity_, objective_);
    for (JobId id : solved_) data(id).x.clear();
    for (std::size_t i = 0; i < ids.size(); ++i) data(ids[i]).x = x[rows[i]];
    solved_ = std::move(ids);
    lp_dirty_ = false;
  }

  Pair pair(const SchedulerView& view, JobId id, std::uint32_t t) {
    const PerJob& d = data(id);
    const Duration lifetime = view.now() - view.job(id).spec.submit;
    const Duration received = d.received_on(t, view.now());
    const double share =
        lifetime > 0 ? static_cast<double>(received) / static_cast<double>(lifetime) : 0.0;
    if (share <= 0) return {true, d.x[t], id, t};
    return {false, d.x[t] / share, id, t};
  }

  static bool before(const Pair& a, const Pair& b) {
    return std::tuple(!a.unserved, -a.key, a.job, a.type) <
           std::tuple(!b.unserved, -b.key, b.job, b.type);
  }

  void round(const SchedulerView& view, PlanningCapacity& plan, Decisions& decisions) {
    std::vector<double> left = capacity_;
    std::vector<Pair> pairs;
    std::vector<JobId> victims;  // preemptible running jobs not granted, first to go first
    for (JobId id : view.running_jobs()) {
      const Job& job = view.job(id);
      // A job still in its staging or resume overhead keeps its GPUs until it has made some
      // progress: with an overhead longer than a round, rotating it out at every boundary
      // would restart the overhead for ever (a livelock the engine reports as a PolicyError).
      const bool no_progress_yet = view.now() <= job.progress_start;
      if (!job.spec.preemptible || data(id).x.empty() || no_progress_yet) {
        left[job.gpu_type.index()] -= job.spec.gpus;  // keeps its GPUs this round
      } else if (data(id).x[job.gpu_type.index()] > 0) {
        pairs.push_back(pair(view, id, job.gpu_type.value));
      } else {
        victims.push_back(id);  // the LP gives it no time on the type it runs on
      }
    }
    std::sort(victims.begin(), victims.end());
    for (JobId id : view.queued_jobs()) {
      if (data(id).x.empty()) continue;
      for (std::uint32_t t = 0; t < capacity_.size(); ++t) {
        if (data(id).x[t] > 0) pairs.push_back(pair(view, id, t));
      }
    }
    std::sort(pairs.begin(), pairs.end(), before);
    std::vector<Pair> starts;
    const auto granted = [&](JobId id) { return data(id).granted_in_pass == pass_; };
    for (const Pair& p : pairs) {
      const std::uint32_t gpus = view.job(p.job).spec.gpus;
      if (granted(p.job) || left[p.type] < gpus) continue;
      data(p.job).granted_in_pass = pass_;
      left[p.type] -= gpus;
      if (view.job(p.job).state == JobState::Queued) starts.push_back(p);
    }
    // Then the running pairs not granted, lowest priority first.
    for (auto it = pairs.rbegin(); it != pairs.rend(); ++it) {
      if (view.job(it->job).state == JobState::Running && !granted(it->job)) {
        victims.push_back(it->job);
      }
    }
    for (const Pair& p : starts) {
      const JobSpec spec = only(view.job(p.job).spec, GpuTypeId{p.type});
      if (std::optional<Allocation> gpus = plan.take(spec)) {
        decisions.start(p.job, std::move(*gpus));
        continue;
      }
      if (plan.wait_for_drain(spec) || victims.empty()) continue;
      PreemptOutcome out = preempt_to_fit(view, plan, spec, victims, decisions);
      std::erase_if(victims, [&](JobId v) {
        return std::find(out.victims.begin(), out.victims.end(), v) != out.victims.end();
      });
      if (out.gpus) decisions.start(p.job, std::move(*out.gpus));
    }
  }

  void fill(const SchedulerView& view, PlanningCapacity& plan, Decisions& decisions) {
    if (plan.unpromised() == 0) return;
    const auto started = [&](JobId id) { return data(id).started_in_pass == pass_; };
    for (const StartDecision& s : decisions.starts()) data(s.job).started_in_pass = pass_;
    std::vector<Pair> pairs;
    for (JobId id : view.queued_jobs()) {
      if (started(id)) continue;
      const PerJob& d = data(id);
      if (d.x.empty()) {
        // Not in the last LP: any allowed type, fastest first, after every LP pair.
        const std::vector<double> s = speeds(view, id);
        for (std::uint32_t t = 0; t < s.size(); ++t) {
          if (s[t] > 0) pairs.push_back({false, -1.0 / s[t], id, t});
        }
        continue;
      }
      for (std::uint32_t t = 0; t < capacity_.size(); ++t) {
        if (d.x[t] > 0) pairs.push_back(pair(view, id, t));
      }
    }
    std::sort(pairs.begin(), pairs.end(), before);
    for (const Pair& p : pairs) {
      if (plan.unpromised() == 0) return;
      if (started(p.job)) continue;
      if (std::optional<Allocation> gpus =
              plan.take(only(view.job(p.job).spec, GpuTypeId{p.type}))) {
        decisions.start(p.job, std::move(*gpus));
        data(p.job).started_in_pass = pass_;
      }
    }
  }

  Duration round_;
  GavelObjective objective_;
  std::vector<double> capacity_;  // GPUs per type
  std::optional<Feasibility> feasibility_;
  std::vector<PerJob> jobs_;
  std::vector<JobId> solved_;
  std::uint64_t pass_ = 0;  // passes so far: stamps PerJob's started_in_pass, granted_in_pass
  SimTime next_round_ = 0;
  SimTime wake_ = -1;
  bool lp_dirty_ = true;
  DrainingJobs draining_;
};

inline std::string validate_gavel_params(const PolicyParams& params) {
  const double round = params.get<double>("round_s");
  if (!std::isfinite(round) || round < 1e-3) {
    return fmt::format("round_s: expected a number >= 0.001, got {}", round);
  }
  return "";
}

}  // namespace fleetsim::detail
