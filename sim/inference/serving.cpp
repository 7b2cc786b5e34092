#include "sim/inference/serving.hpp"

#include <algorithm>

namespace fleetsim {

void ServingAccount::add(SimTime from, SimTime to, double demand_rps, const ServingPool& pool,
                         const ReplicaLevels& levels) {
  while (from < to) {
    const SimTime hour_end = (from / kMicrosPerHour + 1) * kMicrosPerHour;
    const SimTime until = std::min(to, hour_end);
    add_within_hour(from, until, demand_rps, pool, levels);
    from = until;
  }
}

void ServingAccount::add_within_hour(SimTime from, SimTime to, double demand_rps,
                                     const ServingPool& pool, const ReplicaLevels& levels) {
  const SimTime hour = from / kMicrosPerHour * kMicrosPerHour;
  if (hours_.empty() || hours_.back().start != hour) {
    if (!hours_.empty()) close_hour();
    hours_.push_back({});
    hours_.back().start = hour;
  }
  ServiceHour& h = hours_.back();
  const double dt = to_seconds(to - from);
  h.seconds += dt;
  h.target_replica_s += levels.target * dt;
  h.serving_replica_s += pool.replicas * dt;
  h.held_replica_s += levels.held * dt;
  h.gpu_s += static_cast<double>(levels.gpus) * dt;
  const double demand = demand_rps * dt;
  if (demand <= 0) return;
  h.demand += demand;

  // The same demand and pool as the previous piece: the same queue, more requests.
  if (pieces_.empty() || pieces_.back().demand_rps != demand_rps ||
      !(pieces_.back().pool == pool)) {
    const bool bounded = pool.servers > 0 && demand_rps < pool.capacity_rps;
    const double per_server =
        pool.servers > 0 ? pool.capacity_rps / static_cast<double>(pool.servers) : 1.0;
    Piece piece{demand_rps, pool, bounded, MmcQueue(demand_rps, per_server, pool.servers), 0, 0, 0};
    if (bounded) {
      piece.mean_latency_s = piece.queue.mean_response_s();
      for (const auto& [delay, share] : pool.delays) {
        piece.within_share += share * (1.0 - piece.queue.response_tail(slo_s_ - delay));
        piece.mean_latency_s += share * delay;
      }
    }
    pieces_.push_back(std::move(piece));
  }
  Piece& piece = pieces_.back();
  const double served = piece.bounded ? demand : std::min(demand_rps, pool.capacity_rps) * dt;
  piece.served += served;
  h.served += served;
  h.dropped += demand - served;
  if (piece.bounded) {
    h.stable_served += served;
    h.within_slo += served * piece.within_share;
    h.latency_sum_s += served * piece.mean_latency_s;
  }
}

void ServingAccount::close_hour() {
  ServiceHour& h = hours_.back();
  std::vector<LatencyComponent> parts;
  for (const Piece& piece : pieces_) {
    if (piece.served <= 0) continue;
    if (!piece.bounded) {
      parts.push_back({nullptr, 0, piece.served});
      continue;
    }
    for (const auto& [delay, share] : piece.pool.delays) {
      parts.push_back({&piece.queue, delay, piece.served * share});
    }
  }
  h.p50_s = mixture_quantile(parts, 0.50);
  h.p99_s = mixture_quantile(parts, 0.99);
  pieces_.clear();
}

void ServingAccount::close() {
  if (!hours_.empty()) close_hour();
}

}  // namespace fleetsim
