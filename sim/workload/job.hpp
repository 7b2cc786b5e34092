// A training job: what the workload says about it (JobSpec, immutable) and what the engine has
// done with it so far (Job). Policies read both through the SchedulerView; only the engine
// writes Job.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/time.hpp"
#include "sim/fleet/allocation.hpp"

namespace fleetsim {

struct JobSpec {
  // The fields the engine reads when a job finishes come first: with Job's own such fields just
  // before them, a finish touches the record's first few cache lines, not all of them.
  std::uint32_t gpus = 1;  // gang size: all or nothing (the requested size if elastic)
  // Elastic jobs (Pollux, AFS) may run on any count in [min_gpus, max_gpus], resized by
  // checkpoint-restart; on n GPUs they progress at elastic_speed(n) (sim/model/elastic_scaling.hpp,
  // Amdahl's law with serial_fraction). 0 = `gpus`: a rigid gang. Policies that do not resize
  // start every job on `gpus`.
  std::uint32_t min_gpus = 0;
  std::uint32_t max_gpus = 0;  // elastic: see min_gpus
  // Share of its GPU the job asks for, in 1/1000 (openb GPU sharing); below 1000 only for a
  // rigid 1-GPU job, which then holds that share of one GPU that other shares may use too.
  std::uint16_t gpu_milli = 1000;
  bool preemptible = true;
  // Valid: an inference replica of that service, created and stopped by the engine (no natural
  // end: duration 0, never finishes by itself). Invalid for training jobs.
  ServiceId service;
  // Share of (TDP - idle) power each of its GPUs draws while it runs.
  float gpu_utilisation = 1.0F;
  float serial_fraction = 0;  // elastic: see min_gpus

  std::string name;  // the trace's job id, or "job-<n>" for generated jobs
  SimTime submit = 0;
  std::string tenant = "default";
  std::string job_class = "default";     // row of the catalog's relative-speed matrix
  std::vector<GpuTypeId> allowed_types;  // empty = any type
  // Run time on `gpus` GPUs of the catalog's reference type, in one NVLink domain.
  Duration duration = 0;
  // What a user would have told the scheduler (EASY backfill); nullopt = the true duration.
  std::optional<Duration> estimate;
  int priority = 0;
  std::uint32_t source_line = 0;  // line in the trace file, 0 when generated

  // Multi-site. The job's input data lives at data_site (invalid: nothing to move); placed at
  // another site it first stages data_gb over the WAN. allowed_sites is its residency resolved
  // to sites: bit s set = it may run at site s.
  SiteId data_site;
  float data_gb = 0;
  std::uint64_t allowed_sites = kAnySite;
  // How long after submit the job may start without harm (a flexible batch job); 0 = not
  // flexible. A site selection may hold it back that long (SiteSelection::release_time).
  Duration start_slack = 0;

  static constexpr std::uint64_t kAnySite = ~std::uint64_t{0};
  bool may_run_at(SiteId s) const { return (allowed_sites >> s.index() & 1U) != 0; }
  bool allows_type(GpuTypeId type) const {  // any type when none is listed
    return allowed_types.empty() ||
           std::find(allowed_types.begin(), allowed_types.end(), type) != allowed_types.end();
  }
  // Whether placing it away from data_site means moving data (and so needs a WAN path).
  bool stages_data() const { return data_gb > 0 && data_site.valid(); }

  std::uint32_t min_gang() const { return min_gpus == 0 ? gpus : min_gpus; }
  std::uint32_t max_gang() const { return max_gpus == 0 ? gpus : max_gpus; }
  bool elastic() const { return min_gang() != max_gang(); }

  double work_gpu_s() const { return to_seconds(duration) * gpus; }
  Duration runtime_estimate() const { return estimate.value_or(duration); }
  bool is_replica() const { return service.valid(); }
};

enum class JobState : std::uint8_t {
  Queued,    // arrived, waiting for GPUs (also after a preemption)
  Running,   // holds GPUs; makes progress after the resume overhead
  Draining,  // preempted; holds its GPUs for the preemption overhead, then Queued
  Done,
  Held,  // arrived, deferred by its site selection until submit + Job::held; not in the queue
};

// How far a placement spreads: what decides its speed and what researchers report.
struct PlacementSpan {
  std::uint32_t nodes = 0;
  std::uint32_t racks = 0;
  std::uint32_t clusters = 0;
  std::uint32_t sites = 0;
};

struct Job {
  Job() = default;
  // Moves the spec straight into the engine's job table: one write of each byte of the record.
  explicit Job(JobSpec&& arrived) : remaining(arrived.duration), spec(std::move(arrived)) {}

  // What every start and finish reads or writes comes first, then the spec (whose own such
  // fields lead it): in a large run a finish's record is a cache miss per line it touches.
  JobState state = JobState::Queued;
  bool restarting = false;  // interrupted by a failure: its next segment starts with a restart
  // GPUs of the current (or last) allocation: spec.gpus unless an elastic job was resized.
  std::uint32_t gang = 0;
  std::uint32_t epoch = 0;  // bumped at each start; stale finish events carry an old epoch
  GpuTypeId gpu_type;       // of the current (or last) allocation
  // Reference run time still to do. Exact while the run rate is 1.
  Duration remaining = 0;
  // Start of the current segment, and when progress begins in it (after the resume overhead).
  SimTime segment_start = 0;
  SimTime progress_start = 0;
  Duration segment_staging = 0;  // the current segment's staging, before its progress starts
  // Checkpointing (the scenario's): after every `checkpoint_interval` of computing, progress
  // pauses `checkpoint_cost` while the state is saved. 0 = no checkpoints.
  Duration checkpoint_interval = 0;
  Duration checkpoint_cost = 0;
  Duration checkpoint_time = 0;  // spent saving checkpoints, an interrupted save included
  // Wall time spent holding GPUs, over all finished segments (overheads included).
  Duration run_time = 0;
  // The same weighted by the GPUs held: what the job used of the fleet (GPU-seconds).
  double gpu_seconds = 0;
  SimTime end = kTimeNever;
  Allocation allocation;  // current GPUs; empty while queued or done
  JobSpec spec;

  // Held back after its submit before it entered the queue (0: queued on arrival). Queueing
  // delay and JCT still count from the submit.
  Duration held = 0;
  SimTime first_start = kTimeNever;
  double rate = 1.0;  // reference run time done per microsecond of progress
  std::uint32_t preemptions = 0;
  // Preemptions by the policy in a row that came before the segment's progress began (the
  // engine ends a run that piles them up, see kMaxFutilePreemptions in engine.cpp).
  std::uint32_t futile_preemptions = 0;
  // Starts on another GPU count than the segment before (elastic).
  std::uint32_t resizes = 0;
  std::uint32_t interruptions = 0;  // by failures (preemptions are counted apart)
  // Computing thrown away by failures (since the last checkpoint).
  Duration lost_time = 0;
  Duration restart_time = 0;            // spent restarting after failures (GPUs held, no progress)
  Duration recovery_time = 0;           // from each interruption until progress resumed
  SimTime interrupted_at = kTimeNever;  // the latest interruption
  PlacementSpan span;                   // of the current (or last) allocation
  SiteId site;                          // of the current (or last) allocation's first GPU
  SiteId staged_site;         // where its data has been staged to (a later start there is free)
  Duration staging_time = 0;  // holding GPUs while data came over the WAN, all segments
};

// Computing time in the first `elapsed` of a segment's progress: cycles of `interval` computing
// + `cost` saving (interval 0: no checkpoints).
inline Duration compute_within(Duration interval, Duration cost, Duration elapsed) {
  if (elapsed <= 0) return 0;
  if (interval <= 0) return elapsed;
  const Duration cycle = interval + cost;
  return elapsed / cycle * interval + std::min(elapsed % cycle, interval);
}
inline Duration compute_within(const Job& job, Duration elapsed) {
  return compute_within(job.checkpoint_interval, job.checkpoint_cost, elapsed);
}

// Progress time (wall) that `compute` of computing takes: a checkpoint after every full
// interval, except one that would fall exactly at the end.
inline Duration wall_for_compute(const Job& job, Duration compute) {
  if (compute <= 0 || job.checkpoint_interval <= 0) return compute;
  return compute + (compute - 1) / job.checkpoint_interval * job.checkpoint_cost;
}

// Reference run time still to do at `now`: progress runs at `rate` from progress_start (after
// the resume overhead), paused while checkpoints are saved, while the job is Running.
// Truncates, so a job never finishes early.
inline Duration remaining_at(const Job& job, SimTime now) {
  if (job.state != JobState::Running || now <= job.progress_start) return job.remaining;
  const Duration compute = compute_within(job, now - job.progress_start);
  const auto done = static_cast<Duration>(static_cast<double>(compute) * job.rate);
  return done >= job.remaining ? 0 : job.remaining - done;
}

}  // namespace fleetsim
