// The latency model of an inference service: an M/M/c queue (Erlang C). Pure functions of
// (arrival rate, service rate, servers); no state, no I/O.
//
// Why M/M/c: requests of an LLM chat service arrive close to Poisson (the Azure 2023
// conversation trace has an interarrival CV of 1.09, reference-data.yaml
// workload.inference_arrivals.azure_2023_conv), a replica serves `concurrency` requests at once
// (continuous batching), and a load balancer sends each request to any free slot: c = replicas x
// concurrency identical servers, each at mu = replica throughput / concurrency. Exponential
// service times are the model's assumption, not a measurement: LLM request times (prompt and
// output lengths) vary more than that (CV > 1), so the tail is, if anything, optimistic.
//
// Limits: no batching slowdown (a replica's per-request rate does not fall as its batch fills);
// FCFS; a mixed pool of GPU types is treated as identical servers at the mean rate; the model
// is solved at steady state for each interval of constant demand and capacity (no transient
// queue carried from one interval to the next). Overload is explicit: when lambda >= c mu the
// queue has no steady state, the pool serves c mu and the excess counts as dropped (see
// ServingModel in sim/inference/serving.hpp); it never assumes more capacity than there is.
#pragma once

#include <cstdint>
#include <span>

namespace fleetsim {

// Erlang B blocking probability of c servers offered a = lambda / mu erlangs, by the recursion
// B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): every term lies in [0, 1], no factorial or power
// overflows, so it is stable for any c. O(c). Precondition: a >= 0.
double erlang_b(std::uint64_t servers, double offered_erlangs);

// Erlang C: the probability that an arrival waits, C = B / (1 - rho (1 - B)), rho = a / c.
// 1 when a >= c (an unstable queue: everyone waits). 0 servers: 1. O(c).
double erlang_c(std::uint64_t servers, double offered_erlangs);

class MmcQueue {
 public:
  // Rates per second. Preconditions: arrival_rate >= 0, service_rate > 0.
  MmcQueue(double arrival_rate, double service_rate, std::uint64_t servers);

  double arrival_rate() const { return lambda_; }
  double service_rate() const { return mu_; }
  std::uint64_t servers() const { return c_; }
  // lambda < c mu: the queue has a steady state.
  bool stable() const { return stable_; }
  // lambda / (c mu); may exceed 1 when unstable.
  double utilisation() const;
  // Erlang C (1 when unstable).
  double wait_probability() const { return wait_probability_; }
  // Mean wait in the queue, C / (c mu - lambda); infinite when unstable.
  double mean_wait_s() const;
  // Mean response time, wait + 1 / mu; infinite when unstable.
  double mean_response_s() const;
  // P(W > t) = C exp(-(c mu - lambda) t); 1 when unstable.
  double wait_tail(double t_s) const;
  // P(W + S > t) with S ~ Exp(mu) the service time: (1 - C) e^{-mu t} + C P(Exp(theta) +
  // Exp(mu) > t), theta = c mu - lambda (hypoexponential; computed with expm1 so that theta
  // close to mu loses no digits). 1 when unstable.
  double response_tail(double t_s) const;
  // The p-quantile of the response time (p in (0, 1)), by bisection on response_tail to a
  // relative 1e-12; infinite when unstable.
  double response_quantile(double p) const;

 private:
  double lambda_;
  double mu_;
  std::uint64_t c_;
  bool stable_;
  double wait_probability_;
  double theta_;  // c mu - lambda, the waiting time's rate when it waits
};

// A weighted mixture of response-time distributions shifted by a fixed network delay: what a
// stream of requests sees when it is spread over intervals (or sites) with different queues.
// Weight = requests. An entry with no queue (`queue == nullptr`) stands for requests whose
// latency is unbounded (served while the pool was overloaded).
struct LatencyComponent {
  const MmcQueue* queue = nullptr;
  double delay_s = 0;
  double weight = 0;
};
// P(latency > t) of the mixture; 0 when the weights sum to 0.
double mixture_tail(std::span<const LatencyComponent> parts, double t_s);
// Its p-quantile by bisection (relative 1e-12); infinite when more than 1 - p of the weight is
// unbounded; 0 when the weights sum to 0.
double mixture_quantile(std::span<const LatencyComponent> parts, double p);

}  // namespace fleetsim
