#include "sim/check/invariant_checker.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "sim/core/bits.hpp"
#include "sim/failure/failure_model.hpp"

namespace fleetsim {
namespace {

const char* state_name(JobState s) {
  switch (s) {
    case JobState::Queued:
      return "queued";
    case JobState::Running:
      return "running";
    case JobState::Draining:
      return "draining";
    case JobState::Done:
      return "done";
    case JobState::Held:
      return "held";
  }
  return "?";
}

std::uint64_t node_mask(std::uint32_t gpu_count) {
  return gpu_count >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << gpu_count) - 1;
}

// Calls f(global GPU index) for each GPU of a failure component.
template <class F>
void for_each_component_gpu(const Topology& topo, const ComponentGpus& gpus, F f) {
  for (std::uint32_t n = 0; n < gpus.node_count; ++n) {
    const Node& node = topo.node(NodeId{gpus.first_node.value + n});
    const std::uint64_t mask =
        gpus.single_gpu_mask != 0 ? gpus.single_gpu_mask : node_mask(node.gpu_count);
    for (std::uint64_t m = mask; m != 0; m &= m - 1) {
      f(node.first_gpu.index() + static_cast<std::size_t>(std::countr_zero(m)));
    }
  }
}

// a[i] == b[i] for every i, the shorter read as zeros beyond its end.
bool same_counts(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if ((i < a.size() ? a[i] : 0) != (i < b.size() ? b[i] : 0)) return false;
  }
  return true;
}

}  // namespace

InvariantChecker::InvariantChecker(const Fleet& fleet, const EngineConfig& config,
                                   const std::vector<Job>& jobs,
                                   const std::vector<ServiceSpec>& services)
    : fleet_(&fleet),
      config_(config),
      jobs_(&jobs),
      sites_(fleet, log_),
      owner_(fleet.topology.gpu_count(), kNone),
      node_seen_(fleet.topology.nodes().size(), 0),
      rack_seen_(fleet.topology.racks().size(), 0),
      cluster_seen_(fleet.topology.clusters().size(), 0),
      site_seen_(fleet.topology.sites().size(), 0),
      site_gpus_(fleet.topology.sites().size(), 0) {
  for (const ServiceSpec& s : services) replica_start_.push_back(s.replica_start);
}

template <class What>
bool InvariantChecker::expect(bool ok, SimTime now, std::uint32_t id, What&& what) {
  ++checks_;
  if (ok) [[likely]]
    return true;
  std::string subject = id == kNone ? std::string() : "job " + name(id);
  if constexpr (std::is_invocable_v<What>) {
    log_.add(now, std::move(subject), what());
  } else {
    log_.add(now, std::move(subject), std::string(what));
  }
  return false;
}

const std::string& InvariantChecker::name(std::uint32_t id) const { return (*jobs_)[id].spec.name; }

std::uint32_t InvariantChecker::observe(const Job& job, SimTime now) {
  ++events_;
  advance(now);
  ++checks_;
  const auto at = reinterpret_cast<std::uintptr_t>(&job);
  const auto first = reinterpret_cast<std::uintptr_t>(jobs_->data());
  const std::size_t index = (at - first) / sizeof(Job);
  if (at < first || index >= jobs_->size() || (at - first) % sizeof(Job) != 0) {
    log_.add(now, "job " + job.spec.name, "not in the engine's job table");
    return kNone;
  }
  if (index >= entries_.size()) {
    log_.add(now, "job " + job.spec.name, "event for a job that never arrived");
    return kNone;
  }
  return static_cast<std::uint32_t>(index);
}

void InvariantChecker::advance(SimTime now) {
  if (!expect(now >= now_, now, kNone,
              [&] { return fmt::format("time went back from t={}", now_); })) {
    return;
  }
  if (now > now_ && !hit_.empty()) check_hits();
  sites_.take_offline_windows(
      now, [&](const CapacityWindow& w, SimTime since) { check_offline_window(w, since); });
  // Releases and capacity steps come first at their instant (the engine's completion phase).
  while (!draining_.empty() && entries_[draining_.front()].drain_until <= now) {
    const std::uint32_t id = draining_.front();
    draining_.pop_front();
    sites_.advance(entries_[id].drain_until);
    end_drain(id);
  }
  sites_.advance(now);
  while (!held_.empty() && held_.top().first <= now) {
    entries_[held_.top().second].state = State::Queued;
    held_.pop();
  }
  now_ = now;
}

void InvariantChecker::check_offline_window(const CapacityWindow& window, SimTime since) {
  const Topology& topo = fleet_->topology;
  std::vector<std::uint32_t> reported;
  for (std::uint32_t r = 0; r < window.rack_count; ++r) {
    const Rack& rack = topo.rack(RackId{window.first_rack.value + r});
    for (std::uint32_t n = 0; n < rack.node_count; ++n) {
      const Node& node = topo.node(NodeId{rack.first_node.value + n});
      for (std::uint32_t g = 0; g < node.gpu_count; ++g) {
        for_each_holder(node.first_gpu.index() + g, [&](std::uint32_t id) {
          if (std::find(reported.begin(), reported.end(), id) != reported.end()) return;
          const Entry& e = entries_[id];
          // Started later, once the rack was back, it is fine; on_start checks that.
          if (!expect(e.state != State::Running || e.segment_start > since, now_, id, [&] {
                return fmt::format("still running on rack {}, offline since t={}",
                                   window.first_rack.value + r, since);
              })) {
            reported.push_back(id);
          }
        });
      }
    }
  }
}

void InvariantChecker::check_hits() {
  for (const auto& [id, hit_gpu] : hit_) {
    Entry& e = entries_[id];
    const auto gpu = hit_gpu;  // clang 14 cannot capture a structured binding
    expect(e.hit_by == kNone, now_, id, [&] {
      return fmt::format(
          "held GPU {} when a failure (process {}) took it down, and was not "
          "interrupted",
          gpu, e.hit_by);
    });
    e.hit_by = kNone;
  }
  hit_.clear();
}

void InvariantChecker::settle_down(SimTime now) {
  down_gpu_seconds_ += static_cast<double>(down_gpus_) * to_seconds(now - down_since_);
  down_since_ = now;
}

bool InvariantChecker::window_steps_at(RackId first, RackId last, SimTime now) const {
  // Windows offline from 0 are applied before any event; none comes online at 0.
  return std::any_of(fleet_->capacity_windows.begin(), fleet_->capacity_windows.end(),
                     [&](const CapacityWindow& w) {
                       return ((w.offline_from == now && now > 0) || w.online_at == now) &&
                              w.first_rack.value <= last.value &&
                              first.value < w.first_rack.value + w.rack_count;
                     });
}

bool InvariantChecker::on_offline_rack(const Entry& e) const {
  const Allocation& gpus = allocation(e);
  return std::any_of(gpus.slices.begin(), gpus.slices.end(), [&](const NodeSlice& s) {
    return !sites_.rack_online(fleet_->topology.node(s.node).rack);
  });
}

bool InvariantChecker::may_shed(const Entry& e, SimTime now) const {
  const Allocation& gpus = allocation(e);
  return std::any_of(gpus.slices.begin(), gpus.slices.end(), [&](const NodeSlice& s) {
    return sites_.may_shed(fleet_->site_of(s.node), now);
  });
}

Duration InvariantChecker::computed(const Entry& e, Duration elapsed) const {
  return e.replica ? std::max<Duration>(0, elapsed)
                   : compute_within(config_.checkpoint.interval, config_.checkpoint.cost, elapsed);
}

Duration InvariantChecker::done_by(const Entry& e, SimTime now) const {
  if (now <= e.progress_start) return 0;
  const auto done =
      static_cast<Duration>(static_cast<double>(computed(e, now - e.progress_start)) * e.rate);
  return std::min(done, e.remaining);
}

void InvariantChecker::hold(Entry& e, SimTime until) {
  e.run_time += until - e.segment_start;
  const Duration wall = until - e.segment_start;
  e.gpu_seconds += e.milli < 1000 ? e.milli / 1000.0 * to_seconds(wall) : e.gpus * to_seconds(wall);
}

void InvariantChecker::close_segment(Entry& e, SimTime now) {
  hold(e, now);
  // Stopped while its data was still on the way: a later start there stages it again.
  if (now < e.segment_start + e.staging) e.staged_site = SiteId{};
  e.restarting = false;
  e.segment_start = now;
}

void InvariantChecker::release(std::uint32_t id, SimTime now, bool with_power) {
  Entry& e = entries_[id];
  const Topology& topo = fleet_->topology;
  touched_sites_.clear();
  for (const NodeSlice& slice : allocations_[e.slot].slices) {
    const SiteId site = fleet_->site_of(slice.node);
    if (site_gpus_[site.index()] == 0) touched_sites_.push_back(site);
    site_gpus_[site.index()] += count_gpus(slice.gpus);
    const Node& node = topo.node(slice.node);
    for (std::uint64_t m = slice.gpus; m != 0; m &= m - 1) {
      const std::size_t gpu = node.first_gpu.index() + static_cast<std::size_t>(std::countr_zero(m));
      if (e.milli < 1000) {
        change_share(id, gpu, site, -1, now);
      } else if (owner_[gpu] == id) {
        owner_[gpu] = kNone;
      }
    }
  }
  for (SiteId site : touched_sites_) {
    const std::int64_t gpus = std::exchange(site_gpus_[site.index()], 0);
    if (with_power) sites_.change_draw(site, -e.busy_per_gpu * gpus, now);
    if (e.milli == 1000) sites_.change_allocated(site, -gpus, now);
  }
  if (e.milli == 1000) allocated_gpus_ -= e.gpus;
  allocations_[e.slot].slices.clear();
  free_slots_.push_back(e.slot);
  e.slot = kNone;
}

void InvariantChecker::end_drain(std::uint32_t id) {
  Entry& e = entries_[id];
  hold(e, e.drain_until);
  e.segment_start = e.drain_until;
  release(id, e.drain_until, e.powered);
  e.powered = false;
  e.state = State::Queued;
}

void InvariantChecker::on_arrival(const Job& job, SimTime now) {
  ++events_;
  advance(now);
  const auto id = static_cast<std::uint32_t>(entries_.size());
  // Ids are given in arrival order: the arriving job is the newest in the table.
  const bool in_order = jobs_->size() == entries_.size() + 1 && &jobs_->back() == &job;
  Entry& e = entries_.emplace_back();
  if (!expect(in_order, now, kNone, [&] {
        return fmt::format("job {} arrives out of id order (table of {} jobs, {} arrived)",
                           job.spec.name, jobs_->size(), id);
      })) {
    return;
  }
  e.gpus = job.spec.gpus;
  e.milli = job.spec.gpu_milli;
  e.remaining = job.spec.duration;
  e.replica = job.spec.is_replica();
  e.release = now + job.held;
  expect(now == job.spec.submit, now, id, "arrived at its submit time");
  expect(job.remaining == job.spec.duration, now, id, "arrives with all its work to do");
  expect(job.held >= 0 && job.held <= job.spec.start_slack, now, id, [&] {
    return fmt::format("held {} us, beyond its start slack of {} us", job.held,
                       job.spec.start_slack);
  });
  expect(job.state == (job.held > 0 ? JobState::Held : JobState::Queued), now, id,
         "queued on arrival, or held until its release");
  const CheckpointConfig none;
  const CheckpointConfig& checkpoint = e.replica ? none : config_.checkpoint;
  expect(job.checkpoint_interval == checkpoint.interval && job.checkpoint_cost == checkpoint.cost,
         now, id, "checkpoints as the scenario sets them (none for a replica)");
  if (job.held > 0) {
    e.state = State::Held;
    held_.emplace(e.release, id);
  }
}

void InvariantChecker::on_start(const Job& job, SimTime now) {
  const std::uint32_t id = observe(job, now);
  if (id == kNone) return;
  Entry& e = entries_[id];
  if (!expect(e.state == State::Queued, now, id, [&] {
        return e.state == State::Held ? fmt::format("started before its release at t={}", e.release)
                                      : std::string("started only while queued");
      })) {
    return;
  }
  expect(job.state == JobState::Running, now, id, "running once started");
  const std::uint32_t gang = job.allocation.gpu_count();
  if (job.spec.elastic()) {
    expect(gang >= job.spec.min_gang() && gang <= job.spec.max_gang(), now, id,
           "elastic allocation within [min_gpus, max_gpus]");
  } else {
    expect(gang == job.spec.gpus, now, id, "allocation size = gang size");
  }
  if (e.first_start != kTimeNever && gang != e.gpus) ++e.resizes;
  e.gpus = gang;
  expect(job.gang == gang && job.resizes == e.resizes, now, id, "job.gang and resize count");
  expect(job.remaining == e.remaining, now, id, [&] {
    return fmt::format("remaining work {} us; {} us carried over from its last segment",
                       job.remaining, e.remaining);
  });
  expect(job.preemptions == e.preemptions, now, id, "preemption count");
  expect(job.first_start == (e.first_start == kTimeNever ? now : e.first_start), now, id,
         "first start kept");

  // Distinct nodes, racks, clusters and sites by stamping them with this start's serial: O(slices)
  // where sorting ids took a tenth of a checked run with large gangs.
  const Topology& topo = fleet_->topology;
  ++serial_;
  std::vector<SiteId>& sites = touched_sites_;  // first-seen order until sorted below
  sites.clear();
  std::uint32_t racks = 0, clusters = 0;
  GpuTypeId type;
  Milliwatts busy = 0;
  for (const NodeSlice& slice : job.allocation.slices) {
    if (!expect(slice.node.index() < topo.nodes().size(), now, id, "GPUs of a known node")) {
      continue;
    }
    const Node& node = topo.node(slice.node);
    expect(slice.gpus != 0 && (node.gpu_count >= 64 || (slice.gpus >> node.gpu_count) == 0), now,
           id, "slice within its node");
    if (!type.valid()) type = node.type;
    expect(node.type == type, now, id, "one GPU type");
    expect(sites_.rack_online(node.rack), now, id,
           [&] { return fmt::format("started on rack {}, which is offline", node.rack.value); });
    expect(std::exchange(node_seen_[slice.node.index()], serial_) != serial_, now, id,
           "each node once");
    const ClusterId cluster = topo.rack(node.rack).cluster;
    const SiteId site = topo.cluster(cluster).site;
    racks += std::exchange(rack_seen_[node.rack.index()], serial_) != serial_;
    clusters += std::exchange(cluster_seen_[cluster.index()], serial_) != serial_;
    if (std::exchange(site_seen_[site.index()], serial_) != serial_) sites.push_back(site);
    site_gpus_[site.index()] += count_gpus(slice.gpus);
    for (std::uint64_t m = slice.gpus; m != 0; m &= m - 1) {
      const std::size_t gpu =
          node.first_gpu.index() + static_cast<std::size_t>(std::countr_zero(m));
      std::uint32_t& owner = owner_[gpu];
      expect(owner == kNone, now, id, [&] {
        return fmt::format("GPU {} allocated twice: still held by {}", gpu, name(owner));
      });
      if (e.milli < 1000) {
        change_share(id, gpu, site, +1, now);
      } else {
        expect(share_used_.empty() || share_used_[gpu] == 0, now, id, [&] {
          return fmt::format("GPU {} taken whole while jobs hold shares of it", gpu);
        });
        owner = id;
      }
      expect(down_.empty() || down_[gpu] == 0, now, id,
             [&] { return fmt::format("started on GPU {}, which a failure holds down", gpu); });
    }
  }
  const std::size_t slices = job.allocation.slices.size();
  const SiteId first_site = sites.empty() ? SiteId{} : sites.front();
  std::sort(sites.begin(), sites.end());

  double rtt_ms = 0;  // the largest between the gang's sites
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const Site& site = topo.site(sites[i]);
    expect(job.spec.may_run_at(sites[i]), now, id,
           [&] { return fmt::format("runs at site {}, outside its residency", site.name); });
    if (job.spec.stages_data()) {
      expect(fleet_->wan.reachable(job.spec.data_site, sites[i]), now, id, [&] {
        return fmt::format("runs at site {}, which no WAN path joins to its data", site.name);
      });
    }
    for (std::size_t k = i + 1; k < sites.size(); ++k) {
      const CrossSiteGangs& cross = fleet_->cross_site;
      const bool near = cross.allowed && fleet_->wan.reachable(sites[i], sites[k]) &&
                        fleet_->wan.rtt_ms(sites[i], sites[k]) <= cross.max_rtt_ms;
      if (expect(near, now, id, [&] {
            return cross.allowed ? fmt::format(
                                       "spans sites {} and {}, more than the {} ms RTT a "
                                       "cross-site gang may span",
                                       site.name, topo.site(sites[k]).name, cross.max_rtt_ms)
                                 : fmt::format(
                                       "spans sites {} and {}: one site unless cross-site "
                                       "gangs are allowed",
                                       site.name, topo.site(sites[k]).name);
          })) {
        rtt_ms = std::max(rtt_ms, fleet_->wan.rtt_ms(sites[i], sites[k]));
      }
    }
  }
  const std::vector<GpuTypeId>& allowed = job.spec.allowed_types;
  expect(allowed.empty() || std::find(allowed.begin(), allowed.end(), type) != allowed.end(), now,
         id, "allowed GPU type");
  expect(job.gpu_type == type, now, id, "job.gpu_type");
  expect(job.site == first_site, now, id, "job.site = its first GPU's site");
  expect(job.span.nodes == slices && job.span.racks == racks && job.span.clusters == clusters &&
             job.span.sites == sites.size(),
         now, id, "span");
  if (type.valid()) {
    double rate = fleet_->catalog.speed(type, job.spec.job_class);
    if (job.spec.elastic() && gang != job.spec.gpus) {  // Amdahl's law, against the requested gang
      const double s = job.spec.serial_fraction;
      const auto speedup = [s](double n) { return n / (1 + s * (n - 1)); };
      rate *= speedup(gang) / speedup(job.spec.gpus);
    }
    if (racks > 1) rate *= fleet_->span_speed.cross_rack;
    if (clusters > 1) rate *= fleet_->span_speed.cross_cluster;
    if (sites.size() > 1 && fleet_->cross_site.allowed) {
      rate /= 1 + rtt_ms / fleet_->cross_site.half_speed_rtt_ms;
    }
    expect(job.rate == rate, now, id, [&] {
      return fmt::format("rate {} = type speed x span slowdowns (/ cross-site RTT factor) = {}",
                         job.rate, rate);
    });
    e.rate = rate;
    busy = busy_extra_mw(fleet_->catalog.type(type), job.spec.gpu_utilisation, job.spec.gpu_milli);
  }

  // Data elsewhere is staged first, to each of the gang's sites but its data's and the one it
  // was last staged to (side by side: the slowest counts), then a restart or resume overhead.
  e.staging = 0;
  if (job.spec.stages_data()) {
    for (SiteId site : sites) {
      if (site == job.spec.data_site || site == e.staged_site ||
          !fleet_->wan.reachable(job.spec.data_site, site)) {
        continue;
      }
      e.staging =
          std::max(e.staging, fleet_->wan.staging_time(job.spec.data_site, site, job.spec.data_gb));
    }
    if (e.staging > 0) e.staged_site = first_site;
  }
  const Duration overhead = e.restarting        ? config_.checkpoint.restart
                            : e.preemptions > 0 ? config_.resume_overhead
                                                : 0;
  SimTime progress = now + e.staging + overhead;
  if (e.replica) {
    const std::size_t service = job.spec.service.index();
    progress = now + (service < replica_start_.size() ? replica_start_[service] : 0);
  }
  expect(job.progress_start == progress, now, id, [&] {
    return fmt::format(
        "progress starts at t={}, not at t={} (staging {} us, overhead {} us; a "
        "replica's: its start time)",
        job.progress_start, progress, e.staging, overhead);
  });

  for (SiteId site : sites) {
    const std::int64_t gpus = std::exchange(site_gpus_[site.index()], 0);
    sites_.change_draw(site, busy * gpus, now);
    if (e.milli == 1000) sites_.change_allocated(site, gpus, now);  // change_share counted it
  }
  if (free_slots_.empty()) {
    e.slot = static_cast<std::uint32_t>(allocations_.size());
    allocations_.push_back(job.allocation);
  } else {
    e.slot = free_slots_.back();
    free_slots_.pop_back();
    allocations_[e.slot] = job.allocation;
  }
  e.busy_per_gpu = busy;
  e.state = State::Running;
  e.segment_start = now;
  e.progress_start = progress;
  if (e.first_start == kTimeNever) e.first_start = now;
  ++running_;
  if (e.milli == 1000) allocated_gpus_ += e.gpus;
}

void InvariantChecker::change_share(std::uint32_t id, std::size_t gpu, SiteId site, int sign,
                                    SimTime now) {
  if (share_used_.empty()) share_used_.assign(fleet_->topology.gpu_count(), 0);
  std::uint16_t& used = share_used_[gpu];
  std::vector<std::uint32_t>& holders = share_holders_[gpu];
  const std::uint32_t milli = entries_[id].milli;
  if (sign > 0) {
    expect(used + milli <= 1000, now, id, [&] {
      return fmt::format("GPU {} over-shared: {} + {} milli-GPUs", gpu, used, milli);
    });
    if (used == 0) {  // opens the GPU
      shared_since_[gpu] = now;
      ++allocated_gpus_;
      sites_.change_allocated(site, 1, now);
    }
    used = static_cast<std::uint16_t>(used + milli);
    holders.push_back(id);
    return;
  }
  used = static_cast<std::uint16_t>(used - milli);
  std::erase(holders, id);
  if (used > 0) return;
  share_holders_.erase(gpu);
  shared_gpu_seconds_ += to_seconds(now - shared_since_[gpu]);
  shared_since_.erase(gpu);
  --allocated_gpus_;
  sites_.change_allocated(site, -1, now);
}

void InvariantChecker::on_preempt(const Job& job, SimTime now) {
  const std::uint32_t id = observe(job, now);
  if (id == kNone) return;
  Entry& e = entries_[id];
  if (!expect(e.state == State::Running, now, id, "preempted only while running")) return;
  if (!job.spec.preemptible) {
    expect(may_shed(e, now), now, id,
           "preempted only if preemptible, or shed when its site's cap drops");
  }
  e.remaining -= done_by(e, now);
  expect(job.remaining == e.remaining, now, id, [&] {
    return fmt::format("remaining work at preemption {} us; the checker has {} us", job.remaining,
                       e.remaining);
  });
  close_segment(e, now);
  ++e.preemptions;
  expect(job.preemptions == e.preemptions, now, id, "preemption count");
  --running_;
  if (config_.preempt_overhead == 0) {
    release(id, now, true);
    e.state = State::Queued;
  } else {
    e.state = State::Draining;
    e.drain_until = now + config_.preempt_overhead;
    e.powered = true;
    draining_.push_back(id);
  }
}

void InvariantChecker::on_power_cut(const Job& job, SimTime now) {
  const std::uint32_t id = observe(job, now);
  if (id == kNone) return;
  Entry& e = entries_[id];
  if (!expect(e.state == State::Draining && e.powered, now, id,
              "power cut only while draining and drawing")) {
    return;
  }
  expect(may_shed(e, now), now, id,
         "power cut only when its site's cap drops or racks come online");
  for (const NodeSlice& slice : allocation(e).slices) {
    sites_.change_draw(fleet_->site_of(slice.node), -e.busy_per_gpu * count_gpus(slice.gpus), now);
  }
  e.powered = false;
}

void InvariantChecker::on_finish(const Job& job, SimTime now) {
  const std::uint32_t id = observe(job, now);
  if (id == kNone) return;
  Entry& e = entries_[id];
  if (!expect(e.state == State::Running, now, id, "finished only while running")) return;
  expect(!e.replica, now, id, "an inference replica never finishes by itself");
  expect(job.state == JobState::Done && job.end == now && job.remaining == 0, now, id,
         "done at its end");
  // Progress runs at `rate` from progress_start, paused while checkpoints are saved; the finish
  // is the first microsecond at which the work is complete (1 us slack for rounding either way).
  expect(now >= e.progress_start, now, id, "no finish before progress starts");
  const Duration compute = computed(e, now - e.progress_start);
  const auto remaining = static_cast<double>(e.remaining);
  expect(static_cast<double>(compute) * e.rate + 1 >= remaining, now, id, [&] {
    return fmt::format("finished early: {} us at rate {} for {} us of work", compute, e.rate,
                       e.remaining);
  });
  expect(now - 2 < e.progress_start ||
             static_cast<double>(computed(e, now - 2 - e.progress_start)) * e.rate < remaining,
         now, id, [&] {
           return fmt::format("finished late: {} us at rate {} for {} us of work", compute, e.rate,
                              e.remaining);
         });
  e.remaining = 0;
  close_segment(e, now);
  release(id, now, true);
  e.state = State::Done;
  e.end = now;
  --running_;
  ++finished_;
}

void InvariantChecker::on_interrupt(const Job& job, SimTime now) {
  const std::uint32_t id = observe(job, now);
  if (id == kNone) return;
  Entry& e = entries_[id];
  if (!expect(e.state == State::Running, now, id, "interrupted only while running")) return;
  expect(job.state == JobState::Queued, now, id, "queued again once interrupted");
  // Its cause: a failure that took one of its GPUs at this instant, or one of its racks offline.
  if (e.hit_by != kNone) {
    if (interruptions_by_process_.size() <= e.hit_by)
      interruptions_by_process_.resize(e.hit_by + 1);
    ++interruptions_by_process_[e.hit_by];
    e.hit_by = kNone;
  } else if (expect(on_offline_rack(e), now, id,
                    "interrupted, but no failure took its GPUs and none of its racks is offline")) {
    ++maintenance_interruptions_;
  }
  // Work since the last completed checkpoint is lost; without checkpoints, the whole segment.
  const Duration progress = std::max<Duration>(0, now - e.progress_start);
  Duration kept = 0;
  if (!e.replica && config_.checkpoint.interval > 0) {
    kept = progress / (config_.checkpoint.interval + config_.checkpoint.cost) *
           config_.checkpoint.interval;
  }
  const auto kept_work = static_cast<Duration>(static_cast<double>(kept) * e.rate);
  e.remaining = kept_work >= e.remaining ? 0 : e.remaining - kept_work;
  expect(job.remaining == e.remaining, now, id, [&] {
    return fmt::format(
        "remaining work {} us after an interruption; {} us keeps only the "
        "checkpointed progress",
        job.remaining, e.remaining);
  });
  close_segment(e, now);
  e.restarting = true;
  ++e.interruptions;
  expect(job.interruptions == e.interruptions, now, id, "interruption count");
  release(id, now, true);
  e.state = State::Queued;
  --running_;
}

void InvariantChecker::on_stop(const Job& job, SimTime now) {
  const std::uint32_t id = observe(job, now);
  if (id == kNone) return;
  Entry& e = entries_[id];
  expect(e.replica, now, id, "only inference replicas are stopped");
  expect(job.state == JobState::Done && job.end == now && job.allocation.empty(), now, id,
         "a stopped replica is done and holds no GPU");
  if (e.state == State::Running) {
    e.remaining = 0;
    close_segment(e, now);
    release(id, now, true);
    --running_;
  } else {
    expect(e.state == State::Queued, now, id,
           e.state == State::Draining ? "a draining replica stops once its GPUs are free"
                                      : "stopped from the queue or while running");
  }
  e.state = State::Stopped;
  e.end = now;
  ++stopped_;
}

void InvariantChecker::on_failure(const FailureModel& failures, std::uint32_t process,
                                  std::uint32_t component, bool takes_effect, SimTime now) {
  ++events_;
  advance(now);
  const Topology& topo = fleet_->topology;
  const ComponentGpus gpus = failures.gpus_of(process, component);
  const auto what = [&] {
    return fmt::format("failure of {} {} (process {}, {})",
                       level_name(failures.process_level(process)), component, process,
                       failures.process_name(process));
  };
  // Hardware that is offline (not built yet, or in maintenance) cannot fail: the failure takes
  // effect unless every rack of the component is offline. The component's nodes are one range,
  // so its racks are too. Where a capacity window steps one of them at this very instant, the
  // engine may handle the failure before or after the window (by the order the events were
  // scheduled in, which no hook shows): then either outcome is right.
  bool offline = false, ambiguous = true;
  if (gpus.node_count > 0) {
    const RackId first = topo.node(gpus.first_node).rack;
    const RackId last = topo.node(NodeId{gpus.first_node.value + gpus.node_count - 1}).rack;
    offline = true;
    for (std::uint32_t r = first.value; r <= last.value && offline; ++r) {
      offline = !sites_.rack_online(RackId{r});
    }
    ambiguous = window_steps_at(first, last, now);
  }
  const bool effect = ambiguous ? takes_effect : !offline;
  expect(takes_effect == effect, now, kNone, [&] {
    return what() + (takes_effect ? ": took effect with every rack of it offline"
                                  : ": took no effect with a rack of it online");
  });
  const std::uint64_t key = std::uint64_t{process} << 32 | component;
  if (!expect(failed_.emplace(key, effect).second, now, kNone,
              [&] { return what() + ": failed again before its repair"; })) {
    return;
  }
  if (!effect) {
    ++failures_while_offline_;
    return;
  }
  if (failures_by_process_.size() <= process) failures_by_process_.resize(process + 1);
  ++failures_by_process_[process];
  if (down_.empty()) down_.assign(topo.gpu_count(), 0);
  settle_down(now);
  for_each_component_gpu(topo, gpus, [&](std::size_t gpu) {
    if (down_[gpu]++ == 0) ++down_gpus_;
    for_each_holder(gpu, [&](std::uint32_t owner) {
      if (entries_[owner].state == State::Running && entries_[owner].hit_by == kNone) {
        entries_[owner].hit_by = process;
        hit_.emplace_back(owner, gpu);
      }
    });
  });
}

void InvariantChecker::on_repair(const FailureModel& failures, std::uint32_t process,
                                 std::uint32_t component, SimTime now) {
  ++events_;
  advance(now);
  const auto it = failed_.find(std::uint64_t{process} << 32 | component);
  if (!expect(it != failed_.end(), now, kNone, [&] {
        return fmt::format("repair of {} {} (process {}, {}), which is not down",
                           level_name(failures.process_level(process)), component, process,
                           failures.process_name(process));
      })) {
    return;
  }
  const bool effect = it->second;
  failed_.erase(it);
  if (!effect) return;  // nothing went down
  settle_down(now);
  for_each_component_gpu(fleet_->topology, failures.gpus_of(process, component),
                         [&](std::size_t gpu) {
                           if (--down_[gpu] == 0) --down_gpus_;
                         });
}

void InvariantChecker::on_sample(const SampleState& s) {
  ++events_;
  advance(s.time);
  const std::uint64_t queued =
      entries_.size() - running_ - draining_.size() - finished_ - stopped_ - held_.size();
  expect(s.allocated_gpus == allocated_gpus_ && s.running_jobs == running_ &&
             s.finished_jobs == finished_ && s.queued_jobs == queued &&
             s.total_gpus == fleet_->topology.gpu_count(),
         s.time, kNone, [&] {
           return fmt::format(
               "sample allocated={} running={} queued={} finished={}; checker {} {} {} {}",
               s.allocated_gpus, s.running_jobs, s.queued_jobs, s.finished_jobs, allocated_gpus_,
               running_, queued, finished_);
         });
  sites_.check_sample(s);
}

void InvariantChecker::finish(const RunTotals& totals) {
  const SimTime end = totals.end_time;
  advance(end);
  check_hits();
  settle_down(end);
  sites_.take_offline_windows(
      kTimeNever, [&](const CapacityWindow& w, SimTime since) { check_offline_window(w, since); });
  sites_.finish(end, totals);
  expect(jobs_->size() == entries_.size(), end, kNone, [&] {
    return fmt::format("the engine reports {} jobs; {} arrived", jobs_->size(), entries_.size());
  });
  double gpu_seconds = 0, replica_gpu_seconds = 0;
  std::uint64_t interruptions = 0;
  const std::size_t n = std::min(jobs_->size(), entries_.size());
  for (std::uint32_t id = 0; id < n; ++id) {
    const Job& job = (*jobs_)[id];
    Entry& e = entries_[id];
    // Close what is still open at the end, as the engine does.
    if (e.state == State::Running) {
      e.remaining -= done_by(e, end);
      expect(job.remaining == e.remaining, end, id, "remaining work closed at the end");
    }
    if (e.state == State::Running || e.state == State::Draining) hold(e, end);
    static constexpr JobState kEngineState[] = {JobState::Held,    JobState::Queued,
                                                JobState::Running, JobState::Draining,
                                                JobState::Done,    JobState::Done};
    const JobState want = kEngineState[static_cast<int>(e.state)];
    expect(job.state == want, end, id, [&] {
      return fmt::format("ends {}; the checker has it {}", state_name(job.state), state_name(want));
    });
    expect(job.run_time == e.run_time, end, id, [&] {
      return fmt::format("run time {} us; it held GPUs for {} us, drains included", job.run_time,
                         e.run_time);
    });
    expect(job.preemptions == e.preemptions && job.interruptions == e.interruptions, end, id,
           "preemption and interruption counts");
    if (job.state == JobState::Done) {
      expect(job.end == e.end && job.remaining == 0 && job.allocation.empty(), end, id,
             "done: its end, no work left, no GPU held");
      if (job.first_start != kTimeNever) {
        expect(job.first_start >= e.release && job.end >= job.first_start, end, id,
               "started after its release, ended after its start");
      } else {
        expect(e.replica, end, id, "only a replica may end without starting");
      }
    }
    expect(detail::sums_agree(job.gpu_seconds, e.gpu_seconds), end, id, [&] {
      return fmt::format("{} GPU-seconds; it held {} (GPUs x time, per segment)", job.gpu_seconds,
                         e.gpu_seconds);
    });
    if (e.milli == 1000) gpu_seconds += e.gpu_seconds;  // shared GPUs: counted whole below
    if (e.replica) replica_gpu_seconds += e.gpu_seconds;
    interruptions += job.interruptions;
  }
  // A shared GPU counts as allocated from its first share to its last.
  gpu_seconds += shared_gpu_seconds_;
  for (const auto& open : shared_since_) gpu_seconds += to_seconds(end - open.second);
  expect(detail::sums_agree(totals.allocated_gpu_seconds, gpu_seconds), end, kNone, [&] {
    return fmt::format("allocated GPU-seconds {}; the jobs' GPUs x run times add up to {}",
                       totals.allocated_gpu_seconds, gpu_seconds);
  });
  expect(detail::sums_agree(totals.replica_gpu_seconds, replica_gpu_seconds), end, kNone, [&] {
    return fmt::format("replica GPU-seconds {}; the replicas' GPUs x run times add up to {}",
                       totals.replica_gpu_seconds, replica_gpu_seconds);
  });
  std::uint64_t by_cause = totals.maintenance_interruptions;
  for (std::uint64_t k : totals.failures.interruptions_by_process) by_cause += k;
  expect(interruptions == totals.failures.job_interruptions &&
             by_cause == totals.failures.job_interruptions,
         end, kNone, [&] {
           return fmt::format("{} interruptions counted ({} by cause); the jobs had {}",
                              totals.failures.job_interruptions, by_cause, interruptions);
         });
  const FailureTotals& failures = totals.failures;
  expect(same_counts(failures.interruptions_by_process, interruptions_by_process_) &&
             totals.maintenance_interruptions == maintenance_interruptions_,
         end, kNone, [&] {
           return fmt::format(
               "interruptions by failure process [{}] and by maintenance {}; the checker counts "
               "[{}] and {}",
               fmt::join(failures.interruptions_by_process, ", "), totals.maintenance_interruptions,
               fmt::join(interruptions_by_process_, ", "), maintenance_interruptions_);
         });
  expect(same_counts(failures.failures_by_process, failures_by_process_) &&
             failures.failures_while_offline == failures_while_offline_,
         end, kNone, [&] {
           return fmt::format(
               "failures that took effect by process [{}], {} while offline; the checker counts "
               "[{}], {}",
               fmt::join(failures.failures_by_process, ", "), failures.failures_while_offline,
               fmt::join(failures_by_process_, ", "), failures_while_offline_);
         });
  expect(detail::sums_agree(failures.down_gpu_seconds, down_gpu_seconds_), end, kNone, [&] {
    return fmt::format("down GPU-seconds {}; the integral of the GPUs failures held down is {}",
                       failures.down_gpu_seconds, down_gpu_seconds_);
  });
}

}  // namespace fleetsim
