#include "sim/model/queueing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fleetsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Smallest t with tail(t) <= target, for a non-increasing tail with tail(lo) > target; by
// bisection to a relative 1e-12 (at most 200 halvings). `hi` is a first guess, doubled until it
// brackets the answer.
template <class Tail>
double invert_tail(const Tail& tail, double target, double lo, double hi) {
  hi = std::max(hi, 1e-12);
  for (int i = 0; i < 2000 && tail(hi) > target; ++i) {
    lo = hi;
    hi *= 2;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (tail(mid) > target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

}  // namespace

double erlang_b(std::uint64_t servers, double offered_erlangs) {
  double b = 1.0;
  for (std::uint64_t k = 1; k <= servers; ++k) {
    b = offered_erlangs * b / (static_cast<double>(k) + offered_erlangs * b);
  }
  return b;
}

double erlang_c(std::uint64_t servers, double offered_erlangs) {
  const double c = static_cast<double>(servers);
  if (servers == 0 || offered_erlangs >= c) return 1.0;
  const double b = erlang_b(servers, offered_erlangs);
  const double rho = offered_erlangs / c;
  return b / (1.0 - rho * (1.0 - b));
}

MmcQueue::MmcQueue(double arrival_rate, double service_rate, std::uint64_t servers)
    : lambda_(arrival_rate), mu_(service_rate), c_(servers) {
  const double capacity = static_cast<double>(c_) * mu_;
  stable_ = c_ > 0 && lambda_ < capacity;
  wait_probability_ = stable_ ? erlang_c(c_, lambda_ / mu_) : 1.0;
  theta_ = stable_ ? capacity - lambda_ : 0.0;
}

double MmcQueue::utilisation() const {
  return c_ == 0 ? kInf : lambda_ / (static_cast<double>(c_) * mu_);
}

double MmcQueue::mean_wait_s() const { return stable_ ? wait_probability_ / theta_ : kInf; }

double MmcQueue::mean_response_s() const { return mean_wait_s() + 1.0 / mu_; }

double MmcQueue::wait_tail(double t_s) const {
  if (!stable_) return 1.0;
  if (t_s < 0) return 1.0;
  return wait_probability_ * std::exp(-theta_ * t_s);
}

double MmcQueue::response_tail(double t_s) const {
  if (!stable_) return 1.0;
  if (t_s <= 0) return 1.0;
  // P(Exp(theta) + Exp(mu) > t) = e^{-mu t} + mu (e^{-a t} - e^{-b t}) / (b - a) with a, b the
  // smaller and larger rate; (e^{-a t} - e^{-b t}) / (b - a) = e^{-a t} (-expm1(-d t)) / d,
  // d = b - a, which tends to t e^{-a t} as d -> 0.
  const double a = std::min(theta_, mu_);
  const double d = std::max(theta_, mu_) - a;
  const double spread = d > 0 ? -std::expm1(-d * t_s) / d : t_s;
  const double service_tail = std::exp(-mu_ * t_s);
  const double hypo = service_tail + mu_ * std::exp(-a * t_s) * spread;
  return std::clamp((1.0 - wait_probability_) * service_tail + wait_probability_ * hypo, 0.0, 1.0);
}

double MmcQueue::response_quantile(double p) const {
  if (!stable_) return kInf;
  return invert_tail([&](double t) { return response_tail(t); }, 1.0 - p, 0.0, 1.0 / mu_);
}

double mixture_tail(std::span<const LatencyComponent> parts, double t_s) {
  double total = 0, above = 0;
  for (const LatencyComponent& part : parts) {
    total += part.weight;
    if (part.queue == nullptr) {
      above += part.weight;
    } else if (part.weight > 0) {
      above += part.weight * part.queue->response_tail(t_s - part.delay_s);
    }
  }
  return total > 0 ? above / total : 0.0;
}

double mixture_quantile(std::span<const LatencyComponent> parts, double p) {
  double total = 0, unbounded = 0, guess = 0;
  for (const LatencyComponent& part : parts) {
    total += part.weight;
    if (part.queue == nullptr) {
      unbounded += part.weight;
    } else if (!part.queue->stable()) {
      unbounded += part.weight;  // treated as the unbounded requests they are
    } else {
      guess = std::max(guess, part.delay_s + 1.0 / part.queue->service_rate());
    }
  }
  if (total <= 0) return 0.0;
  if (unbounded > (1.0 - p) * total) return kInf;
  return invert_tail([&](double t) { return mixture_tail(parts, t); }, 1.0 - p, 0.0, guess);
}

}  // namespace fleetsim
