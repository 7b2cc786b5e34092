// The event loop: pulls jobs from the workload source one arrival at a time, runs the policy once
// per instant at which something changed, validates and applies its decisions, and advances
// jobs to completion. Owns all mutable run state; observers and policies only read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/core/calendar.hpp"
#include "sim/core/run_observer.hpp"
#include "sim/core/scheduler_state.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/policy/policy.hpp"
#include "sim/workload/feasibility.hpp"
#include "sim/workload/workload_source.hpp"

namespace fleetsim {

// Inference services (sim/inference/services.hpp), driven from engine_services.cpp.
class InferenceServices;
enum class ServiceUpdateKind : std::uint32_t;
enum class ReplicaEvent : std::uint8_t;

struct EngineConfig {
  std::string policy_name;  // for error messages
  Duration preempt_overhead = 0;  // a preempted job holds its GPUs this long before they free
  Duration resume_overhead = 0;   // a restarted job holds GPUs this long before it progresses
  Duration sample_interval = 600 * kMicrosPerSecond;
  SimTime horizon = kTimeNever;  // stop here; later arrivals are counted, not simulated
  CheckpointConfig checkpoint;   // applied to every training job
  // false: a finished training job's record is dropped once the policy has been told of its
  // finish (observers see it in on_finish), so memory follows the jobs in the system. jobs()
  // and take_jobs() then fail; results come from observers. See JobTable.
  bool keep_finished_jobs = true;
};

// Failures as the engine counted them.
struct FailureTotals {
  std::vector<std::string> process_names;
  std::vector<std::uint64_t> failures_by_process;  // failures that took effect
  std::vector<std::uint64_t> interruptions_by_process;  // running jobs they interrupted
  std::uint64_t job_interruptions = 0;
  double down_gpu_seconds = 0;  // integral of failed GPUs over time
  // Failures drawn while every rack of the component was offline (not built yet, or in
  // maintenance): hardware that is not there or not powered cannot fail, so they take no effect
  // and are not in failures_by_process.
  std::uint64_t failures_while_offline = 0;
};

// Elastic jobs' overheads, each weighted by the GPUs the job held when it happened: their gangs
// change, so the summary cannot weight a job's overhead times by one GPU count as it does for
// rigid gangs.
struct ElasticTotals {
  std::uint64_t resizes = 0;  // starts on another GPU count than the job's previous segment
  double lost_gpu_seconds = 0;
  double checkpoint_gpu_seconds = 0;
  double restart_gpu_seconds = 0;
  double staging_gpu_seconds = 0;
};

// One site over the run.
struct SiteRunTotals {
  SiteEnergyTotals energy;
  double allocated_gpu_seconds = 0;
  double online_gpu_seconds = 0;  // built and not in maintenance
  std::uint64_t cap_sheds = 0;    // running jobs stopped because the site's cap dropped
};

// A count that changes in steps, and its integral over time.
struct StepIntegral {
  std::uint64_t value = 0;
  SimTime since = 0;
  double area = 0;  // value x seconds
  void set(std::uint64_t v, SimTime now) {
    area += static_cast<double>(value) * to_seconds(now - since);
    value = v;
    since = now;
  }
};

// What the engine measured itself; per-job figures are in jobs().
struct RunTotals {
  SimTime end_time = 0;                // time of the last processed event
  double allocated_gpu_seconds = 0;    // integral of allocated GPUs over time
  std::uint64_t total_gpus = 0;
  std::uint64_t events = 0;            // popped from the calendar, stale ones included
  std::uint64_t scheduling_passes = 0;
  std::uint64_t arrivals_after_horizon = 0;
  // The same integral up to the last arrival: utilisation while jobs still arrive, which a
  // heavy-tailed workload's long drain does not dilute.
  SimTime last_arrival = 0;
  double allocated_gpu_seconds_at_last_arrival = 0;
  FailureTotals failures;
  std::uint64_t maintenance_interruptions = 0;  // running jobs whose racks went offline
  std::uint64_t cap_sheds = 0;  // running jobs stopped because their site's cap dropped
  ElasticTotals elastic;
  std::vector<SiteRunTotals> sites;             // [site]
  // Inference replicas' share of allocated_gpu_seconds (and of the figure at the last arrival):
  // what training used is the difference.
  double replica_gpu_seconds = 0;
  double replica_gpu_seconds_at_last_arrival = 0;
};

// The sites' energy, carbon and cost added up (peak_it_mw stays 0: site peaks need not coincide).
inline SiteEnergyTotals fleet_energy(const RunTotals& totals) {
  SiteEnergyTotals fleet;
  for (const SiteRunTotals& site : totals.sites) {
    fleet.it_mwh += site.energy.it_mwh;
    fleet.facility_mwh += site.energy.facility_mwh;
    fleet.carbon_t += site.energy.carbon_t;
    fleet.cost_usd += site.energy.cost_usd;
  }
  return fleet;
}

class Engine {
 public:
  // All references must outlive the engine.
  Engine(const Fleet& fleet, WorkloadSource& source, Policy& policy, const Placement& placement,
         EngineConfig config);

  void add_observer(RunObserver& observer) { observers_.push_back(&observer); }
  // Components fail and are repaired as `model` draws; it must outlive the engine.
  void set_failure_model(FailureModel& model) { failures_ = &model; }
  // Which sites a job tries, best first (nullptr, the default: the placement chooses); it must
  // outlive the engine.
  void set_site_selection(const SiteSelection* selection) { state_.site_selection = selection; }

  // Inference services whose replicas the engine creates and stops (engine_services.cpp); it
  // must outlive the engine and holds the serving metrics after run().
  void set_services(InferenceServices& services) { services_ = &services; }
  // Runs to the end (empty calendar or horizon). Throws ConfigError for an impossible job and
  // PolicyError for an invalid decision.
  RunTotals run();
  // Every job by id; only when the engine keeps finished jobs (EngineConfig).
  const std::vector<Job>& jobs() const { return state_.jobs.all(); }
  // The jobs not retired yet (all of them when finished jobs are kept).
  const JobTable& job_table() const { return state_.jobs; }
  // The free GPUs and GPU shares, for observers that measure the fleet's state (fragmentation).
  const CapacityIndex& capacity() const { return state_.capacity; }
  // Moves the job table out after run(); the engine is not usable afterwards.
  std::vector<Job> take_jobs() { return state_.jobs.take_all(); }

 private:
  void advance_to(SimTime t);
  void handle(const Event& event);
  void admit_next_arrival(SimTime previous);  // reads the source's next job
  void on_arrival();
  // A flexible job its site selection defers (engine_holds.cpp): Held now, queued at release.
  bool hold(JobId id);
  void on_release(JobId id);
  void on_finish(JobId id, std::uint32_t epoch);
  void on_gpus_released(JobId id);
  void on_sample();
  void request_pass();
  void run_pass();
  void apply_preempt(JobId id);  // a policy's decision: checked, then preempt()
  // Stops a running job, which keeps its progress: requeued at once, or draining for the
  // preemption overhead (holding its GPUs, and drawing power unless cut_draining_power()).
  void preempt(JobId id);
  // Cap schedules (power_cap_mw as a profile): the ledger follows the cap; a rise asks for a
  // pass, a drop below the draw sheds work (shed_to_cap).
  void on_cap_change(SiteId site);
  // Brings the site's draw within its cap: draining jobs there stop drawing first (they were
  // stopping anyway), then running jobs are shed (preempted) in the site selection's victim
  // order. Each shed job's power is released at once, even while it drains.
  void shed_to_cap(SiteId site);
  bool holds_gpus_at(const Job& job, SiteId site) const;
  void cut_draining_power(Job& job);  // its busy draw ends now; its GPUs stay held
  void add_draining(JobId id);     // O(1)
  bool remove_draining(JobId id);  // O(1); returns whether the job still drew power
  // The GPUs the policy's scratch left taken (KeptTakes), kept if they are exactly the pass's
  // starts (same slices in the same order, whole GPUs, no preemption), else undone. Returns the
  // GPUs kept: the starts' GPUs are then already taken on the index.
  std::uint64_t keep_policy_takes(const Decisions& decisions);
  // `taken`: the start's GPUs are already taken on the index (keep_policy_takes).
  void validate_start(const StartDecision& start, bool taken);
  void apply_start(const StartDecision& start, bool taken);
  void free_gpus(Job& job, bool with_power = true);  // with_power false: cut already
  void close_segment(Job& job);  // accounts a Running job's segment up to now
  // Adds wall time the job held its GPUs (run time) and the GPU-seconds that make.
  static void add_held_time(Job& job, Duration wall);
  // A fractional job's share of its GPU: taken on the index (a free GPU first), listed, counted
  // as an allocated GPU when it opens the GPU; and the inverse. See CapacityIndex::add_share.
  void take_share(JobId id, const Job& job, NodeId node, std::uint64_t gpu);
  void free_share(JobId id, const Job& job, NodeId node, std::uint64_t gpu);
  // Running jobs holding the GPU whole or by shares, appended to `hit`.
  void add_holders(std::uint32_t gpu, std::vector<JobId>& hit) const;
  // Keeps the index's unshareable mask of a node (its failed GPUs; all in an offline rack).
  void sync_unshareable(NodeId node);
  // Why a GPU of the node that a start wants is not available to it, for the PolicyError: "already
  // held by job A (id 0)", "down (failed)", "in rack 2, which is offline", or "shared by job B
  // (id 1), job C (id 4) (700 of 1000 milli-GPUs used)". Error path only.
  std::string why_taken(std::uint32_t gpu, NodeId node) const;
  // Adds an overhead of an elastic job to one of RunTotals::elastic's GPU-second sums.
  static void add_elastic(const Job& job, double& gpu_seconds, Duration wall);
  void on_component_failure(std::uint32_t process, std::uint32_t component);
  void on_component_repair(std::uint32_t process, std::uint32_t component);
  void interrupt(JobId id);
  void schedule_failure(const FailureDraw& draw);
  void on_capacity_offline(std::uint32_t window);
  void on_capacity_online(std::uint32_t window);
  void take_rack_offline(RackId rack);
  void bring_rack_online(RackId rack);
  bool rack_online(RackId rack) const {
    return rack_offline_count_.empty() || rack_offline_count_[rack.index()] == 0;
  }
  // Whether every rack the failure component's GPUs are in is offline.
  bool component_offline(const ComponentGpus& gpus) const;
  // Changes a site's allocated-GPU count (and its integral).
  void add_site_allocated(SiteId site, std::int64_t delta);
  // Residency, the WAN path for staging, cross-site rules and power caps of a start on `gpus`
  // of `type`; scratch_sites_ holds the site of each slice.
  void validate_sites(const Job& job, JobId id, GpuTypeId type, const Allocation& gpus);
  bool has_work_left() const;
  // Jobs are left queued, but nothing runs, drains, is held, arrives or serves, no start came in
  // two days (two turns of every daily cap shape) and no cap series has a step left: daily cap
  // steps would only spin, so the run ends instead (as it would without cap schedules).
  bool cap_cycles_stalled() const;
  // Inference services (engine_services.cpp).
  void start_services();
  void finish_services();
  void on_service_update(ServiceId service, ServiceUpdateKind what);
  void evaluate_service(ServiceId service);
  void end_service(ServiceId service);
  void create_replica(ServiceId service);
  void stop_replica(JobId id);
  void start_replica(JobId id);  // from apply_start: no finish event, serving after its start time
  void on_replica_ready(JobId id, std::uint32_t epoch);
  void sync_replica(JobId id, ReplicaEvent what);  // accounts, then reads the job's new state
  bool training_work_left() const { return has_next_arrival_ || active_ > 0; }
  [[noreturn]] void policy_error(const std::string& message) const;
  // "unknown job id N", or that it finished and was dropped (EngineConfig::keep_finished_jobs).
  std::string unknown_or_dropped(JobId id) const;

  const Fleet* fleet_;
  WorkloadSource* source_;
  Policy* policy_;
  EngineConfig config_;
  Feasibility feasibility_;
  SchedulerState state_;
  Calendar calendar_;
  std::vector<RunObserver*> observers_;
  std::vector<JobId> gpu_owner_;  // [global GPU index] -> job holding it whole
  // [global GPU index] -> fractional jobs holding shares of it (gpu_owner_ stays invalid).
  std::unordered_map<std::uint32_t, std::vector<JobId>> share_holders_;
  FailureModel* failures_ = nullptr;
  // Failed GPUs, sized only when failures are on. A GPU can be down for several overlapping
  // reasons (its node and its rack): it is usable again when its count returns to 0.
  std::vector<std::uint8_t> gpu_down_count_;
  std::vector<std::uint64_t> node_down_mask_;  // [node] bit i = its i-th GPU is down
  std::uint64_t down_gpus_ = 0;
  // Racks out of service for a capacity window (not built yet, maintenance), sized only when the
  // fleet has windows; a count, as windows may overlap.
  std::vector<std::uint8_t> rack_offline_count_;
  std::vector<StepIntegral> site_allocated_;  // [site]
  std::vector<StepIntegral> site_online_;     // [site]
  std::vector<JobId> scratch_interrupted_;
  // Failures (process << 32 | component) that took no effect because the component was offline:
  // their repair brings nothing back.
  std::unordered_set<std::uint64_t> offline_failures_;
  // Preempted jobs holding GPUs for the preemption overhead (unordered); `powered` until a cap
  // drop cuts their draw. A cap drop scans them; a release finds its entry by position.
  struct DrainingJob {
    JobId id;
    bool powered = true;
  };
  std::vector<DrainingJob> draining_;
  std::vector<std::uint32_t> draining_pos_;  // [job] -> index in draining_ while Draining
  std::vector<JobId> scratch_victims_;
  std::vector<std::uint64_t> site_cap_sheds_;  // [site]
  // The source's next job, read ahead to schedule its arrival (valid while has_next_arrival_);
  // one JobSpec reused for every arrival.
  JobSpec next_arrival_;
  bool has_next_arrival_ = false;
  SimTime last_pass_at_ = -1;
  SimTime last_start_ = 0;
  // When the pending sample is due; -1 when none is: the last instant the clock still moves to
  // once no work is left, so background events up to it still happen.
  SimTime sample_due_ = -1;
  bool changed_since_pass_ = false;
  std::uint64_t allocated_gpus_ = 0;
  std::uint64_t finished_ = 0;
  // Finished since the last pass; retired from the job table once the policy was told.
  std::vector<JobId> finished_since_pass_;
  std::uint64_t active_ = 0;  // arrived and not finished
  std::uint64_t held_jobs_ = 0;  // flexible jobs held, waiting for their release (engine_holds.cpp)
  RunTotals totals_;
  // Reused per start, so starting a job allocates nothing beyond its own allocation copy.
  std::vector<NodeId> scratch_nodes_;
  std::vector<RackId> scratch_racks_;
  std::vector<ClusterId> scratch_clusters_;
  std::vector<SiteId> scratch_sites_;
  InferenceServices* services_ = nullptr;
  std::uint64_t services_open_ = 0;  // not ended yet (pending or live)
  std::uint64_t replica_gpus_ = 0;   // allocated to inference replicas (running or draining)
};

}  // namespace fleetsim
