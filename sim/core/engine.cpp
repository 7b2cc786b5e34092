#include "sim/core/engine.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sim/core/bits.hpp"
#include "sim/core/error.hpp"
#include "sim/inference/services.hpp"
#include "sim/model/elastic_scaling.hpp"

namespace fleetsim {
namespace {

// Policy preemptions of one job in a row, each before its progress began, that end the run with
// a PolicyError. A policy that keeps doing this is livelocked and would never let the run end
// (two jobs taking turns on the same GPUs, each preempted within its resume overhead, while the
// clock runs on); no sound schedule comes near it, and a livelock reaches it in about a second.
constexpr std::uint32_t kMaxFutilePreemptions = 10000;

const char* state_name(JobState s) {
  switch (s) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Draining: return "draining";
    case JobState::Done: return "done";
    case JobState::Held: return "held";
  }
  return "?";
}

std::uint64_t node_mask(std::uint32_t gpu_count) {
  return gpu_count >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << gpu_count) - 1;
}

// Calls visit(node id, node, mask of its GPUs in the component) for each node of a component.
template <class Visit>
void for_each_component_node(const Topology& topo, const ComponentGpus& gpus, Visit visit) {
  for (std::uint32_t n = 0; n < gpus.node_count; ++n) {
    const NodeId node_id{gpus.first_node.value + n};
    const Node& node = topo.node(node_id);
    visit(node_id, node,
          gpus.single_gpu_mask != 0 ? gpus.single_gpu_mask : node_mask(node.gpu_count));
  }
}

template <class IdT>
std::uint32_t sort_distinct(std::vector<IdT>& ids) {
  std::sort(ids.begin(), ids.end());
  return static_cast<std::uint32_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
}

// Sorts the ids, distinct first, and counts them. Most gangs are one node: that case is inline
// (a start calls this four times).
template <class IdT>
inline std::uint32_t count_distinct(std::vector<IdT>& ids) {
  return ids.size() < 2 ? static_cast<std::uint32_t>(ids.size()) : sort_distinct(ids);
}

}  // namespace

Engine::Engine(const Fleet& fleet, WorkloadSource& source, Policy& policy,
               const Placement& placement, EngineConfig config)
    : fleet_(&fleet),
      source_(&source),
      policy_(&policy),
      config_(std::move(config)),
      feasibility_(fleet),
      state_(fleet, placement, config_.preempt_overhead, config_.keep_finished_jobs),
      gpu_owner_(fleet.topology.gpu_count()),
      site_allocated_(fleet.topology.sites().size()),
      site_online_(fleet.topology.sites().size()),
      site_cap_sheds_(fleet.topology.sites().size(), 0) {
  totals_.total_gpus = fleet.topology.gpu_count();
  for (std::size_t s = 0; s < site_online_.size(); ++s) {
    site_online_[s].value = fleet.topology.site(SiteId{s}).gpu_count;
  }
}

RunTotals Engine::run() {
  // One allocation for the job table instead of ~20 doublings that page-fault a 300 MB copy.
  // Capped: a hint is not a promise, and 10^7 jobs is ~3 GB already.
  if (const std::optional<std::size_t> jobs = source_->size_hint()) {
    state_.jobs.reserve(std::min<std::size_t>(*jobs, 10'000'000));
  }
  if (failures_ != nullptr) {
    gpu_down_count_.assign(fleet_->topology.gpu_count(), 0);
    node_down_mask_.assign(fleet_->topology.nodes().size(), 0);
    totals_.failures.failures_by_process.assign(failures_->process_count(), 0);
    totals_.failures.interruptions_by_process.assign(failures_->process_count(), 0);
    for (std::uint32_t p = 0; p < failures_->process_count(); ++p) {
      totals_.failures.process_names.push_back(failures_->process_name(p));
    }
    for (const FailureDraw& draw : failures_->first_failures()) schedule_failure(draw);
  }
  const std::vector<CapacityWindow>& windows = fleet_->capacity_windows;
  if (!windows.empty()) rack_offline_count_.assign(fleet_->topology.racks().size(), 0);
  for (std::uint32_t w = 0; w < windows.size(); ++w) {
    if (windows[w].offline_from == 0) {
      on_capacity_offline(w);  // not built yet, or in maintenance from the start
    } else {
      calendar_.push(windows[w].offline_from, EventKind::CapacityOffline, w);
    }
  }
  for (std::size_t s = 0; s < fleet_->topology.sites().size(); ++s) {
    const SimTime next = fleet_->energy(SiteId{s}).it_cap_mw.next_value_change(0);
    if (next != kTimeNever) {
      calendar_.push(next, EventKind::CapChange, static_cast<std::uint32_t>(s));
    }
  }
  admit_next_arrival(0);
  if (services_ != nullptr) start_services();
  if (config_.sample_interval > 0) {
    calendar_.push(0, EventKind::Sample, 0);
    sample_due_ = 0;
  }
  bool stopped_at_horizon = false;
  while (!calendar_.empty()) {
    if (calendar_.next_time() > config_.horizon) {
      stopped_at_horizon = true;
      break;
    }
    // Failure processes and daily cap shapes never run dry: once no job is left to hurt, their
    // events (and capacity coming and going) are dropped without moving the clock, so they do
    // not stretch the run. Those before a sample still due happen: that sample moves the clock,
    // and the online GPUs, caps and power it integrates up to must be right.
    if (!has_work_left() && calendar_.next_time() > sample_due_ &&
        (calendar_.next_kind() == EventKind::ComponentFailure ||
         calendar_.next_kind() == EventKind::ComponentRepair ||
         calendar_.next_kind() == EventKind::CapacityOffline ||
         calendar_.next_kind() == EventKind::CapacityOnline ||
         calendar_.next_kind() == EventKind::CapChange)) {
      calendar_.pop();
      continue;
    }
    if (calendar_.next_kind() == EventKind::CapChange && cap_cycles_stalled()) {
      calendar_.pop();
      continue;
    }
    const Event event = calendar_.pop();
    // A finish reads its job's record and running-list slot, both cache misses in a large
    // run: start loading the next finish's while this event is handled. What a finish reads of
    // the record ends with the spec's leading fields (job.hpp), before its name.
    if (const Event* next = calendar_.next_heap_event();
        next != nullptr && next->kind == EventKind::JobFinish) {
      const Job* job = state_.jobs.find(JobId{next->index});  // nullptr: stale, job retired
      const auto* hot_end =
          job != nullptr ? reinterpret_cast<const char*>(&job->spec.name) : nullptr;
      for (const auto* line = reinterpret_cast<const char*>(job); line < hot_end; line += 64) {
        __builtin_prefetch(line);
      }
      if (hot_end != nullptr) __builtin_prefetch(hot_end - 1);
      if (next->index < state_.running_pos.size()) {
        __builtin_prefetch(&state_.running_pos[next->index]);
      }
    }
    advance_to(event.time);
    handle(event);
    ++totals_.events;
  }
  if (stopped_at_horizon) advance_to(config_.horizon);
  // Jobs still holding GPUs at the end: close their current segment so that run times add up
  // to the allocated GPU-seconds.
  for (Job& job : state_.jobs.slots()) {
    if (job.state == JobState::Running) {
      job.remaining = remaining_at(job, state_.now);
      close_segment(job);
    } else if (job.state == JobState::Draining) {
      add_held_time(job, state_.now - job.segment_start);
      job.segment_start = state_.now;
    }
  }
  if (services_ != nullptr) finish_services();
  while (has_next_arrival_) {
    ++totals_.arrivals_after_horizon;
    has_next_arrival_ = source_->read_next(next_arrival_);
  }
  totals_.end_time = state_.now;
  state_.power.settle(state_.now);
  for (std::size_t site = 0; site < site_online_.size(); ++site) {
    site_allocated_[site].set(site_allocated_[site].value, state_.now);
    site_online_[site].set(site_online_[site].value, state_.now);
    totals_.sites.push_back({state_.power.totals(SiteId{site}), site_allocated_[site].area,
                             site_online_[site].area, site_cap_sheds_[site]});
  }
  return totals_;
}

void Engine::advance_to(SimTime t) {
  FLEETSIM_CHECK(t >= state_.now, "time went back from {} to {}", state_.now, t);
  if (t == state_.now) return;
  totals_.allocated_gpu_seconds +=
      static_cast<double>(allocated_gpus_) * to_seconds(t - state_.now);
  if (down_gpus_ > 0) {
    totals_.failures.down_gpu_seconds += static_cast<double>(down_gpus_) * to_seconds(t - state_.now);
  }
  if (replica_gpus_ > 0) {
    totals_.replica_gpu_seconds += static_cast<double>(replica_gpus_) * to_seconds(t - state_.now);
  }
  state_.now = t;
}

void Engine::handle(const Event& event) {
  switch (event.kind) {
    case EventKind::JobFinish: on_finish(JobId{event.index}, event.epoch); break;
    case EventKind::GpusReleased: on_gpus_released(JobId{event.index}); break;
    case EventKind::JobArrival: on_arrival(); break;
    case EventKind::JobRelease: on_release(JobId{event.index}); break;
    case EventKind::ScheduleRound:
      // Several wake-ups for one instant, or a wake-up right after a pass that saw everything,
      // need no second pass.
      if (last_pass_at_ != state_.now || changed_since_pass_) run_pass();
      break;
    case EventKind::Sample: on_sample(); break;
    case EventKind::ComponentFailure: on_component_failure(event.index, event.epoch); break;
    case EventKind::ComponentRepair: on_component_repair(event.index, event.epoch); break;
    case EventKind::CapacityOffline: on_capacity_offline(event.index); break;
    case EventKind::CapacityOnline: on_capacity_online(event.index); break;
    case EventKind::ServiceUpdate:
      on_service_update(ServiceId{event.index}, static_cast<ServiceUpdateKind>(event.epoch));
      break;
    case EventKind::ReplicaReady: on_replica_ready(JobId{event.index}, event.epoch); break;
    case EventKind::CapChange: on_cap_change(SiteId{event.index}); break;
  }
}

void Engine::admit_next_arrival(SimTime previous) {
  has_next_arrival_ = source_->read_next(next_arrival_);
  if (!has_next_arrival_) return;
  FLEETSIM_CHECK(next_arrival_.submit >= previous && next_arrival_.submit >= 0,
                 "workload source gave job {} out of submit order", next_arrival_.name);
  calendar_.set_arrival(next_arrival_.submit);
}

void Engine::on_arrival() {
  FLEETSIM_CHECK(has_next_arrival_, "arrival event without a pending job");
  // origin() builds a file name string: only on the error path.
  if (!feasibility_.fits(next_arrival_)) {
    feasibility_.check(next_arrival_, source_->origin(next_arrival_));
  }
  totals_.last_arrival = state_.now;
  totals_.allocated_gpu_seconds_at_last_arrival = totals_.allocated_gpu_seconds;
  totals_.replica_gpu_seconds_at_last_arrival = totals_.replica_gpu_seconds;
  const JobId id{state_.jobs.size()};
  // Left moved-from: the source's next read_next assigns all of it.
  Job& job = state_.jobs.emplace_back(std::move(next_arrival_));
  job.checkpoint_interval = config_.checkpoint.interval;
  job.checkpoint_cost = config_.checkpoint.cost;
  has_next_arrival_ = false;
  const bool held = hold(id);  // engine_holds.cpp
  if (!held) {
    state_.enqueue(id);
    state_.changes.push_back({id, JobChangeKind::Arrived});
  }
  ++active_;
  for (RunObserver* o : observers_) o->on_arrival(job, state_.now);
  if (!held) request_pass();
  admit_next_arrival(job.spec.submit);
}

void Engine::on_finish(JobId id, std::uint32_t epoch) {
  Job* found = state_.jobs.find(id);
  // Stale: preempted since (and maybe finished and retired since).
  if (found == nullptr || found->state != JobState::Running || found->epoch != epoch) return;
  Job& job = *found;
  job.remaining = 0;
  close_segment(job);
  job.end = state_.now;
  job.state = JobState::Done;
  free_gpus(job);
  state_.remove_running(id);
  state_.changes.push_back({id, JobChangeKind::Finished});
  if (!state_.jobs.keeps_finished()) finished_since_pass_.push_back(id);
  ++finished_;
  --active_;
  for (RunObserver* o : observers_) o->on_finish(job, state_.now);
  request_pass();
}

void Engine::on_gpus_released(JobId id) {
  Job& job = state_.jobs[id];
  FLEETSIM_CHECK(job.state == JobState::Draining, "job {} released GPUs while {}", id.value,
                 state_name(job.state));
  add_held_time(job, state_.now - job.segment_start);
  free_gpus(job, remove_draining(id));
  job.state = JobState::Queued;
  state_.enqueue(id);
  state_.changes.push_back({id, JobChangeKind::Requeued});
  request_pass();
  if (job.spec.is_replica()) sync_replica(id, ReplicaEvent::Released);
}

void Engine::on_sample() {
  SampleState s;
  s.time = state_.now;
  s.allocated_gpus = allocated_gpus_;
  s.total_gpus = totals_.total_gpus;
  s.queued_jobs = state_.queue.size();
  s.running_jobs = state_.running.size();
  s.finished_jobs = finished_;
  s.sites.resize(site_online_.size());
  for (std::size_t i = 0; i < s.sites.size(); ++i) {
    const SiteId site{i};
    const SiteEnergy& energy = fleet_->energy(site);
    SiteSample& out = s.sites[i];
    out.online_gpus = site_online_[i].value;
    out.allocated_gpus = site_allocated_[i].value;
    out.it_power_mw = to_mw(state_.power.draw(site));
    out.facility_power_mw = out.it_power_mw * energy.pue;
    out.cap_mw = energy.it_cap_mw.at(state_.now);
    out.carbon_g_per_kwh = energy.carbon_g_per_kwh.at(state_.now);
    out.price_usd_per_mwh = energy.price_usd_per_mwh.at(state_.now);
  }
  for (RunObserver* o : observers_) o->on_sample(s);
  // An empty calendar here means nothing can change any more (no arrival, finish, release or
  // wake is pending): stop, even with jobs left queued, instead of sampling forever.
  sample_due_ = -1;
  if (has_work_left() && !calendar_.empty()) {
    sample_due_ = state_.now + config_.sample_interval;
    calendar_.push(sample_due_, EventKind::Sample, 0);
  }
}

bool Engine::cap_cycles_stalled() const {
  constexpr Duration kTwoDays = 48 * kMicrosPerHour;
  if (!state_.running.empty() || !draining_.empty() || has_next_arrival_ || services_open_ > 0 ||
      held_jobs_ > 0 || state_.now - last_start_ < kTwoDays) {
    return false;
  }
  for (std::size_t s = 0; s < fleet_->topology.sites().size(); ++s) {
    const StepProfile& cap = fleet_->energy(SiteId{s}).it_cap_mw;
    if (!cap.is_daily() && cap.next_value_change(state_.now) != kTimeNever) return false;
  }
  return true;
}

bool Engine::has_work_left() const {
  return has_next_arrival_ || active_ > 0 || services_open_ > 0;
}

void Engine::request_pass() {
  changed_since_pass_ = true;
  calendar_.request_pass(state_.now);
}

void Engine::run_pass() {
  ++totals_.scheduling_passes;
  const std::uint64_t free_before = state_.capacity.total_free();
  Decisions decisions = policy_->decide(SchedulerView(state_));
  const std::uint64_t kept = keep_policy_takes(decisions);
  FLEETSIM_CHECK(state_.capacity.total_free() + kept == free_before,
                 "policy {} left its FreeCapacity scratch applied", config_.policy_name);
  state_.changes.clear();
  // The policy has been told of these finishes: their records may go now.
  if (!finished_since_pass_.empty()) {
    for (JobId id : finished_since_pass_) state_.jobs.retire(id);
    finished_since_pass_.clear();
  }
  last_pass_at_ = state_.now;
  changed_since_pass_ = false;
  for (JobId id : decisions.preempts()) apply_preempt(id);
  for (const StartDecision& start : decisions.starts()) {
    validate_start(start, kept > 0);
    apply_start(start, kept > 0);
  }
  for (SimTime t : decisions.wakes()) {
    if (t <= state_.now) {
      policy_error(fmt::format("asked to be woken at t={:.6f}s, which is not in the future",
                               to_seconds(t)));
    }
    calendar_.push(t, EventKind::ScheduleRound, 0);
  }
}

std::uint64_t Engine::keep_policy_takes(const Decisions& decisions) {
  KeptTakes& kept = state_.kept_takes;
  if (kept.slices.empty()) return 0;
  std::size_t at = 0;
  std::uint64_t gpus = 0;
  bool same = decisions.preempts().empty();
  for (const StartDecision& start : decisions.starts()) {
    // A share goes through take_share, and an unknown job is for validate_start to report.
    const Job* job = state_.jobs.find(start.job);
    same = same && job != nullptr && job->spec.gpu_milli == 1000;
    for (const NodeSlice& slice : start.gpus.slices) {
      same = same && at < kept.slices.size() && kept.slices[at] == slice;
      gpus += count_gpus(slice.gpus);
      ++at;
    }
    if (!same) break;
  }
  if (same && at == kept.slices.size()) {
    kept.slices.clear();
    return gpus;
  }
  kept.undo(state_.capacity);
  return 0;
}

void Engine::apply_preempt(JobId id) {
  Job* found = state_.jobs.find(id);
  if (found == nullptr) policy_error(fmt::format("preempts {}", unknown_or_dropped(id)));
  Job& job = *found;
  if (job.state != JobState::Running) {
    policy_error(fmt::format("preempts job {} (id {}), which is {}, not running", job.spec.name,
                             id.value, state_name(job.state)));
  }
  if (!job.spec.preemptible) {
    policy_error(fmt::format("preempts job {} (id {}), which is not preemptible", job.spec.name,
                             id.value));
  }
  if (state_.now > job.progress_start) {
    job.futile_preemptions = 0;
  } else if (++job.futile_preemptions == kMaxFutilePreemptions) {
    policy_error(
        fmt::format("preempts job {} (id {}) for the {}th time in a row before it made "
                    "any progress (within its staging or resume overhead): livelocked, "
                    "the run would never end",
                    job.spec.name, id.value, kMaxFutilePreemptions));
  }
  preempt(id);
}

void Engine::preempt(JobId id) {
  Job& job = state_.jobs[id];
  job.remaining = remaining_at(job, state_.now);
  close_segment(job);  // the draining period that follows also counts as run time
  ++job.preemptions;
  ++job.epoch;  // its pending finish event is now stale
  state_.remove_running(id);
  state_.changes.push_back({id, JobChangeKind::Preempted});
  for (RunObserver* o : observers_) o->on_preempt(job, state_.now);
  if (config_.preempt_overhead == 0) {
    free_gpus(job);
    job.state = JobState::Queued;
    state_.enqueue(id);
    state_.changes.push_back({id, JobChangeKind::Requeued});
  } else {
    job.state = JobState::Draining;
    calendar_.push(state_.now + config_.preempt_overhead, EventKind::GpusReleased, id.value);
    add_draining(id);
  }
  if (job.spec.is_replica()) sync_replica(id, ReplicaEvent::Preempted);
}

void Engine::validate_start(const StartDecision& start, bool taken) {
  const JobId id = start.job;
  const Job* found = state_.jobs.find(id);
  if (found == nullptr) policy_error(fmt::format("starts {}", unknown_or_dropped(id)));
  const Job& job = *found;
  // Formatted only on the error path: this runs once per job start.
  const auto who = [&] { return fmt::format("job {} (id {})", job.spec.name, id.value); };
  if (job.state != JobState::Queued) {
    policy_error(fmt::format("starts {}, which is {}, not queued", who(), state_name(job.state)));
  }
  const std::uint32_t count = start.gpus.gpu_count();
  if (!job.spec.elastic() && count != job.spec.gpus) {
    policy_error(fmt::format("starts {} on {} GPUs; its gang size is {}", who(), count,
                             job.spec.gpus));
  }
  if (job.spec.elastic() && (count < job.spec.min_gang() || count > job.spec.max_gang())) {
    policy_error(fmt::format("starts elastic {} on {} GPUs; it runs on {} to {}", who(), count,
                             job.spec.min_gang(), job.spec.max_gang()));
  }
  const Topology& topo = fleet_->topology;
  GpuTypeId type;
  SiteId site;
  std::vector<NodeId>& nodes = scratch_nodes_;
  nodes.clear();
  scratch_sites_.clear();
  for (const NodeSlice& slice : start.gpus.slices) {
    if (slice.node.index() >= topo.nodes().size()) {
      policy_error(fmt::format("starts {} on unknown node id {}", who(), slice.node.value));
    }
    const Node& node = topo.node(slice.node);
    if (slice.gpus == 0 || (slice.gpus & ~node_mask(node.gpu_count)) != 0) {
      policy_error(fmt::format("starts {} on GPUs {:#x} of node {}, which has {} GPUs", who(),
                               slice.gpus, slice.node.value, node.gpu_count));
    }
    const bool share = job.spec.gpu_milli < 1000;
    // Kept takes were checked free as the scratch took them, one start after another.
    const std::uint64_t busy = taken ? 0 : slice.gpus & ~state_.capacity.free_mask(slice.node);
    if (share && !state_.capacity.share_fits(
                     slice.node, static_cast<std::uint32_t>(std::countr_zero(slice.gpus)),
                     job.spec.gpu_milli)) {
      const std::uint32_t gpu =
          node.first_gpu.value + static_cast<std::uint32_t>(std::countr_zero(slice.gpus));
      policy_error(fmt::format("starts {} ({} milli-GPUs) on GPU {} (node {}), which is {}", who(),
                               job.spec.gpu_milli, gpu, slice.node.value,
                               why_taken(gpu, slice.node)));
    }
    if (busy != 0 && !share) {
      const std::uint32_t gpu = node.first_gpu.value + static_cast<std::uint32_t>(std::countr_zero(busy));
      policy_error(fmt::format("starts {} on GPU {} (node {}), which is {}", who(), gpu,
                               slice.node.value, why_taken(gpu, slice.node)));
    }
    const SiteId node_site = topo.cluster(topo.rack(node.rack).cluster).site;
    if (!type.valid()) {
      type = node.type;
      site = node_site;
    } else if (node.type != type) {
      policy_error(fmt::format("starts {} on mixed GPU types {} and {}; a gang uses one type",
                               who(), fleet_->catalog.type(type).name,
                               fleet_->catalog.type(node.type).name));
    } else if (node_site != site && !fleet_->cross_site.allowed) {
      policy_error(fmt::format("starts {} across sites {} and {}", who(), topo.site(site).name,
                               topo.site(node_site).name));
    }
    nodes.push_back(slice.node);
    scratch_sites_.push_back(node_site);
  }
  const auto& allowed = job.spec.allowed_types;
  if (type.valid() && !allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
    policy_error(fmt::format("starts {} on GPU type {}, which the job does not allow", who(),
                             fleet_->catalog.type(type).name));
  }
  if (count_distinct(nodes) != nodes.size()) {
    policy_error(fmt::format("starts {} with a node listed twice in its allocation", who()));
  }
  validate_sites(job, id, type, start.gpus);
}

void Engine::validate_sites(const Job& job, JobId id, GpuTypeId type, const Allocation& gpus) {
  const Topology& topo = fleet_->topology;
  const auto who = [&] { return fmt::format("job {} (id {})", job.spec.name, id.value); };
  std::vector<SiteId>& sites = scratch_sites_;
  const std::size_t distinct = count_distinct(sites);  // sorted, distinct first
  for (std::size_t i = 0; i < distinct; ++i) {
    const SiteId site = sites[i];
    if (!job.spec.may_run_at(site)) {
      std::vector<std::string> allowed;
      for (std::size_t s = 0; s < topo.sites().size(); ++s) {
        if (job.spec.may_run_at(SiteId{s})) allowed.push_back(topo.site(SiteId{s}).name);
      }
      policy_error(fmt::format("starts {} at site {} ({}), outside its residency (sites allowed: "
                               "{})",
                               who(), topo.site(site).name, topo.site(site).country,
                               fmt::join(allowed, ", ")));
    }
    if (job.spec.stages_data() &&
        !fleet_->wan.reachable(job.spec.data_site, site)) {
      policy_error(fmt::format("starts {} at site {}, which no WAN path joins to its data at {}",
                               who(), topo.site(site).name, topo.site(job.spec.data_site).name));
    }
  }
  if (distinct > 1) {
    for (std::size_t i = 0; i < distinct; ++i) {
      for (std::size_t k = i + 1; k < distinct; ++k) {
        const SiteId a = sites[i], b = sites[k];
        if (!fleet_->wan.reachable(a, b) ||
            fleet_->wan.rtt_ms(a, b) > fleet_->cross_site.max_rtt_ms) {
          policy_error(fmt::format("starts {} across sites {} and {}, more than the {} ms RTT a "
                                   "cross-site gang may span",
                                   who(), topo.site(a).name, topo.site(b).name,
                                   fleet_->cross_site.max_rtt_ms));
        }
      }
    }
  }
  if (!state_.power.any_cap()) return;
  // Per-site extra draw of this start, against each site's headroom.
  const Milliwatts per_gpu = busy_extra_mw(fleet_->catalog.type(type), job.spec.gpu_utilisation,
                                            job.spec.gpu_milli);
  for (std::size_t i = 0; i < distinct; ++i) {
    const SiteId site = sites[i];
    Milliwatts extra = 0;
    for (const NodeSlice& slice : gpus.slices) {
      if (fleet_->site_of(slice.node) == site) extra += per_gpu * count_gpus(slice.gpus);
    }
    if (extra > state_.power.headroom(site)) {
      policy_error(fmt::format("starts {} at site {}: {:.3f} MW more would exceed its IT power "
                               "cap of {:.3f} MW (drawing {:.3f} MW)",
                               who(), topo.site(site).name, to_mw(extra),
                               to_mw(state_.power.cap(site)), to_mw(state_.power.draw(site))));
    }
  }
}

void Engine::apply_start(const StartDecision& start, bool taken) {
  Job& job = state_.jobs[start.job];
  const Topology& topo = fleet_->topology;
  std::vector<RackId>& racks = scratch_racks_;
  std::vector<ClusterId>& clusters = scratch_clusters_;
  std::vector<SiteId>& sites = scratch_sites_;
  racks.clear();
  clusters.clear();
  sites.clear();
  const bool share = job.spec.gpu_milli < 1000;
  for (const NodeSlice& slice : start.gpus.slices) {
    const Node& node = topo.node(slice.node);
    if (share) {
      take_share(start.job, job, slice.node, slice.gpus);
    } else {
      if (!taken) state_.capacity.take(slice.node, slice.gpus);
      for (std::uint64_t m = slice.gpus; m != 0; m &= m - 1) {
        gpu_owner_[node.first_gpu.value + static_cast<std::uint32_t>(std::countr_zero(m))] =
            start.job;
      }
    }
    racks.push_back(node.rack);
    const ClusterId cluster = topo.rack(node.rack).cluster;
    clusters.push_back(cluster);
    sites.push_back(topo.cluster(cluster).site);
  }
  job.gpu_type = topo.node(start.gpus.slices.front().node).type;
  job.site = sites.front();
  const Milliwatts per_gpu =
      busy_extra_mw(fleet_->catalog.type(job.gpu_type), job.spec.gpu_utilisation,
                    job.spec.gpu_milli);
  for (std::size_t i = 0; i < start.gpus.slices.size(); ++i) {
    const std::int64_t gpus = count_gpus(start.gpus.slices[i].gpus);
    state_.power.change(sites[i], per_gpu * gpus, state_.now);
    if (!share) add_site_allocated(sites[i], gpus);  // take_share counted an opened GPU
  }
  job.span = {static_cast<std::uint32_t>(start.gpus.slices.size()), count_distinct(racks),
              count_distinct(clusters), count_distinct(sites)};
  const std::uint32_t gang = start.gpus.gpu_count();
  if (job.first_start != kTimeNever && gang != job.gang) {
    ++job.resizes;
    ++totals_.elastic.resizes;
  }
  job.gang = gang;
  job.rate = fleet_->catalog.speed(job.gpu_type, job.spec.job_class);
  if (job.spec.elastic()) job.rate *= elastic_speed(job.spec, gang);
  if (job.span.racks > 1) job.rate *= fleet_->span_speed.cross_rack;
  if (job.span.clusters > 1) job.rate *= fleet_->span_speed.cross_cluster;
  if (job.span.sites > 1) {
    double rtt_ms = 0;  // the largest between the gang's sites
    for (std::uint32_t i = 0; i < job.span.sites; ++i) {
      for (std::uint32_t k = i + 1; k < job.span.sites; ++k) {
        rtt_ms = std::max(rtt_ms, fleet_->wan.rtt_ms(sites[i], sites[k]));
      }
    }
    job.rate /= 1 + rtt_ms / fleet_->cross_site.half_speed_rtt_ms;
  }
  job.allocation = start.gpus;
  job.state = JobState::Running;
  if (job.first_start == kTimeNever) job.first_start = state_.now;
  last_start_ = state_.now;
  job.segment_start = state_.now;
  // Input data elsewhere is staged over the WAN first (once per site), then a restart or resume.
  // Every site of a cross-site gang needs it; the transfers run side by side, the slowest counts.
  job.segment_staging = 0;
  if (job.spec.stages_data()) {
    for (std::uint32_t i = 0; i < job.span.sites; ++i) {  // sites[0, span.sites): distinct
      if (sites[i] == job.spec.data_site || sites[i] == job.staged_site) continue;
      job.segment_staging = std::max(
          job.segment_staging,
          fleet_->wan.staging_time(job.spec.data_site, sites[i], job.spec.data_gb));
    }
    if (job.segment_staging > 0) job.staged_site = job.site;
    job.staging_time += job.segment_staging;
    add_elastic(job, totals_.elastic.staging_gpu_seconds, job.segment_staging);
  }
  const Duration overhead = job.restarting         ? config_.checkpoint.restart
                            : job.preemptions > 0 ? config_.resume_overhead
                                                  : 0;
  job.progress_start = state_.now + job.segment_staging + overhead;
  if (job.restarting) job.recovery_time += job.progress_start - job.interrupted_at;
  ++job.epoch;
  const Duration compute =
      job.rate == 1.0 ? job.remaining
                      : static_cast<Duration>(std::ceil(static_cast<double>(job.remaining) /
                                                        job.rate));
  if (job.spec.is_replica()) {
    start_replica(start.job);  // engine_services.cpp: no finish; serving after its start time
  } else {
    calendar_.push(job.progress_start + wall_for_compute(job, compute), EventKind::JobFinish,
                   start.job.value, job.epoch);
  }
  if (!share) allocated_gpus_ += job.gang;
  state_.queue.erase(start.job);
  state_.add_running(start.job);
  state_.changes.push_back({start.job, JobChangeKind::Started});
  SPDLOG_TRACE("t={} start job={} gpus={}", state_.now, job.spec.name, job.gang);
  for (RunObserver* o : observers_) o->on_start(job, state_.now);
}

void Engine::free_gpus(Job& job, bool with_power) {
  const Topology& topo = fleet_->topology;
  const Milliwatts per_gpu =
      busy_extra_mw(fleet_->catalog.type(job.gpu_type), job.spec.gpu_utilisation,
                    job.spec.gpu_milli);
  for (const NodeSlice& slice : job.allocation.slices) {
    const Node& node = topo.node(slice.node);
    const SiteId site = fleet_->site_of(slice.node);
    const std::int64_t gpus = count_gpus(slice.gpus);
    if (with_power) state_.power.change(site, -per_gpu * gpus, state_.now);
    if (job.spec.gpu_milli < 1000) {
      const JobId id = state_.jobs.id_of(job);
      free_share(id, job, slice.node, slice.gpus);
      continue;
    }
    add_site_allocated(site, -gpus);
    // Failed GPUs stay out of the free capacity until their repair, offline racks until they
    // come back.
    std::uint64_t usable =
        node_down_mask_.empty() ? slice.gpus : slice.gpus & ~node_down_mask_[slice.node.index()];
    if (!rack_online(node.rack)) usable = 0;
    if (usable != 0) state_.capacity.release(slice.node, usable);
    for (std::uint64_t m = slice.gpus; m != 0; m &= m - 1) {
      gpu_owner_[node.first_gpu.value + static_cast<std::uint32_t>(std::countr_zero(m))] = JobId{};
    }
  }
  if (job.spec.gpu_milli == 1000) allocated_gpus_ -= job.gang;
  if (job.spec.is_replica()) replica_gpus_ -= job.gang;
  job.allocation.slices.clear();
}

void Engine::on_cap_change(SiteId site) {
  const Milliwatts before = state_.power.cap(site);
  state_.power.set_cap(site, state_.now);
  const SimTime next = fleet_->energy(site).it_cap_mw.next_value_change(state_.now);
  if (next != kTimeNever) calendar_.push(next, EventKind::CapChange, site.value);
  SPDLOG_DEBUG("t={} cap site={} cap_mw={:.6f} draw_mw={:.6f}", state_.now, site.value,
               to_mw(state_.power.cap(site)), to_mw(state_.power.draw(site)));
  if (state_.power.cap(site) > before) {
    request_pass();  // queued jobs may fit now
  } else if (state_.power.draw(site) > state_.power.cap(site)) {
    shed_to_cap(site);
  }
}

bool Engine::holds_gpus_at(const Job& job, SiteId site) const {
  return std::any_of(job.allocation.slices.begin(), job.allocation.slices.end(),
                     [&](const NodeSlice& s) { return fleet_->site_of(s.node) == site; });
}

void Engine::add_draining(JobId id) {
  if (draining_pos_.size() <= id.index()) draining_pos_.resize(state_.jobs.size());
  draining_pos_[id.index()] = static_cast<std::uint32_t>(draining_.size());
  draining_.push_back({id, true});
}

bool Engine::remove_draining(JobId id) {
  const std::uint32_t pos = draining_pos_[id.index()];
  FLEETSIM_CHECK(pos < draining_.size() && draining_[pos].id == id, "draining job {} not listed",
                 id.value);
  const bool powered = draining_[pos].powered;
  draining_[pos] = draining_.back();
  draining_pos_[draining_[pos].id.index()] = pos;
  draining_.pop_back();
  return powered;
}

void Engine::cut_draining_power(Job& job) {
  const Milliwatts per_gpu =
      busy_extra_mw(fleet_->catalog.type(job.gpu_type), job.spec.gpu_utilisation,
                    job.spec.gpu_milli);
  for (const NodeSlice& slice : job.allocation.slices) {
    state_.power.change(fleet_->site_of(slice.node), -per_gpu * count_gpus(slice.gpus), state_.now);
  }
}

void Engine::shed_to_cap(SiteId site) {
  const auto over = [&] { return state_.power.draw(site) > state_.power.cap(site); };
  for (DrainingJob& d : draining_) {
    if (!over()) break;
    Job& job = state_.jobs[d.id];
    if (!d.powered || !holds_gpus_at(job, site)) continue;
    cut_draining_power(job);
    d.powered = false;
    for (RunObserver* o : observers_) o->on_power_cut(job, state_.now);
  }
  std::vector<JobId>& victims = scratch_victims_;
  victims.clear();
  for (JobId id : state_.running) {
    if (holds_gpus_at(state_.jobs[id], site)) victims.push_back(id);
  }
  if (state_.site_selection != nullptr) {
    state_.site_selection->order_shed_victims(state_.jobs, victims);
  } else {
    default_shed_order(state_.jobs, victims);
  }
  for (JobId id : victims) {
    if (!over()) break;
    SPDLOG_DEBUG("t={} shed job={} site={}", state_.now, state_.jobs[id].spec.name,
                 site.value);
    preempt(id);
    if (state_.jobs[id].state == JobState::Draining) {
      cut_draining_power(state_.jobs[id]);
      draining_[draining_pos_[id.index()]].powered = false;
      for (RunObserver* o : observers_) o->on_power_cut(state_.jobs[id], state_.now);
    }
    ++totals_.cap_sheds;
    ++site_cap_sheds_[site.index()];
  }
  // Idle draw within every cap value is checked at load (fleet_config.cpp).
  FLEETSIM_CHECK(!over(), "site {} draws {} mW over its cap {} mW with nothing left to shed",
                 site.value, state_.power.draw(site), state_.power.cap(site));
  request_pass();
}

void Engine::close_segment(Job& job) {
  const Duration progress = state_.now - job.progress_start;
  if (progress > 0) {
    const Duration saving = progress - compute_within(job, progress);
    job.checkpoint_time += saving;
    add_elastic(job, totals_.elastic.checkpoint_gpu_seconds, saving);
  }
  const SimTime staged_at = job.segment_start + job.segment_staging;
  if (state_.now < staged_at) {
    // Stopped while its data was still on the way: a later start there stages it again.
    job.staging_time -= staged_at - state_.now;
    add_elastic(job, totals_.elastic.staging_gpu_seconds, -(staged_at - state_.now));
    job.staged_site = SiteId{};
  }
  if (job.restarting) {
    const Duration restart =
        std::max<Duration>(0, std::min(state_.now, job.progress_start) - staged_at);
    job.restart_time += restart;
    add_elastic(job, totals_.elastic.restart_gpu_seconds, restart);
    job.restarting = false;
  }
  add_held_time(job, state_.now - job.segment_start);
  job.segment_start = state_.now;
}

void Engine::schedule_failure(const FailureDraw& draw) {
  calendar_.push(draw.time, EventKind::ComponentFailure, draw.process, draw.component);
}

void Engine::on_component_failure(std::uint32_t process, std::uint32_t component) {
  const FailureModel::Outcome outcome = failures_->fail(process, component, state_.now);
  if (outcome.next) schedule_failure(*outcome.next);
  if (!outcome.takes_effect) return;  // already down for this cause: a thinned draw
  calendar_.push(outcome.repair_at, EventKind::ComponentRepair, process, component);
  const ComponentGpus gpus = failures_->gpus_of(process, component);
  const bool offline = component_offline(gpus);
  for (RunObserver* o : observers_) {
    o->on_failure(*failures_, process, component, !offline, state_.now);
  }
  if (offline) {
    // The model still repairs it (and draws its next failure then); the engine ignores both.
    ++totals_.failures.failures_while_offline;
    offline_failures_.insert(std::uint64_t{process} << 32 | component);
    return;
  }
  ++totals_.failures.failures_by_process[process];

  std::vector<JobId>& hit = scratch_interrupted_;
  hit.clear();
  const auto take_down = [&](NodeId node_id, const Node& node, std::uint64_t mask) {
    std::uint64_t newly_down_free = 0;
    for (std::uint64_t m = mask; m != 0; m &= m - 1) {
      const auto bit = static_cast<std::uint32_t>(std::countr_zero(m));
      const std::uint32_t gpu = node.first_gpu.value + bit;
      FLEETSIM_CHECK(gpu_down_count_[gpu] < 255, "GPU {} down for over 255 overlapping reasons", gpu);
      if (gpu_down_count_[gpu]++ > 0) continue;  // already down
      node_down_mask_[node_id.index()] |= std::uint64_t{1} << bit;
      ++down_gpus_;
      if ((state_.capacity.free_mask(node_id) >> bit & 1U) != 0) {
        newly_down_free |= std::uint64_t{1} << bit;
      } else {
        add_holders(gpu, hit);  // a Draining job keeps the GPU until its release, which skips it
      }
    }
    if (newly_down_free != 0) state_.capacity.take(node_id, newly_down_free);
    sync_unshareable(node_id);
  };
  for_each_component_node(fleet_->topology, gpus, take_down);
  for (JobId id : hit) {
    if (state_.jobs[id].state != JobState::Running) continue;  // hit twice: once only
    interrupt(id);
    ++totals_.failures.interruptions_by_process[process];
  }
  if (!hit.empty()) request_pass();
}

bool Engine::component_offline(const ComponentGpus& gpus) const {
  if (rack_offline_count_.empty()) return false;
  const Topology& topo = fleet_->topology;
  for (std::uint32_t n = 0; n < gpus.node_count; ++n) {
    if (rack_online(topo.node(NodeId{gpus.first_node.value + n}).rack)) return false;
  }
  return true;
}

void Engine::on_component_repair(std::uint32_t process, std::uint32_t component) {
  if (const std::optional<FailureDraw> next = failures_->repair(process, component, state_.now)) {
    schedule_failure(*next);
  }
  for (RunObserver* o : observers_) o->on_repair(*failures_, process, component, state_.now);
  const std::uint64_t key = std::uint64_t{process} << 32 | component;
  if (!offline_failures_.empty() && offline_failures_.erase(key) > 0) return;  // nothing went down
  bool freed = false;
  const auto bring_back = [&](NodeId node_id, const Node& node, std::uint64_t mask) {
    std::uint64_t back_free = 0;
    for (std::uint64_t m = mask; m != 0; m &= m - 1) {
      const auto bit = static_cast<std::uint32_t>(std::countr_zero(m));
      const std::uint32_t gpu = node.first_gpu.value + bit;
      FLEETSIM_CHECK(gpu_down_count_[gpu] > 0, "GPU {} repaired while up", gpu);
      if (--gpu_down_count_[gpu] > 0) continue;  // still down for another reason
      node_down_mask_[node_id.index()] &= ~(std::uint64_t{1} << bit);
      --down_gpus_;
      // A GPU a draining job still holds (whole or by shares) comes free at that job's release
      // instead, one in an offline rack when the rack comes back.
      if (!gpu_owner_[gpu].valid() && (state_.capacity.shared_mask(node_id) >> bit & 1U) == 0 &&
          rack_online(node.rack)) {
        back_free |= std::uint64_t{1} << bit;
      }
    }
    sync_unshareable(node_id);
    if (back_free != 0) {
      state_.capacity.release(node_id, back_free);
      freed = true;
    }
  };
  for_each_component_node(fleet_->topology, failures_->gpus_of(process, component), bring_back);
  if (freed) request_pass();
}

void Engine::interrupt(JobId id) {
  Job& job = state_.jobs[id];
  // Work since the last completed checkpoint is lost; without checkpoints, the whole segment.
  const Duration progress = std::max<Duration>(0, state_.now - job.progress_start);
  const Duration compute = compute_within(job, progress);
  Duration kept = 0;
  if (job.checkpoint_interval > 0) {
    kept = progress / (job.checkpoint_interval + job.checkpoint_cost) * job.checkpoint_interval;
  }
  job.lost_time += compute - kept;
  add_elastic(job, totals_.elastic.lost_gpu_seconds, compute - kept);
  const auto kept_work = static_cast<Duration>(static_cast<double>(kept) * job.rate);
  job.remaining = kept_work >= job.remaining ? 0 : job.remaining - kept_work;
  close_segment(job);
  job.restarting = true;
  job.interrupted_at = state_.now;
  ++job.interruptions;
  ++totals_.failures.job_interruptions;
  ++job.epoch;  // its pending finish event is now stale
  state_.remove_running(id);
  free_gpus(job);
  job.state = JobState::Queued;
  state_.enqueue(id);
  // Policies see an interruption as a preemption they did not ask for.
  state_.changes.push_back({id, JobChangeKind::Preempted});
  state_.changes.push_back({id, JobChangeKind::Requeued});
  for (RunObserver* o : observers_) o->on_interrupt(job, state_.now);
  if (job.spec.is_replica()) sync_replica(id, ReplicaEvent::Interrupted);
}

void Engine::add_site_allocated(SiteId site, std::int64_t delta) {
  StepIntegral& s = site_allocated_[site.index()];
  s.set(static_cast<std::uint64_t>(static_cast<std::int64_t>(s.value) + delta), state_.now);
}

void Engine::on_capacity_offline(std::uint32_t window) {
  const CapacityWindow& w = fleet_->capacity_windows[window];
  for (std::uint32_t r = 0; r < w.rack_count; ++r) take_rack_offline(RackId{w.first_rack.value + r});
  if (w.online_at != kTimeNever) calendar_.push(w.online_at, EventKind::CapacityOnline, window);
}

void Engine::on_capacity_online(std::uint32_t window) {
  const CapacityWindow& w = fleet_->capacity_windows[window];
  for (std::uint32_t r = 0; r < w.rack_count; ++r) bring_rack_online(RackId{w.first_rack.value + r});
  // Racks back online draw idle power that the busy jobs' headroom did not count: shed if
  // that puts the site over its cap.
  const SiteId site = fleet_->topology.cluster(fleet_->topology.rack(w.first_rack).cluster).site;
  if (state_.power.draw(site) > state_.power.cap(site)) shed_to_cap(site);
  request_pass();
}

void Engine::take_rack_offline(RackId rack_id) {
  FLEETSIM_CHECK(rack_offline_count_[rack_id.index()] < 255, "rack {} offline 255 times over",
                 rack_id.value);
  if (rack_offline_count_[rack_id.index()]++ > 0) return;  // already offline
  const Topology& topo = fleet_->topology;
  const Rack& rack = topo.rack(rack_id);
  std::vector<JobId>& hit = scratch_interrupted_;
  hit.clear();
  for (std::uint32_t n = 0; n < rack.node_count; ++n) {
    const NodeId node_id{rack.first_node.value + n};
    const Node& node = topo.node(node_id);
    if (const std::uint64_t free = state_.capacity.free_mask(node_id); free != 0) {
      state_.capacity.take(node_id, free);
    }
    sync_unshareable(node_id);
    // A Draining job keeps the GPU until its release, which then skips it.
    for (std::uint32_t g = 0; g < node.gpu_count; ++g) add_holders(node.first_gpu.value + g, hit);
  }
  for (JobId id : hit) {
    if (state_.jobs[id].state != JobState::Running) continue;  // hit twice: once only
    interrupt(id);
    ++totals_.maintenance_interruptions;
  }
  const SiteId site = topo.cluster(rack.cluster).site;
  state_.power.change(site, -powered_draw_mw(fleet_->catalog.type(rack.type)) * rack.gpu_count,
                      state_.now);
  site_online_[site.index()].set(site_online_[site.index()].value - rack.gpu_count, state_.now);
  if (!hit.empty()) request_pass();
}

void Engine::bring_rack_online(RackId rack_id) {
  FLEETSIM_CHECK(rack_offline_count_[rack_id.index()] > 0, "rack {} brought online twice",
                 rack_id.value);
  if (--rack_offline_count_[rack_id.index()] > 0) return;  // still offline for another window
  const Topology& topo = fleet_->topology;
  const Rack& rack = topo.rack(rack_id);
  for (std::uint32_t n = 0; n < rack.node_count; ++n) {
    const NodeId node_id{rack.first_node.value + n};
    const Node& node = topo.node(node_id);
    std::uint64_t back = node_down_mask_.empty() ? node_mask(node.gpu_count)
                                                 : node_mask(node.gpu_count) &
                                                       ~node_down_mask_[node_id.index()];
    back &= ~state_.capacity.shared_mask(node_id);
    for (std::uint32_t g = 0; g < node.gpu_count; ++g) {
      if (gpu_owner_[node.first_gpu.value + g].valid()) back &= ~(std::uint64_t{1} << g);
    }
    if (back != 0) state_.capacity.release(node_id, back);
    sync_unshareable(node_id);
  }
  const SiteId site = topo.cluster(rack.cluster).site;
  state_.power.change(site, powered_draw_mw(fleet_->catalog.type(rack.type)) * rack.gpu_count,
                      state_.now);
  site_online_[site.index()].set(site_online_[site.index()].value + rack.gpu_count, state_.now);
}

void Engine::policy_error(const std::string& message) const {
  throw PolicyError(fmt::format("policy {}: t={:.6f}s: {}", config_.policy_name,
                                to_seconds(state_.now), message));
}

std::string Engine::unknown_or_dropped(JobId id) const {
  if (id.index() >= state_.jobs.size()) return fmt::format("unknown job id {}", id.value);
  return fmt::format("job id {}, which finished and was dropped after the pass told of it (the "
                     "engine does not keep finished jobs)",
                     id.value);
}

std::string Engine::why_taken(std::uint32_t gpu, NodeId node_id) const {
  const Node& node = fleet_->topology.node(node_id);
  const auto name = [&](JobId id) {
    return fmt::format("job {} (id {})", state_.jobs[id].spec.name, id.value);
  };
  if (const JobId owner = gpu_owner_[gpu]; owner.valid()) {
    return "already held by " + name(owner);
  }
  if (!gpu_down_count_.empty() && gpu_down_count_[gpu] > 0) return "down (failed)";
  if (!rack_online(node.rack)) return fmt::format("in rack {}, which is offline", node.rack.value);
  const auto holders = share_holders_.find(gpu);
  if (holders == share_holders_.end()) return "not free";
  std::string who;
  for (JobId id : holders->second) who += (who.empty() ? "" : ", ") + name(id);
  const std::uint32_t used = state_.capacity.share_used(node_id, gpu - node.first_gpu.value);
  return fmt::format("shared by {} ({} of 1000 milli-GPUs used)", who, used);
}

void Engine::add_held_time(Job& job, Duration wall) {
  job.run_time += wall;
  // A share of a GPU used that share of its GPU-seconds.
  job.gpu_seconds += job.spec.gpu_milli < 1000 ? job.spec.gpu_milli / 1000.0 * to_seconds(wall)
                                               : job.gang * to_seconds(wall);
}

void Engine::take_share(JobId id, const Job& job, NodeId node, std::uint64_t gpu) {
  const auto bit = static_cast<std::uint32_t>(std::countr_zero(gpu));
  if ((state_.capacity.free_mask(node) & gpu) != 0) {  // opens the GPU: one more allocated
    state_.capacity.take(node, gpu);
    ++allocated_gpus_;
    add_site_allocated(fleet_->site_of(node), 1);
  }
  state_.capacity.add_share(node, bit, job.spec.gpu_milli);
  share_holders_[fleet_->topology.node(node).first_gpu.value + bit].push_back(id);
}

void Engine::free_share(JobId id, const Job& job, NodeId node, std::uint64_t gpu) {
  const auto bit = static_cast<std::uint32_t>(std::countr_zero(gpu));
  const Node& n = fleet_->topology.node(node);
  const auto holders = share_holders_.find(n.first_gpu.value + bit);
  FLEETSIM_CHECK(holders != share_holders_.end(), "job {} frees a share it does not hold", id.value);
  std::erase(holders->second, id);
  if (holders->second.empty()) share_holders_.erase(holders);
  if (!state_.capacity.remove_share(node, bit, job.spec.gpu_milli)) return;
  --allocated_gpus_;  // its last share: the GPU is no longer allocated
  add_site_allocated(fleet_->site_of(node), -1);
  const bool down = !node_down_mask_.empty() && (node_down_mask_[node.index()] & gpu) != 0;
  if (!down && rack_online(n.rack)) state_.capacity.release(node, gpu);
}

void Engine::add_holders(std::uint32_t gpu, std::vector<JobId>& hit) const {
  const auto running = [&](JobId id) { return state_.jobs[id].state == JobState::Running; };
  if (const JobId owner = gpu_owner_[gpu]; owner.valid()) {
    if (running(owner)) hit.push_back(owner);
  } else if (const auto holders = share_holders_.find(gpu); holders != share_holders_.end()) {
    for (JobId id : holders->second) {
      if (running(id)) hit.push_back(id);
    }
  }
}

void Engine::sync_unshareable(NodeId node) {
  const Node& n = fleet_->topology.node(node);
  const std::uint64_t down = node_down_mask_.empty() ? 0 : node_down_mask_[node.index()];
  state_.capacity.set_unshareable(node, rack_online(n.rack) ? down : node_mask(n.gpu_count));
}

void Engine::add_elastic(const Job& job, double& gpu_seconds, Duration wall) {
  if (job.spec.elastic()) gpu_seconds += job.gang * to_seconds(wall);
}

}  // namespace fleetsim
