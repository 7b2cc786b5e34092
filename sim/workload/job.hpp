// A training job: what the workload says about it (JobSpec, immutable) and what the engine has
// done with it so far (Job). Policies read both through the SchedulerView; only the engine
// writes Job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/time.hpp"
#include "sim/fleet/allocation.hpp"

namespace fleetsim {

struct JobSpec {
  std::string name;  // the trace's job id, or "job-<n>" for generated jobs
  SimTime submit = 0;
  std::string tenant = "default";
  std::string job_class = "default";  // row of the catalog's relative-speed matrix
  std::uint32_t gpus = 1;             // gang size: all or nothing
  std::vector<GpuTypeId> allowed_types;  // empty = any type
  // Share of each GPU the job asks for, in 1/1000 (openb GPU sharing). Kept from the trace for
  // policies and reports; the engine still gives every job whole GPUs.
  std::uint16_t gpu_milli = 1000;
  // Run time on `gpus` GPUs of the catalog's reference type, in one NVLink domain.
  Duration duration = 0;
  // What a user would have told the scheduler (EASY backfill); nullopt = the true duration.
  std::optional<Duration> estimate;
  bool preemptible = true;
  int priority = 0;
  std::uint32_t source_line = 0;  // line in the trace file, 0 when generated

  double work_gpu_s() const { return to_seconds(duration) * gpus; }
  Duration runtime_estimate() const { return estimate.value_or(duration); }
};

enum class JobState : std::uint8_t {
  Queued,    // arrived, waiting for GPUs (also after a preemption)
  Running,   // holds GPUs; makes progress after the resume overhead
  Draining,  // preempted; holds its GPUs for the preemption overhead, then Queued
  Done,
};

// How far a placement spreads: what decides its speed and what researchers report.
struct PlacementSpan {
  std::uint32_t nodes = 0;
  std::uint32_t racks = 0;
  std::uint32_t clusters = 0;
  std::uint32_t sites = 0;
};

struct Job {
  JobSpec spec;
  JobState state = JobState::Queued;
  SimTime first_start = kTimeNever;
  SimTime end = kTimeNever;
  // Reference run time still to do. Exact while the run rate is 1.
  Duration remaining = 0;
  // Wall time spent holding GPUs, over all finished segments (overheads included).
  Duration run_time = 0;
  // Start of the current segment, and when progress begins in it (after the resume overhead).
  SimTime segment_start = 0;
  SimTime progress_start = 0;
  double rate = 1.0;  // reference run time done per microsecond of progress
  std::uint32_t preemptions = 0;
  std::uint32_t epoch = 0;  // bumped at each start; stale finish events carry an old epoch
  Allocation allocation;    // current GPUs; empty while queued or done
  PlacementSpan span;       // of the current (or last) allocation
  GpuTypeId gpu_type;       // of the current (or last) allocation
};

// Reference run time still to do at `now`: progress runs at `rate` from progress_start (after
// the resume overhead) while the job is Running. Truncates, so a job never finishes early.
inline Duration remaining_at(const Job& job, SimTime now) {
  if (job.state != JobState::Running || now <= job.progress_start) return job.remaining;
  const auto done = static_cast<Duration>(static_cast<double>(now - job.progress_start) * job.rate);
  return done >= job.remaining ? 0 : job.remaining - done;
}

}  // namespace fleetsim
