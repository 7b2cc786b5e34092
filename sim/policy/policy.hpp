// The extension point: a Policy reads a const SchedulerView and returns Decisions (which jobs
// start on which GPUs, which running jobs are preempted, when to be asked again). It never
// changes engine state; the engine validates every decision and applies it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/job_queue.hpp"
#include "sim/core/time.hpp"
#include "sim/fleet/allocation.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/policy/free_capacity.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class PowerLedger;
class SchedulerState;

// What happened to a job since the policy's previous decide() call, for policies that keep
// their own incremental state instead of rescanning the queue (see las.cpp).
enum class JobChangeKind : std::uint8_t {
  Arrived,    // entered the queue for the first time
  Started,    // got GPUs (by this policy's previous decisions)
  Preempted,  // stopped running (still draining if preempt_overhead > 0)
  Requeued,   // back in the queue after a preemption
  Finished,   // done; for an inference replica: stopped by its service while holding GPUs
  Withdrawn,  // left the queue without starting (an inference replica its service no longer wants)
};

struct JobChange {
  JobId job;
  JobChangeKind kind;
};

struct StartDecision {
  JobId job;
  Allocation gpus;
};

class Decisions {
 public:
  // Inline for one start: most passes of an event-driven run start at most one job, and the
  // heap allocation per pass was a measurable share of the engine loop.
  using Starts = boost::container::small_vector<StartDecision, 1>;

  // Moved once, into place: every move of an Allocation copies its inline slices.
  void start(JobId job, Allocation&& gpus) { add_start(job) = std::move(gpus); }
  void start(JobId job, const Allocation& gpus) { add_start(job) = gpus; }
  void preempt(JobId job) { preempts_.push_back(job); }
  // Ask for another scheduling pass at `t` (> now) even if nothing else happens then (LAS
  // thresholds, periodic rounds). Each request is kept; requests for one instant merge.
  void wake_at(SimTime t) { wakes_.push_back(t); }

  const Starts& starts() const { return starts_; }
  const std::vector<JobId>& preempts() const { return preempts_; }
  const std::vector<SimTime>& wakes() const { return wakes_; }

 private:
  Allocation& add_start(JobId job) {
    StartDecision& s = starts_.emplace_back();
    s.job = job;
    return s.gpus;
  }

  Starts starts_;
  std::vector<JobId> preempts_;
  std::vector<SimTime> wakes_;
};

// What a policy may see. Cheap to construct; valid only during one decide() call.
class SchedulerView {
 public:
  explicit SchedulerView(SchedulerState& state) : state_(&state) {}

  SimTime now() const;
  const Fleet& fleet() const;
  // Any job not finished; a finished one only in the pass whose changes() report its finish
  // (an engine that drops finished jobs, EngineConfig::keep_finished_jobs, has it no longer).
  const Job& job(JobId id) const;
  // Waiting jobs (arrived, not running, not draining) in (submit time, id) order; a preempted
  // job returns to its submit-order place.
  const JobQueue& queued_jobs() const;
  // Jobs holding GPUs and making (or about to make) progress, in no particular (but
  // deterministic) order. Sort before choosing among them.
  std::span<const JobId> running_jobs() const;
  // Changes since this policy's previous decide() call, in the order they happened.
  std::span<const JobChange> changes() const;

  // Reference run time the job has done so far, as of now (includes the current segment).
  Duration attained_run_time(JobId id) const;
  // Wall time the job has held GPUs so far, as of now (Tiresias' "attained service").
  Duration attained_wall_time(JobId id) const;
  // Reference run time still to do, as of now.
  Duration remaining(JobId id) const;
  // How long a preempted job keeps its GPUs before they come free (0: freed in the same pass).
  Duration preempt_overhead() const;

  // A scratch of the free GPUs, placed with the scenario's site selection and placement
  // strategy within the sites' power caps and each job's residency. Changes to it are undone
  // when it goes out of scope; it must not outlive decide().
  FreeCapacity free_capacity() const;
  // Each site's draw against its IT power cap (headroom), and its energy so far.
  const PowerLedger& power() const;

 private:
  SchedulerState* state_;
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Called once per instant at which something changed (arrival, completion, GPUs released,
  // a wake_at time), after all of that instant's completions and arrivals.
  virtual Decisions decide(const SchedulerView& view) = 0;
};

}  // namespace fleetsim
