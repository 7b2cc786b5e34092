// A service's demand (requests/s) as a piecewise-constant function of simulated time, so that
// the serving metrics integrate it exactly: rate_at(t) holds until next_change(t). Bursts are
// drawn lazily from the service's own RNG stream, so the curve is a pure function of (config,
// seed, service name) whichever policy runs.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "sim/core/rng_streams.hpp"
#include "sim/inference/service_spec.hpp"

namespace fleetsim {

class DemandCurve {
 public:
  // `start`: the service's start (steps and traces count from it).
  DemandCurve(DemandConfig config, SimTime start, const RngStreams& rng, std::string_view name);

  // Requests/s at `t` (>= start). Amortised O(1) for non-decreasing t; O(log bursts) otherwise.
  double rate_at(SimTime t);
  // The first instant after `t` at which the rate may change (kTimeNever: never).
  SimTime next_change(SimTime t);

 private:
  double base_at(SimTime t) const;  // without bursts
  SimTime step_start(SimTime t) const;
  SimTime draw_after(SimTime from);  // the next burst start after `from`
  void draw_bursts_until(SimTime t);
  bool in_burst(SimTime t) const;

  DemandConfig config_;
  SimTime start_;
  std::mt19937_64 burst_rng_;
  std::vector<SimTime> burst_starts_;  // ascending: every burst start drawn so far
  SimTime next_burst_ = kTimeNever;    // the first start after them (kTimeNever: no bursts)
};

}  // namespace fleetsim
