// Serving metrics of one service: the M/M/c model (sim/model/queueing.hpp) applied to each
// interval of constant demand and constant serving pool, summed per clock hour. An overloaded
// or empty pool (demand >= capacity) serves its capacity; the rest is dropped, and what it
// serves counts as outside the SLO (a queue at or past saturation has no bounded wait).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/model/queueing.hpp"

namespace fleetsim {

// The replicas serving during an interval, as the latency model sees them.
struct ServingPool {
  std::uint32_t replicas = 0;
  std::uint64_t servers = 0;  // replicas x concurrency
  double capacity_rps = 0;    // sum of the replicas' throughputs
  // (network delay s, share of capacity), ascending by delay; shares sum to 1.
  std::vector<std::pair<double, double>> delays;
  friend bool operator==(const ServingPool&, const ServingPool&) = default;
};

// Replica counts during an interval (constant between engine events).
struct ReplicaLevels {
  std::uint32_t target = 0;  // what the autoscaler asks for
  std::uint32_t held = 0;    // holding GPUs (starting, serving or draining)
  std::uint64_t gpus = 0;    // GPUs those hold
};

// One clock hour of a service (only the part of it while the service was live). Requests are
// expected counts (rate x time), so they need not be whole numbers.
struct ServiceHour {
  SimTime start = 0;  // the hour's start
  double seconds = 0;
  double demand = 0;
  double served = 0;
  double dropped = 0;
  double within_slo = 0;
  double stable_served = 0;  // served while the pool kept up (finite latency)
  double latency_sum_s = 0;  // of the stably served requests (mean = sum / stable_served)
  double p50_s = 0;          // of every served request; infinite when overloaded requests
  double p99_s = 0;          // are more than half (resp. 1 %) of them
  double target_replica_s = 0;
  double serving_replica_s = 0;
  double held_replica_s = 0;
  double gpu_s = 0;
};

class ServingAccount {
 public:
  explicit ServingAccount(double slo_s) : slo_s_(slo_s) {}

  // Adds [from, to) at `demand_rps` with `pool` serving. Splits at clock hours itself.
  // Precondition: from is the previous call's `to` or later. O(servers) per call (Erlang C)
  // unless demand and pool are the same as the previous call's.
  void add(SimTime from, SimTime to, double demand_rps, const ServingPool& pool,
           const ReplicaLevels& levels);
  // Computes the last hour's percentiles; call once, after the last add().
  void close();
  const std::vector<ServiceHour>& hours() const { return hours_; }

 private:
  struct Piece {
    double demand_rps;
    ServingPool pool;
    bool bounded;
    MmcQueue queue;
    double served;          // requests
    double within_share;    // of them within the SLO (0 unless bounded)
    double mean_latency_s;  // queue + network (bounded only)
  };
  void add_within_hour(SimTime from, SimTime to, double demand_rps, const ServingPool& pool,
                       const ReplicaLevels& levels);
  void close_hour();

  double slo_s_;
  std::vector<ServiceHour> hours_;
  std::vector<Piece> pieces_;  // of the open hour, for its percentiles
};

}  // namespace fleetsim
