#include "sim/inference/services.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "sim/workload/feasibility.hpp"

namespace fleetsim {

ServiceRuntime::ServiceRuntime(ServiceSpec spec, ServiceId id, const Fleet& fleet,
                               const RngStreams& rng)
    : spec_(std::move(spec)),
      id_(id),
      fleet_(&fleet),
      demand_(spec_.demand, spec_.start, rng, spec_.name),
      autoscaler_(spec_.autoscaler, spec_.min_replicas),
      account_(spec_.slo_ms / 1000.0) {
  std::vector<std::string> type_names;
  for (const auto& [type_name, rps] : spec_.throughput_rps) {
    type_names.push_back(type_name);
    const std::optional<GpuTypeId> type = fleet.catalog.find(type_name);
    if (!type) {
      throw ConfigError::at(spec_.origin, spec_.field + ".throughput_rps." + type_name,
                            "unknown GPU type \"{}\"", type_name);
    }
    allowed_types_.push_back(*type);
    throughput_[*type] = rps;
  }
  std::sort(allowed_types_.begin(), allowed_types_.end());
  resolve_round_trips(fleet);  // may narrow allowed_sites_ to the sites the users reach
  const JobSpec prototype = make_replica(spec_.start);
  next_number_ = 1;
  const Feasibility feasibility(fleet);
  if (!feasibility.fits(prototype)) {
    const bool restricted = allowed_sites_ != ~std::uint64_t{0};
    throw ConfigError::at(spec_.gpus_origin, spec_.field + ".gpus_per_replica",
                          "a replica of {} GPUs of type {} fits on no site of the fleet{} "
                          "(largest one-type gang: {} GPUs)",
                          spec_.gpus_per_replica, fmt::join(type_names, " or "),
                          restricted ? " it may run at (residency, WAN reach from the users)" : "",
                          feasibility.largest_gang(prototype));
  }
  result_.name = spec_.name;
  result_.model = spec_.model;
  result_.slo_ms = spec_.slo_ms;
  result_.slo_goal = spec_.slo_goal;
}

void ServiceRuntime::resolve_round_trips(const Fleet& fleet) {
  const std::vector<Site>& sites = fleet.topology.sites();
  allowed_sites_ = spec_.allowed_sites;
  site_delay_s_.assign(sites.size(), 0);
  if (!spec_.rtt_ms.empty()) {
    for (std::size_t s = 0; s < sites.size(); ++s) {
      const Site& site = sites[s];
      if (auto it = spec_.rtt_ms.find(site.region); it != spec_.rtt_ms.end()) {
        site_delay_s_[s] = it->second / 1000.0;
      } else if (site.region != spec_.user_region && (allowed_sites_ >> s & 1U) != 0) {
        throw ConfigError::at(spec_.rtt_origin, spec_.field + ".rtt_ms",
                              "no round trip for region \"{}\" (site {}); list every region of "
                              "the fleet other than the users' own ({})",
                              site.region, site.name, spec_.user_region);
      }
    }
    return;
  }
  // No table: the WAN's lowest-RTT path from the nearest site in the users' region. Sites the
  // users cannot reach at all could not serve them: replicas may not run there.
  std::vector<SiteId> user_sites;
  for (std::size_t s = 0; s < sites.size(); ++s) {
    if (sites[s].region == spec_.user_region) user_sites.push_back(SiteId{s});
  }
  if (user_sites.empty() || fleet.wan.links().empty()) return;
  std::uint64_t reached = 0;
  for (std::size_t s = 0; s < sites.size(); ++s) {
    double best = std::numeric_limits<double>::infinity();
    for (SiteId u : user_sites) {
      if (fleet.wan.reachable(u, SiteId{s})) best = std::min(best, fleet.wan.rtt_ms(u, SiteId{s}));
    }
    if (best == std::numeric_limits<double>::infinity()) continue;
    site_delay_s_[s] = best / 1000.0;
    reached |= std::uint64_t{1} << s;  // s < kMaxSites = 64
  }
  allowed_sites_ &= reached;
}

void ServiceRuntime::begin(SimTime now, SimTime end) {
  live_ = true;
  end_ = end;
  accounted_until_ = now;
}

void ServiceRuntime::finish(SimTime now) {
  account_until(now);
  levels_.target = 0;
  record(now);
  live_ = false;
}

void ServiceRuntime::account_until(SimTime now) {
  if (!live_) return;
  // Demand is piecewise constant: split at its changes (the account splits at hours).
  while (accounted_until_ < now) {
    const SimTime until = std::min(now, demand_.next_change(accounted_until_));
    account_.add(accounted_until_, until, demand_.rate_at(accounted_until_), pool_, levels_);
    accounted_until_ = until;
  }
}

double ServiceRuntime::replica_rps_estimate() const {
  // The mean throughput of the serving replicas; with none serving, the slowest allowed type
  // present in the fleet (the autoscaler then errs on the side of more replicas).
  if (pool_.replicas > 0) return pool_.capacity_rps / pool_.replicas;
  double slowest = std::numeric_limits<double>::infinity();
  for (const auto& [type, rps] : throughput_) {
    if (type.index() < fleet_->topology.gpus_by_type().size() &&
        fleet_->topology.gpus_by_type()[type.index()] > 0) {
      slowest = std::min(slowest, rps);
    }
  }
  return slowest;
}

std::uint32_t ServiceRuntime::evaluate(SimTime now) {
  const std::uint32_t recommended = recommended_replicas(
      demand_.rate_at(now), replica_rps_estimate(), spec_.autoscaler.target_utilisation,
      spec_.min_replicas, spec_.max_replicas);
  const std::uint32_t target = autoscaler_.evaluate(now, recommended);
  levels_.target = target;
  return target;
}

JobSpec ServiceRuntime::make_replica(SimTime now) {
  JobSpec spec;
  spec.name = fmt::format("{}/r{}", spec_.name, next_number_++);
  spec.submit = now;
  spec.tenant = spec_.tenant;
  spec.gpus = spec_.gpus_per_replica;
  spec.allowed_types = allowed_types_;
  spec.duration = 0;  // never finishes by itself; the engine stops it
  // What a policy that plans by run time (EASY) should assume: it holds its GPUs until the
  // service ends (an unbounded service: as long as any input time can be).
  const SimTime end = end_ != kTimeNever ? end_ : spec_.end;
  spec.estimate = end != kTimeNever && end > now ? end - now : from_seconds(kMaxInputSeconds);
  spec.preemptible = spec_.preemptible;
  spec.priority = spec_.priority;
  spec.service = id_;
  spec.allowed_sites = allowed_sites_;
  return spec;
}

void ServiceRuntime::update(JobId id, const Job& job, ReplicaEvent what, SimTime now) {
  switch (what) {
    case ReplicaEvent::Created: ++result_.replicas_created; break;
    case ReplicaEvent::Started: ++result_.replica_starts; break;
    case ReplicaEvent::Preempted: ++result_.replica_preemptions; break;
    case ReplicaEvent::Interrupted: ++result_.replica_interruptions; break;
    case ReplicaEvent::Ready: case ReplicaEvent::Released: case ReplicaEvent::Stopped: break;
  }
  if (job.state == JobState::Done) {
    replicas_.erase(id);
  } else {
    Replica& r = replicas_[id];
    r.held = job.state == JobState::Running || job.state == JobState::Draining;
    const bool serving = job.state == JobState::Running && now >= job.progress_start;
    if (serving && !r.serving) {
      const Topology& topo = fleet_->topology;
      const Node& node = topo.node(job.allocation.slices.front().node);
      const SiteId site = topo.cluster(topo.rack(node.rack).cluster).site;
      r.rate_rps = throughput_.at(job.gpu_type);
      r.delay_s = site_delay_s_[site.index()];
    }
    r.serving = serving;
  }
  refresh_pool();
}

void ServiceRuntime::refresh_pool() {
  ServingPool pool;
  ReplicaLevels levels;
  levels.target = levels_.target;
  std::map<double, double> by_delay;
  for (const auto& [id, r] : replicas_) {
    if (r.held) {
      ++levels.held;
      levels.gpus += spec_.gpus_per_replica;
    }
    if (!r.serving) continue;
    ++pool.replicas;
    pool.servers += spec_.concurrency;
    pool.capacity_rps += r.rate_rps;
    by_delay[r.delay_s] += r.rate_rps;
  }
  for (const auto& [delay, rps] : by_delay) {
    pool.delays.emplace_back(delay, rps / pool.capacity_rps);
  }
  pool_ = std::move(pool);
  levels_ = levels;
}

std::vector<JobId> ServiceRuntime::surplus(const JobTable& jobs) const {
  const std::uint32_t live = requested();
  if (live <= levels_.target) return {};
  // Rank: 0 queued, 1 draining, 2 starting, 3 serving; newest (largest id) first within one.
  std::vector<std::tuple<int, std::uint32_t, JobId>> ranked;
  for (const auto& [id, r] : replicas_) {
    if (r.stop_on_release) continue;
    const JobState state = jobs[id].state;
    const int rank = state == JobState::Queued     ? 0
                     : state == JobState::Draining ? 1
                     : !r.serving                  ? 2
                                                   : 3;
    ranked.emplace_back(rank, JobId::kInvalid - id.value, id);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<JobId> out;
  for (std::size_t i = 0; i < live - levels_.target; ++i) out.push_back(std::get<2>(ranked[i]));
  return out;
}

std::uint32_t ServiceRuntime::requested() const {
  std::uint32_t n = 0;
  for (const auto& [id, r] : replicas_) n += r.stop_on_release ? 0 : 1;
  return n;
}

bool ServiceRuntime::stops_on_release(JobId id) const {
  auto it = replicas_.find(id);
  return it != replicas_.end() && it->second.stop_on_release;
}

std::vector<JobId> ServiceRuntime::replica_ids() const {
  std::vector<JobId> ids;
  for (const auto& [id, r] : replicas_) ids.push_back(id);
  return ids;
}

void ServiceRuntime::record(SimTime now) {
  const ReplicaCounts counts{now, levels_.target, requested(), levels_.held, pool_.replicas};
  std::vector<ReplicaCounts>& timeline = result_.timeline;
  if (!timeline.empty() && timeline.back().time == now) {
    timeline.back() = counts;
    if (timeline.size() > 1) {
      ReplicaCounts previous = timeline[timeline.size() - 2];
      previous.time = now;
      if (previous == counts) timeline.pop_back();
    }
    return;
  }
  if (!timeline.empty()) {
    ReplicaCounts last = timeline.back();
    last.time = now;
    if (last == counts) return;
  }
  timeline.push_back(counts);
}

ServiceResult ServiceRuntime::take_result() {
  account_.close();
  result_.hours = account_.hours();
  return std::move(result_);
}

std::ostream& operator<<(std::ostream& out, const ReplicaCounts& c) {
  return out << fmt::format("t={}s target {} requested {} held {} serving {}", to_seconds(c.time),
                            c.target, c.requested, c.held, c.serving);
}

InferenceServices::InferenceServices(std::vector<ServiceSpec> specs, const Fleet& fleet,
                                     const RngStreams& rng) {
  services_.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    services_.emplace_back(std::move(specs[i]), ServiceId{i}, fleet, rng);
  }
}

std::vector<ServiceResult> InferenceServices::take_results() {
  std::vector<ServiceResult> out;
  for (ServiceRuntime& s : services_) out.push_back(s.take_result());
  return out;
}

}  // namespace fleetsim
