// The inference services of one run as the engine drives them: per service its demand curve,
// autoscaler, replica table and serving account. The engine (sim/core/engine_services.cpp)
// creates and stops replica jobs, and tells this module about every change of a replica's
// state; this module never touches GPUs or the queue, so every replica decision is still the
// policy's and every allocation is still validated by the engine.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/job_table.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/inference/autoscaler.hpp"
#include "sim/inference/demand_curve.hpp"
#include "sim/inference/service_spec.hpp"
#include "sim/inference/serving.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

// What a ServiceUpdate event does (its epoch).
enum class ServiceUpdateKind : std::uint32_t { Start = 0, Evaluate = 1, End = 2 };

// What just happened to a replica job (for the counters; its new state is read from the job).
enum class ReplicaEvent : std::uint8_t {
  Created,
  Started,
  Ready,
  Preempted,
  Interrupted,
  Released,
  Stopped
};

// Replica counts from one instant on (the timeline a hand-computed test checks).
struct ReplicaCounts {
  SimTime time = 0;
  std::uint32_t target = 0;     // the autoscaler's target
  std::uint32_t requested = 0;  // replica jobs not stopped (queued, starting, serving, draining)
  std::uint32_t held = 0;       // holding GPUs
  std::uint32_t serving = 0;    // past their start time, serving requests
  friend bool operator==(const ReplicaCounts&, const ReplicaCounts&) = default;
};
// "t=1140s target 8 requested 8 held 8 serving 2", for test failures.
std::ostream& operator<<(std::ostream& out, const ReplicaCounts& c);

struct ServiceResult {
  std::string name;
  std::string model;
  double slo_ms = 0;
  double slo_goal = 0;
  std::vector<ServiceHour> hours;
  std::vector<ReplicaCounts> timeline;  // one entry per instant at which a count changed
  std::uint64_t replicas_created = 0;
  std::uint64_t replica_starts = 0;
  std::uint64_t replica_preemptions = 0;
  std::uint64_t replica_interruptions = 0;
};

class ServiceRuntime {
 public:
  // Throws ConfigError when a replica could never be placed on `fleet` or a site's region has
  // no round trip in spec.rtt_ms.
  ServiceRuntime(ServiceSpec spec, ServiceId id, const Fleet& fleet, const RngStreams& rng);

  const ServiceSpec& spec() const { return spec_; }
  bool live() const { return live_; }
  bool ends_with_training() const { return end_ == kTimeNever; }
  SimTime end() const { return end_; }

  // The service starts serving (`end`: its resolved end, kTimeNever = with the training work).
  void begin(SimTime now, SimTime end);
  // Accounts up to now, records a target of 0 and stops accounting.
  void finish(SimTime now);
  // Integrates the serving metrics from the last call up to `now` with the current pool.
  void account_until(SimTime now);
  // The autoscaler's new target from the demand at `now`. Call account_until(now) first.
  std::uint32_t evaluate(SimTime now);
  std::uint32_t target() const { return autoscaler_.target(); }

  // A new replica job's spec (named "<service>/r<n>", n from 1).
  JobSpec make_replica(SimTime now);
  // Keeps the replica table in step with the job after `what` happened to it; a Done job
  // leaves the table. Call account_until(now) first.
  void update(JobId id, const Job& job, ReplicaEvent what, SimTime now);
  // Replicas to stop to come down to the target, the cheapest to lose first: queued, then
  // draining, then starting, then serving; the newest first within each. Replicas already
  // marked to stop on release are not counted again.
  std::vector<JobId> surplus(const JobTable& jobs) const;
  // Replica jobs not stopped and not marked to stop.
  std::uint32_t requested() const;
  // A draining replica to stop once its GPUs are released.
  void stop_on_release(JobId id) { replicas_.at(id).stop_on_release = true; }
  bool stops_on_release(JobId id) const;
  // Every replica job not yet stopped, in id order.
  std::vector<JobId> replica_ids() const;
  // Appends the counts at `now` to the timeline (one entry per instant).
  void record(SimTime now);
  // Closes the account; the runtime is not usable afterwards.
  ServiceResult take_result();

 private:
  struct Replica {
    bool held = false;
    bool serving = false;
    bool stop_on_release = false;
    double rate_rps = 0;
    double delay_s = 0;
  };
  void refresh_pool();
  double replica_rps_estimate() const;
  // The network delay from the users to each site (the rtt_ms table, or else the WAN), and the
  // sites replicas may run at: the residency, less sites the WAN does not join to the users.
  void resolve_round_trips(const Fleet& fleet);

  ServiceSpec spec_;
  ServiceId id_;
  const Fleet* fleet_;
  std::vector<GpuTypeId> allowed_types_;
  std::map<GpuTypeId, double> throughput_;  // by type, of types in the catalog
  std::vector<double> site_delay_s_;        // [site] network delay to the users
  std::uint64_t allowed_sites_ = ~std::uint64_t{0};
  DemandCurve demand_;
  Autoscaler autoscaler_;
  ServingAccount account_;
  std::map<JobId, Replica> replicas_;  // not stopped yet, in id (= creation) order
  ServingPool pool_;
  ReplicaLevels levels_;
  bool live_ = false;
  SimTime end_ = kTimeNever;
  SimTime accounted_until_ = 0;
  std::uint32_t next_number_ = 1;
  ServiceResult result_;
};

// All services of a run, indexed by ServiceId.
class InferenceServices {
 public:
  InferenceServices(std::vector<ServiceSpec> specs, const Fleet& fleet, const RngStreams& rng);
  std::size_t size() const { return services_.size(); }
  ServiceRuntime& at(ServiceId id) { return services_[id.index()]; }
  const ServiceRuntime& at(ServiceId id) const { return services_[id.index()]; }
  // After the run: every service's result, in declaration order.
  std::vector<ServiceResult> take_results();

 private:
  std::vector<ServiceRuntime> services_;
};

}  // namespace fleetsim
