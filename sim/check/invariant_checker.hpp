// `fleetsim run --check`: a RunObserver that rebuilds the run from the engine's hooks and the
// fleet's fixed calendar, and records every place where the two disagree. What it checks: no GPU
// held by two jobs or taken while its rack is offline; a start's GPUs are the gang size, of one
// allowed type, within residency, at one site (or, with cross-site gangs, sites within the RTT
// limit); rate = type speed x span slowdowns (/ the cross-site RTT factor); progress starts after
// staging and the resume or restart overhead; remaining work carries over preemptions and
// interruptions (checkpointed work only); a finish is within 1 us of remaining / rate; held jobs
// start no earlier than their release; non-preemptible jobs stop only in a cap shed; failures
// take effect unless every rack of the component is offline, no start is on a GPU a failure
// holds down, a job running on one is interrupted at that instant, and every interruption has a
// failure or maintenance behind it; samples count what it counts; and at the end run times,
// GPU-seconds, energy (= the integral of power), down GPU-seconds (= the integral of failed
// GPUs), failure and interruption counts by cause agree with the engine's totals. Sites:
// site_ledger.hpp.
#pragma once

#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/check/site_ledger.hpp"
#include "sim/check/violation_log.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/run_observer.hpp"
#include "sim/inference/service_spec.hpp"

namespace fleetsim {

// What a checked run found, for callers that do not keep the checker.
struct CheckReport {
  std::uint64_t events = 0;  // hooks observed
  std::uint64_t checks = 0;  // conditions evaluated
  std::uint64_t violation_count = 0;
  std::vector<std::string> violations;  // the first few, formatted (format_violation)
};

class InvariantChecker final : public RunObserver {
 public:
  // `jobs` is the engine's job table (Engine::jobs()): each hook's job is one of its elements and
  // its position there is its JobId. `services` are the run's inference services. All must
  // outlive the checker.
  InvariantChecker(const Fleet& fleet, const EngineConfig& config, const std::vector<Job>& jobs,
                   const std::vector<ServiceSpec>& services = {});

  void on_arrival(const Job& job, SimTime now) override;
  void on_start(const Job& job, SimTime now) override;
  void on_preempt(const Job& job, SimTime now) override;
  void on_power_cut(const Job& job, SimTime now) override;
  void on_finish(const Job& job, SimTime now) override;
  void on_interrupt(const Job& job, SimTime now) override;
  void on_stop(const Job& job, SimTime now) override;
  void on_sample(const SampleState& state) override;
  void on_failure(const FailureModel& failures, std::uint32_t process, std::uint32_t component,
                  bool takes_effect, SimTime now) override;
  void on_repair(const FailureModel& failures, std::uint32_t process, std::uint32_t component,
                 SimTime now) override;

  // The end-of-run checks against what Engine::run() returned; call once, while the engine's
  // job table still holds the jobs (before Engine::take_jobs()).
  void finish(const RunTotals& totals);

  const ViolationLog& violations() const { return log_; }
  CheckReport report() const { return {events_, checks_, log_.count(), log_.lines()}; }
  std::uint64_t checks() const { return checks_; }  // conditions evaluated
  std::uint64_t events() const { return events_; }  // hooks observed
  // IT energy of a site by the checker's own integral of its draw (valid after finish()).
  double it_mwh(SiteId site) const { return sites_.it_mwh(site); }
  // GPU-seconds of failed GPUs by the checker's own integral (valid after finish()).
  double down_gpu_seconds() const { return down_gpu_seconds_; }

 private:
  enum class State : std::uint8_t { Held, Queued, Running, Draining, Done, Stopped };
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  // A job as the checker saw it (index = JobId).
  struct Entry {
    Duration remaining = 0;      // reference work left, by the checker's arithmetic
    SimTime release = 0;         // submit + held: queued from then
    SimTime segment_start = 0;   // of the current segment; while draining: when it was stopped
    SimTime progress_start = 0;  // after staging and overheads
    SimTime drain_until = 0;
    SimTime first_start = kTimeNever;
    SimTime end = kTimeNever;
    Duration run_time = 0;  // wall time holding GPUs over closed segments and drains
    double gpu_seconds = 0;  // the same weighted by the GPUs held
    std::uint32_t resizes = 0;
    Duration staging = 0;   // of the current segment, before its progress
    double rate = 1;
    Milliwatts busy_per_gpu = 0;
    std::uint32_t gpus = 0;
    std::uint32_t milli = 1000;  // < 1000: a share of its one GPU
    std::uint32_t preemptions = 0;
    std::uint32_t interruptions = 0;
    std::uint32_t hit_by = kNone;  // the process of a failure that took one of its GPUs at now_
    std::uint32_t slot = kNone;    // into allocations_ while it holds GPUs
    SiteId staged_site;
    State state = State::Queued;
    bool replica = false;
    bool restarting = false;  // its last segment ended in an interruption
    bool powered = false;     // draining and still drawing its busy power
  };

  // Checks one condition; `what` (a string or a callable making one) only on failure.
  template <class What>
  bool expect(bool ok, SimTime now, std::uint32_t id, What&& what);
  // A hook about `job`: time moves to `now`; returns the job's id, or kNone (recorded) if it is
  // not in the table or never arrived.
  std::uint32_t observe(const Job& job, SimTime now);
  // Time moves to `now`: windows step, drains end and held jobs are released first.
  void advance(SimTime now);
  void check_offline_window(const CapacityWindow& window, SimTime since);
  // Each job a failure hit at now_ should have been interrupted then; called before time moves.
  void check_hits();
  // Integrates the down GPUs up to `now`.
  void settle_down(SimTime now);
  // Whether a capacity window takes racks [first, last] offline or brings them back at `now`.
  bool window_steps_at(RackId first, RackId last, SimTime now) const;
  bool on_offline_rack(const Entry& e) const;
  void end_drain(std::uint32_t id);
  void hold(Entry& e, SimTime until);  // adds the GPU time held since segment_start
  // Accounts the running segment up to `now` (run time, staging cut short, restart over).
  void close_segment(Entry& e, SimTime now);
  // Gives back the GPUs (and the busy draw, unless already cut) of a job that holds them.
  void release(std::uint32_t id, SimTime now, bool with_power);
  // Whether a cap shed may stop the job now (at one of its sites: SiteLedger::may_shed).
  bool may_shed(const Entry& e, SimTime now) const;
  Duration done_by(const Entry& e, SimTime now) const;
  Duration computed(const Entry& e, Duration elapsed) const;
  const Allocation& allocation(const Entry& e) const { return allocations_[e.slot]; }
  const std::string& name(std::uint32_t id) const;

  const Fleet* fleet_;
  EngineConfig config_;
  const std::vector<Job>* jobs_;
  std::vector<Duration> replica_start_;  // [service]
  ViolationLog log_;
  SiteLedger sites_;
  std::vector<Entry> entries_;
  std::vector<Allocation> allocations_;  // slots of the jobs holding GPUs
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> owner_;    // [GPU] id of the job holding it, or kNone
  std::deque<std::uint32_t> draining_;  // by drain end: the overhead is the same for every job
  std::priority_queue<std::pair<SimTime, std::uint32_t>,
                      std::vector<std::pair<SimTime, std::uint32_t>>, std::greater<>>
      held_;
  SimTime now_ = 0;
  std::uint64_t running_ = 0, finished_ = 0, stopped_ = 0;
  std::uint64_t allocated_gpus_ = 0;  // running and draining
  std::uint64_t checks_ = 0, events_ = 0;
  // Each start stamps the nodes, racks, clusters and sites it holds with its serial.
  std::uint32_t serial_ = 0;
  std::vector<std::uint32_t> node_seen_, rack_seen_, cluster_seen_, site_seen_;
  std::vector<std::int64_t> site_gpus_;  // [site] GPUs of the start or release at hand, else 0
  std::vector<SiteId> touched_sites_;    // the sites of that start or release
  // Failures as the checker counts them from on_failure and on_repair.
  std::vector<std::uint16_t> down_;  // [GPU] failures holding it down; sized at the first one
  std::uint64_t down_gpus_ = 0;      // GPUs with down_ > 0
  SimTime down_since_ = 0;
  double down_gpu_seconds_ = 0;                     // integral of down_gpus_ up to down_since_
  std::unordered_map<std::uint64_t, bool> failed_;  // process << 32 | component -> took effect
  std::vector<std::uint64_t> failures_by_process_, interruptions_by_process_;
  std::uint64_t failures_while_offline_ = 0, maintenance_interruptions_ = 0;
  std::vector<std::pair<std::uint32_t, std::size_t>> hit_;  // (job, GPU) a failure hit at now_
  // GPU sharing: [GPU] milli-GPUs its shares use (sized at the first share), the jobs holding
  // them, when each shared GPU was opened, and the GPU-seconds of shared GPUs closed since.
  std::vector<std::uint16_t> share_used_;
  std::unordered_map<std::size_t, std::vector<std::uint32_t>> share_holders_;
  std::unordered_map<std::size_t, SimTime> shared_since_;
  double shared_gpu_seconds_ = 0;
  // Adds (+1) or removes (-1) job id's share of a GPU; counts the GPU allocated while shared.
  void change_share(std::uint32_t id, std::size_t gpu, SiteId site, int sign, SimTime now);
  // Running jobs holding the GPU whole or by shares.
  template <typename F>
  void for_each_holder(std::size_t gpu, F&& f) const {
    if (owner_[gpu] != kNone) {
      f(owner_[gpu]);
    } else if (const auto it = share_holders_.find(gpu); it != share_holders_.end()) {
      for (std::uint32_t id : it->second) f(id);
    }
  }
};

}  // namespace fleetsim
