// An inference service as the workload describes it: what a replica needs and serves, the
// demand it faces, its latency SLO, how it autoscales and how long it lives. Loaded and checked
// by sim/io/service_config.cpp; the engine runs it through InferenceServices.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/time.hpp"

namespace fleetsim {

// Requests per second over time, piecewise constant (see DemandCurve).
struct DemandConfig {
  enum class Kind { Constant, Steps, Diurnal, Trace };
  Kind kind = Kind::Constant;
  double rps = 0;  // constant
  // steps: (seconds since the service starts, rps from then on); the first at 0, ascending.
  std::vector<std::pair<double, double>> points;
  // diurnal: mean_rps x (1 + amplitude cos(2 pi (local hour - peak_hour) / 24)), x
  // weekend_factor on Saturdays and Sundays; local time = sim time + utc_offset_h, and sim time
  // 0 is a Monday 00:00 UTC. Evaluated at the start of each step.
  double mean_rps = 0;
  double amplitude = 0.45;
  double peak_hour = 20;
  double weekend_factor = 0.75;
  double utc_offset_h = 0;
  Duration step = 60 * kMicrosPerSecond;
  // Random bursts (diurnal and trace): Poisson starts at bursts_per_day, each multiplying the
  // demand by burst_multiplier for burst_duration; own RNG stream "services/<name>/bursts".
  double bursts_per_day = 0;
  double burst_multiplier = 1;
  Duration burst_duration = 0;
  // trace: a request trace binned into `step`-long bins from its first request, replayed from
  // the service's start and looped; rates are multiplied by `scale`.
  std::string trace_format;
  std::string trace_path;  // resolved
  double scale = 1;
  std::vector<double> trace_rps;  // per bin, before `scale`
};

// Kubernetes-HPA-style autoscaling (kubernetes.io/docs/tasks/run-application/
// horizontal-pod-autoscale: stabilisation windows). Every `interval` the autoscaler recommends
// ceil(demand / (replica throughput x target_utilisation)) replicas (within min..max); it scales
// up to the smallest recommendation of the last scale_up_delay and down to the largest of the
// last scale_down_delay (windows closed at both ends), so a change must persist that long.
struct AutoscalerConfig {
  double target_utilisation = 0.7;
  Duration interval = 60 * kMicrosPerSecond;
  Duration scale_up_delay = 0;
  Duration scale_down_delay = 300 * kMicrosPerSecond;
};

struct ServiceSpec {
  std::string name;
  std::string model;  // for reports; no effect on the simulation
  std::uint32_t gpus_per_replica = 1;
  // Requests one replica serves at once (continuous batching): servers per replica in the
  // M/M/c model. The per-request service rate is throughput / concurrency.
  std::uint32_t concurrency = 1;
  // Requests/s a replica serves at full load, per GPU type; only these types run replicas.
  std::map<std::string, double> throughput_rps;
  double slo_ms = 500;
  double slo_goal = 0.99;  // an hour meets the SLO when this share of its requests do
  std::string user_region;
  std::vector<std::string> residency;  // countries or regions replicas may run in
  std::uint64_t allowed_sites = ~std::uint64_t{0};  // the residency resolved: bit s = site s
  // Network round trip from the users to a site, by the site's region; the users' own region
  // is 0 unless listed. Empty: from the fleet's WAN when user_region is a region of the fleet
  // (lowest-RTT path from the nearest site of that region), else no network delay.
  std::map<std::string, double> rtt_ms;
  std::uint32_t min_replicas = 1;
  std::uint32_t max_replicas = 1;
  SimTime start = 0;
  // kTimeNever: until the run's horizon, or else until the training work is done.
  SimTime end = kTimeNever;
  Duration replica_start = 0;  // a started replica holds its GPUs this long before serving
  AutoscalerConfig autoscaler;
  DemandConfig demand;
  bool preemptible = false;  // may policies preempt its replicas?
  int priority = 0;
  std::string tenant = "inference";
  // Where it was declared, for errors found when the fleet is known (an infeasible replica,
  // a region without a round trip): the service, its gpus_per_replica and rtt_ms keys.
  SourcePos origin;
  SourcePos gpus_origin;
  SourcePos rtt_origin;
  std::string field;  // "workload.services[i]"
};

}  // namespace fleetsim
