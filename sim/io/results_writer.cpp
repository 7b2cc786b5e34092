#include "sim/io/results_writer.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "sim/io/csv_cell.hpp"
#include "sim/io/service_config.hpp"
#include "sim/io/service_results.hpp"

namespace fleetsim {
namespace {

// Opens `path`, lets `write` fill it, and reports a failure naming the file.
template <class Write>
void write_file_with(const std::string& path, const Write& write) {
  std::ofstream out(path, std::ios::binary);
  write(out);
  if (!out) throw ConfigError({path, 0, 0}, "", "cannot write results file");
}

void write_file(const std::string& path, const std::string& text) {
  write_file_with(path, [&](std::ostream& out) { out << text; });
}

nlohmann::ordered_json to_json(const Distribution& d) {
  return {{"count", d.count}, {"mean", d.mean}, {"p50", d.p50},
          {"p95", d.p95},     {"p99", d.p99},   {"max", d.max}};
}

bool cap_profiled(const SiteConfig& sc) {
  return sc.power_cap_mw && sc.power_cap_mw->kind != ProfileConfig::Kind::Constant;
}

// A constant cap as a number (null: none); a profile as its range, {"min": x, "max": y}.
nlohmann::ordered_json cap_json(const SiteConfig& sc) {
  if (!sc.power_cap_mw) return nullptr;
  const ProfileConfig& p = *sc.power_cap_mw;
  switch (p.kind) {
    case ProfileConfig::Kind::Constant: return p.value;
    case ProfileConfig::Kind::Daily:
      return {{"min", *std::min_element(p.hourly.begin(), p.hourly.end())},
              {"max", *std::max_element(p.hourly.begin(), p.hourly.end())}};
    case ProfileConfig::Kind::Series:
      return {{"min", *std::min_element(p.series_values.begin(), p.series_values.end())},
              {"max", *std::max_element(p.series_values.begin(), p.series_values.end())}};
  }
  return nullptr;
}

// Fleet totals, then one entry per site: energy, carbon, cost, power against the cap, and
// utilisation of the GPUs that were online.
nlohmann::ordered_json energy_json(const ScenarioConfig& config, const RunTotals& totals) {
  // Sheds are counted only where a cap can drop: a fleet of constant caps keeps its old summary.
  const bool cap_varies = std::any_of(config.fleet.sites.begin(), config.fleet.sites.end(),
                                      [](const SiteConfig& sc) { return cap_profiled(sc); });
  nlohmann::ordered_json sites = nlohmann::ordered_json::array();
  const double run_h = to_seconds(totals.end_time) / 3600.0;
  for (std::size_t i = 0; i < totals.sites.size(); ++i) {
    const SiteRunTotals& t = totals.sites[i];
    const SiteConfig& sc = config.fleet.sites[i];
    nlohmann::ordered_json site;
    site["name"] = sc.name;
    site["country"] = sc.country;
    site["provider"] = sc.provider;
    site["it_cap_mw"] = cap_json(sc);
    site["pue"] = sc.pue;
    site["peak_it_mw"] = to_mw(t.energy.peak_it_mw);
    site["mean_it_mw"] = run_h > 0 ? t.energy.it_mwh / run_h : 0.0;
    site["it_mwh"] = t.energy.it_mwh;
    site["facility_mwh"] = t.energy.facility_mwh;
    site["carbon_t"] = t.energy.carbon_t;
    site["cost_usd"] = t.energy.cost_usd;
    site["allocated_gpu_hours"] = t.allocated_gpu_seconds / 3600.0;
    site["online_gpu_hours"] = t.online_gpu_seconds / 3600.0;
    site["gpu_utilisation"] =
        t.online_gpu_seconds > 0 ? t.allocated_gpu_seconds / t.online_gpu_seconds : 0.0;
    if (cap_varies) site["cap_sheds"] = t.cap_sheds;
    sites.push_back(std::move(site));
  }
  const SiteEnergyTotals fleet = fleet_energy(totals);
  nlohmann::ordered_json out = {{"it_mwh", fleet.it_mwh},
                                {"facility_mwh", fleet.facility_mwh},
                                {"carbon_t", fleet.carbon_t},
                                {"cost_usd", fleet.cost_usd}};
  if (cap_varies) out["cap_sheds"] = totals.cap_sheds;
  out["sites"] = std::move(sites);
  return out;
}

std::string summary_json(const ScenarioConfig& config, const RunResult& r) {
  const Summary& s = r.summary;
  nlohmann::ordered_json j;
  j["fleetsim_version"] = fleetsim_version();
  j["scenario"] = config.name;
  j["seed"] = config.seed;
  j["policy"] = config.policy;
  j["placement"] = config.placement;
  j["site_selection"] = config.site_selection;
  j["jobs"] = s.jobs;
  j["finished"] = s.finished;
  j["unfinished"] = {{"never_started", s.never_started},
                     {"queued_at_end", s.queued_at_end},
                     {"running_at_end", s.running_at_end}};
  j["arrivals_after_horizon"] = s.arrivals_after_horizon;
  j["trace_rows"] = r.trace_rows;
  j["trace_rows_rejected"] = r.trace_rows_rejected;
  // Only when rows were rejected, so runs without rejections keep their exact bytes.
  if (!r.trace_rejected_by_reason.empty()) {
    j["trace_rows_rejected_by_reason"] = r.trace_rejected_by_reason;
  }
  j["jct_s"] = to_json(s.jct_s);
  j["queue_delay_s"] = to_json(s.queue_delay_s);
  j["makespan_s"] = s.makespan_s;
  j["gpu_utilisation"] = s.gpu_utilisation;
  j["gpu_utilisation_during_arrivals"] = s.gpu_utilisation_during_arrivals;
  j["allocated_gpu_hours"] = s.allocated_gpu_hours;
  j["total_gpus"] = s.total_gpus;
  j["preemptions"] = s.preemptions;
  j["jobs_preempted"] = s.jobs_preempted;
  nlohmann::ordered_json by_process = nlohmann::ordered_json::object();
  for (const auto& [name, count] : s.failures_by_process) by_process[name] = count;
  nlohmann::ordered_json interrupted_by = nlohmann::ordered_json::object();
  for (const auto& [name, count] : s.interruptions_by_process) interrupted_by[name] = count;
  j["failures"] = {{"component_failures", by_process},
                   {"interruptions_by_cause", interrupted_by},
                   {"interruptions", s.interruptions},
                   {"jobs_interrupted", s.jobs_interrupted},
                   {"interruptions_per_job",
                    s.jobs ? static_cast<double>(s.interruptions) / static_cast<double>(s.jobs) : 0.0},
                   {"interruptions_per_1000_gpu_days", s.interruptions_per_1000_gpu_days},
                   {"lost_gpu_hours", s.lost_gpu_hours},
                   {"checkpoint_gpu_hours", s.checkpoint_gpu_hours},
                   {"restart_gpu_hours", s.restart_gpu_hours},
                   {"goodput", s.goodput},
                   {"down_gpu_hours", s.down_gpu_hours},
                   {"mean_recovery_s", s.mean_recovery_s},
                   {"long_jobs", s.long_jobs},
                   {"long_job_ettr", s.long_job_ettr},
                   {"maintenance_interruptions", r.totals.maintenance_interruptions}};
  // Only when some were drawn, so other runs keep their exact bytes.
  if (s.failures_while_offline > 0) j["failures"]["failures_while_offline"] = s.failures_while_offline;
  j["staging_gpu_hours"] = s.staging_gpu_hours;
  // Only with flexible jobs, so other runs keep their exact bytes.
  if (s.flexible_jobs > 0) {
    j["carbon_delay"] = {{"flexible_jobs", s.flexible_jobs},
                         {"held_jobs", s.held_jobs},
                         {"held_work_gpu_hours", s.held_work_gpu_hours},
                         {"mean_hold_s", s.mean_hold_s},
                         {"max_hold_s", s.max_hold_s}};
  }
  // Only with elastic jobs, so other runs keep their exact bytes.
  if (s.elastic_jobs > 0) {
    j["elastic"] = {{"elastic_jobs", s.elastic_jobs},
                    {"gpu_hours", s.elastic_gpu_hours},
                    {"resizes", s.resizes}};
  }
  // Only with GPU shares, so other runs keep their exact bytes.
  if (r.fragmentation) {
    j["fragmentation"] = {{"samples", r.fragmentation->samples},
                          {"mean_fragmented_gpus", r.fragmentation->mean_fragmented_gpus},
                          {"mean_unallocated_gpus", r.fragmentation->mean_unallocated_gpus},
                          {"fragment_rate", r.fragmentation->fragment_rate}};
  }
  j["energy"] = energy_json(config, r.totals);
  j["events"] = s.events;
  j["scheduling_passes"] = s.scheduling_passes;
  j["sim_end_s"] = to_seconds(r.totals.end_time);
  if (!r.services.empty()) j["services"] = services_json(r);  // inference: service_results.cpp
  return j.dump(2) + "\n";
}

std::string timeseries_csv(const std::vector<SampleState>& rows) {
  std::string out = "time_s,allocated_gpus,gpu_utilisation,queued_jobs,running_jobs,finished_jobs\n";
  for (const SampleState& s : rows) {
    out += fmt::format("{:.6f},{},{:.6f},{},{},{}\n", to_seconds(s.time), s.allocated_gpus,
                       s.total_gpus ? static_cast<double>(s.allocated_gpus) / s.total_gpus : 0.0,
                       s.queued_jobs, s.running_jobs, s.finished_jobs);
  }
  return out;
}

// One row per site per sample.
std::string sites_csv(const Fleet& fleet, const std::vector<SampleState>& rows) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "time_s,site,online_gpus,allocated_gpus,it_power_mw,facility_power_mw,it_cap_mw,"
                 "carbon_g_per_kwh,price_usd_per_mwh\n");
  for (const SampleState& s : rows) {
    for (std::size_t i = 0; i < s.sites.size(); ++i) {
      const SiteSample& site = s.sites[i];
      fmt::format_to(std::back_inserter(out), "{:.6f},{},{},{},{:.6f},{:.6f},", to_seconds(s.time),
                     csv_cell(fleet.topology.site(SiteId{i}).name), site.online_gpus,
                     site.allocated_gpus, site.it_power_mw, site.facility_power_mw);
      if (std::isfinite(site.cap_mw)) fmt::format_to(std::back_inserter(out), "{:.6f}", site.cap_mw);
      fmt::format_to(std::back_inserter(out), ",{:.6f},{:.6f}\n", site.carbon_g_per_kwh,
                     site.price_usd_per_mwh);
    }
  }
  return fmt::to_string(out);
}

void emit_param(YAML::Emitter& y, const ParamValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<double>>) {
          y << YAML::Flow << YAML::BeginSeq;
          for (double d : v) y << d;
          y << YAML::EndSeq;
        } else {
          y << v;
        }
      },
      value);
}

// `path` as seen from the results folder `dir`. Both made absolute first: lexically_proximate
// of a relative path to an absolute folder (run from the repo with --out /tmp/x) would return
// the path unchanged, and the resolved scenario would then look for the file next to itself.
std::string path_from(const std::string& dir, const std::string& path) {
  return std::filesystem::absolute(path)
      .lexically_normal()
      .lexically_proximate(std::filesystem::absolute(dir).lexically_normal())
      .generic_string();
}

void emit_profile(YAML::Emitter& y, const char* key, const ProfileConfig& p,
                  const std::string& dir) {
  y << YAML::Key << key << YAML::Value;
  switch (p.kind) {
    case ProfileConfig::Kind::Constant: y << p.value; break;
    case ProfileConfig::Kind::Daily:
      y << YAML::Flow << YAML::BeginMap << YAML::Key << "daily" << YAML::Value << YAML::Flow
        << std::vector<double>(p.hourly.begin(), p.hourly.end()) << YAML::EndMap;
      break;
    case ProfileConfig::Kind::Series:
      y << YAML::Flow << YAML::BeginMap << YAML::Key << "csv" << YAML::Value
        << path_from(dir, p.csv_path) << YAML::EndMap;
      break;
  }
}

// A site's power, profiles, build-out and maintenance, as the loader reads them.
void emit_site_energy(YAML::Emitter& y, const SiteConfig& s, const std::string& dir) {
  if (s.power_cap_mw) emit_profile(y, "power_cap_mw", *s.power_cap_mw, dir);
  y << YAML::Key << "pue" << YAML::Value << s.pue;
  y << YAML::Key << "utc_offset_h" << YAML::Value << s.utc_offset_h;
  emit_profile(y, "carbon_g_per_kwh", s.carbon_g_per_kwh, dir);
  emit_profile(y, "price_usd_per_mwh", s.price_usd_per_mwh, dir);
  if (!s.build_out.empty()) {
    y << YAML::Key << "build_out" << YAML::Value << YAML::BeginSeq;
    for (const BuildOutConfig& b : s.build_out) {
      y << YAML::Flow << YAML::BeginMap << YAML::Key << "cluster" << YAML::Value << b.cluster
        << YAML::Key << "racks" << YAML::Value << b.racks << YAML::Key << "online" << YAML::Value
        << b.online << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
  if (!s.maintenance.empty()) {
    y << YAML::Key << "maintenance" << YAML::Value << YAML::BeginSeq;
    for (const MaintenanceConfig& m : s.maintenance) {
      y << YAML::Flow << YAML::BeginMap << YAML::Key << "cluster" << YAML::Value << m.cluster;
      if (m.racks > 0) y << YAML::Key << "racks" << YAML::Value << m.racks;
      y << YAML::Key << "start" << YAML::Value << m.start << YAML::Key << "hours" << YAML::Value
        << m.hours << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
}

void emit_fleet(YAML::Emitter& y, const FleetConfig& f, const std::string& dir) {
  y << YAML::BeginMap;
  y << YAML::Key << "gpu_catalog" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "reference" << YAML::Value << f.reference_type;
  y << YAML::Key << "types" << YAML::Value << YAML::BeginSeq;
  for (const GpuType& t : f.gpu_types) {
    y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << t.name;
    y << YAML::Key << "bf16_tflops" << YAML::Value << t.bf16_tflops;
    y << YAML::Key << "hbm_gb" << YAML::Value << t.hbm_gb;
    y << YAML::Key << "tdp_w" << YAML::Value << t.tdp_w;
    y << YAML::Key << "idle_w" << YAML::Value << t.idle_w;
    y << YAML::Key << "overhead_w" << YAML::Value << t.overhead_w;
    if (!t.relative_speed.empty()) {
      y << YAML::Key << "relative_speed" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (const auto& [job_class, speed] : t.relative_speed) {
        y << YAML::Key << job_class << YAML::Value << speed;
      }
      y << YAML::EndMap;
    }
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  y << YAML::Key << "span_speed" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "cross_rack" << YAML::Value << f.span_speed.cross_rack;
  y << YAML::Key << "cross_cluster" << YAML::Value << f.span_speed.cross_cluster;
  y << YAML::EndMap;
  y << YAML::Key << "sites" << YAML::Value << YAML::BeginSeq;
  for (const SiteConfig& s : f.sites) {
    y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name;
    y << YAML::Key << "country" << YAML::Value << s.country;
    y << YAML::Key << "region" << YAML::Value << s.region;
    y << YAML::Key << "provider" << YAML::Value << s.provider;
    emit_site_energy(y, s, dir);
    y << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq;
    for (const ClusterConfig& c : s.clusters) {
      y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << c.name;
      y << YAML::Key << "racks" << YAML::Value << YAML::BeginSeq;
      for (const RackGroupConfig& r : c.racks) {
        y << YAML::Flow << YAML::BeginMap;
        y << YAML::Key << "count" << YAML::Value << r.count;
        y << YAML::Key << "nodes" << YAML::Value << r.nodes;
        y << YAML::Key << "gpus_per_node" << YAML::Value << r.gpus_per_node;
        y << YAML::Key << "gpu_type" << YAML::Value << r.gpu_type;
        y << YAML::EndMap;
      }
      y << YAML::EndSeq << YAML::EndMap;
    }
    y << YAML::EndSeq << YAML::EndMap;
  }
  y << YAML::EndSeq;
  if (!f.wan.empty()) {
    y << YAML::Key << "wan" << YAML::Value << YAML::BeginMap << YAML::Key << "links"
      << YAML::Value << YAML::BeginSeq;
    for (const WanLinkConfig& l : f.wan) {
      y << YAML::Flow << YAML::BeginMap << YAML::Key << "a" << YAML::Value << l.a << YAML::Key
        << "b" << YAML::Value << l.b << YAML::Key << "rtt_ms" << YAML::Value << l.rtt_ms
        << YAML::Key << "bandwidth_gbps" << YAML::Value << l.bandwidth_gbps << YAML::EndMap;
    }
    y << YAML::EndSeq << YAML::EndMap;
  }
  if (f.cross_site.allowed) {
    y << YAML::Key << "cross_site_gangs" << YAML::Value << YAML::Flow << YAML::BeginMap
      << YAML::Key << "allowed" << YAML::Value << true << YAML::Key << "max_rtt_ms"
      << YAML::Value << f.cross_site.max_rtt_ms << YAML::Key << "half_speed_rtt_ms"
      << YAML::Value << f.cross_site.half_speed_rtt_ms << YAML::Key << "split" << YAML::Value
      << (f.cross_site.split == CrossSiteGangs::Split::WhenBlocked ? "when_blocked" : "oversized")
      << YAML::EndMap;
  }
  y << YAML::EndMap;
}

void emit_duration(YAML::Emitter& y, const DurationDistribution& d) {
  y << YAML::BeginMap;
  switch (d.kind) {
    case DurationDistribution::Kind::Empirical:
      y << YAML::Key << "distribution" << YAML::Value << "empirical";
      y << YAML::Key << "points" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& [q, s] : d.points) y << YAML::Flow << YAML::BeginSeq << q << s << YAML::EndSeq;
      y << YAML::EndSeq;
      break;
    case DurationDistribution::Kind::Lognormal:
      y << YAML::Key << "distribution" << YAML::Value << "lognormal";
      y << YAML::Key << "median_s" << YAML::Value << d.median_s;
      y << YAML::Key << "sigma" << YAML::Value << d.sigma;
      break;
    case DurationDistribution::Kind::Exponential:
      y << YAML::Key << "distribution" << YAML::Value << "exponential";
      y << YAML::Key << "mean_s" << YAML::Value << d.mean_s;
      break;
    case DurationDistribution::Kind::Constant:
      y << YAML::Key << "distribution" << YAML::Value << "constant";
      y << YAML::Key << "value_s" << YAML::Value << d.value_s;
      break;
  }
  y << YAML::EndMap;
}

// The public-trace options that are set (a native CSV has none), in the YAML the loader reads.
template <class Relative>
void emit_trace_options(YAML::Emitter& y, const TraceConfig& t, const Relative& relative) {
  const TraceOptions& o = t.options;
  if (o.window_start_s || o.window_end_s) {
    y << YAML::Key << "window" << YAML::Value << YAML::BeginMap;
    if (o.window_start_s) y << YAML::Key << "start" << YAML::Value << *o.window_start_s;
    if (o.window_end_s) y << YAML::Key << "end" << YAML::Value << *o.window_end_s;
    y << YAML::EndMap;
  }
  using Names = std::vector<std::string>;
  if (!o.tenants.empty()) {
    y << YAML::Key << "tenants" << YAML::Value << YAML::Flow
      << Names(o.tenants.begin(), o.tenants.end());
  }
  if (!o.statuses.empty()) {
    y << YAML::Key << "statuses" << YAML::Value << YAML::Flow
      << Names(o.statuses.begin(), o.statuses.end());
  }
  if (!o.gpu_types.empty()) {
    y << YAML::Key << "gpu_types" << YAML::Value << YAML::Flow << o.gpu_types;
  }
  if (t.format == "openb") {
    y << YAML::Key << "duration_from" << YAML::Value
      << (o.duration_from == DurationFrom::Scheduled ? "scheduled" : "creation");
  }
  if (!o.throughputs_path.empty()) {
    y << YAML::Key << "throughputs" << YAML::Value << relative(o.throughputs_path);
    y << YAML::Key << "throughput_gpu" << YAML::Value << o.throughput_gpu;
  }
  if (!o.gpu_s_by_application.empty()) {
    y << YAML::Key << "gpu_s_by_application" << YAML::Value << YAML::Flow << o.gpu_s_by_application;
  }
}

void emit_workload(YAML::Emitter& y, const WorkloadConfig& w, const std::string& dir) {
  y << YAML::BeginMap;
  if (const auto* s = std::get_if<SyntheticConfig>(&w.source)) {
    y << YAML::Key << "source" << YAML::Value << "synthetic";
    y << YAML::Key << "jobs" << YAML::Value << s->jobs;
    y << YAML::Key << "arrival" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "process" << YAML::Value << "poisson";
    y << YAML::Key << "rate_per_hour" << YAML::Value << s->rate_per_hour << YAML::EndMap;
    y << YAML::Key << "gpus" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "distribution" << YAML::Value << "categorical";
    y << YAML::Key << "values" << YAML::Value << YAML::Flow << s->gpu_values;
    y << YAML::Key << "weights" << YAML::Value << YAML::Flow << s->gpu_weights << YAML::EndMap;
    y << YAML::Key << "duration" << YAML::Value;
    emit_duration(y, s->duration);
    y << YAML::Key << "tenants" << YAML::Value << s->tenants;
    y << YAML::Key << "preemptible_fraction" << YAML::Value << s->preemptible_fraction;
    y << YAML::Key << "allowed_gpu_types" << YAML::Value << YAML::Flow << s->allowed_gpu_types;
    y << YAML::Key << "job_class" << YAML::Value << s->job_class;
    if (!s->data.empty()) {
      const DataConfig& d = s->data.front();
      y << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
      y << YAML::Key << "sites" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (std::size_t i = 0; i < d.site_names.size(); ++i) {
        y << YAML::Key << d.site_names[i] << YAML::Value << d.weights[i];
      }
      y << YAML::EndMap;
      y << YAML::Key << "gb" << YAML::Value << YAML::Flow << YAML::BeginMap;
      y << YAML::Key << "median" << YAML::Value << d.median_gb;
      y << YAML::Key << "sigma" << YAML::Value << d.sigma << YAML::EndMap;
      y << YAML::Key << "sovereign_fraction" << YAML::Value << d.sovereign_fraction;
      y << YAML::EndMap;
    }
    if (!s->residency.empty()) {
      y << YAML::Key << "residency" << YAML::Value << YAML::Flow << s->residency;
    }
    y << YAML::Key << "gpu_utilisation" << YAML::Value << s->gpu_utilisation;
    if (s->flexible.fraction > 0) {
      y << YAML::Key << "flexible" << YAML::Value << YAML::Flow << YAML::BeginMap;
      y << YAML::Key << "fraction" << YAML::Value << s->flexible.fraction;
      y << YAML::Key << "slack_h" << YAML::Value << s->flexible.slack_h << YAML::EndMap;
    }
    if (s->elastic.fraction > 0) {
      const ElasticConfig& e = s->elastic;
      y << YAML::Key << "elastic" << YAML::Value << YAML::Flow << YAML::BeginMap;
      y << YAML::Key << "fraction" << YAML::Value << e.fraction;
      y << YAML::Key << "min_factor" << YAML::Value << e.min_factor;
      y << YAML::Key << "max_factor" << YAML::Value << e.max_factor;
      y << YAML::Key << "serial_fraction" << YAML::Value << e.serial_fraction << YAML::EndMap;
    }
    if (s->fractional.fraction > 0) {
      y << YAML::Key << "fractional" << YAML::Value << YAML::Flow << YAML::BeginMap;
      y << YAML::Key << "fraction" << YAML::Value << s->fractional.fraction;
      y << YAML::Key << "milli" << YAML::Value << YAML::Flow << s->fractional.milli << YAML::EndMap;
    }
  } else {
    const auto& t = std::get<TraceConfig>(w.source);
    y << YAML::Key << "source" << YAML::Value << "trace";
    y << YAML::Key << "format" << YAML::Value << t.format;
    const auto relative = [&](const std::string& path) { return path_from(dir, path); };
    y << YAML::Key << "path" << YAML::Value << relative(t.path);
    y << YAML::Key << "bad_rows" << YAML::Value
      << (t.bad_rows == BadRows::Error ? "error" : "skip");
    emit_trace_options(y, t, relative);
    if (t.inflate) {
      y << YAML::Key << "inflate" << YAML::Value << YAML::Flow << YAML::BeginMap;
      y << YAML::Key << "demand" << YAML::Value << t.inflate->demand;
      y << YAML::Key << "interval_s" << YAML::Value << to_seconds(t.inflate->interval);
      y << YAML::Key << "departures" << YAML::Value << t.inflate->departures << YAML::EndMap;
    }
  }
  if (!w.services.empty()) {
    y << YAML::Key << "services" << YAML::Value;
    emit_services(y, w.services, dir);
  }
  y << YAML::EndMap;
}

void emit_failures(YAML::Emitter& y, const FailureConfig& f) {
  constexpr double kHour = 3600.0;
  y << YAML::BeginMap;
  y << YAML::Key << "processes" << YAML::Value << YAML::BeginSeq;
  for (const FailureProcessConfig& p : f.processes) {
    y << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << p.name;
    y << YAML::Key << "level" << YAML::Value << level_name(p.level);
    y << YAML::Key << "mtbf_hours" << YAML::Value << p.lifetime.mtbf_s / kHour;
    if (p.lifetime.kind == LifetimeDistribution::Kind::Weibull) {
      y << YAML::Key << "lifetime" << YAML::Value << "weibull";
      y << YAML::Key << "shape" << YAML::Value << p.lifetime.shape;
    } else {
      y << YAML::Key << "lifetime" << YAML::Value << "exponential";
    }
    y << YAML::Key << "repair" << YAML::Value << YAML::BeginMap;
    const RepairDistribution& r = p.repair;
    switch (r.kind) {
      case RepairDistribution::Kind::None: y << YAML::Key << "kind" << YAML::Value << "none"; break;
      case RepairDistribution::Kind::Constant:
        y << YAML::Key << "kind" << YAML::Value << "constant";
        y << YAML::Key << "hours" << YAML::Value << r.value_s / kHour;
        break;
      case RepairDistribution::Kind::Exponential:
        y << YAML::Key << "kind" << YAML::Value << "exponential";
        y << YAML::Key << "mean_hours" << YAML::Value << r.mean_s / kHour;
        break;
      case RepairDistribution::Kind::Lognormal:
        y << YAML::Key << "kind" << YAML::Value << "lognormal";
        y << YAML::Key << "median_hours" << YAML::Value << r.median_s / kHour;
        y << YAML::Key << "sigma" << YAML::Value << r.sigma;
        break;
    }
    y << YAML::EndMap << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::Key << "scripted" << YAML::Value << YAML::BeginSeq;
  for (const ScriptedFailure& s : f.scripted) {
    y << YAML::BeginMap;
    y << YAML::Key << "at_s" << YAML::Value << to_seconds(s.at);
    y << YAML::Key << "level" << YAML::Value << level_name(s.level);
    y << YAML::Key << "index" << YAML::Value << s.index;
    y << YAML::Key << "repair_s" << YAML::Value << to_seconds(s.repair);
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

std::string fleetsim_version() { return FLEETSIM_VERSION; }

std::string resolved_scenario_yaml(const ScenarioConfig& c, const std::string& dir) {
  YAML::Emitter y;
  y.SetDoublePrecision(17);
  y << YAML::BeginMap;
  y << YAML::Key << "fleetsim_version" << YAML::Value << fleetsim_version();
  y << YAML::Key << "name" << YAML::Value << c.name;
  y << YAML::Key << "seed" << YAML::Value << c.seed;
  y << YAML::Key << "start" << YAML::Value << c.start;
  y << YAML::Key << "policy" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << c.policy;
  y << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : c.policy_params) {
    y << YAML::Key << name << YAML::Value;
    emit_param(y, value);
  }
  y << YAML::EndMap << YAML::EndMap;
  y << YAML::Key << "placement" << YAML::Value << c.placement;
  y << YAML::Key << "site_selection" << YAML::Value << c.site_selection;
  y << YAML::Key << "preemption" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "preempt_overhead_s" << YAML::Value << to_seconds(c.preempt_overhead);
  y << YAML::Key << "resume_overhead_s" << YAML::Value << to_seconds(c.resume_overhead);
  y << YAML::EndMap;
  y << YAML::Key << "checkpoint" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "interval_s" << YAML::Value << to_seconds(c.checkpoint.interval);
  y << YAML::Key << "cost_s" << YAML::Value << to_seconds(c.checkpoint.cost);
  y << YAML::Key << "restart_s" << YAML::Value << to_seconds(c.checkpoint.restart);
  y << YAML::EndMap;
  if (c.failures.enabled()) {
    y << YAML::Key << "failures" << YAML::Value;
    emit_failures(y, c.failures);
  }
  y << YAML::Key << "run" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "until_s" << YAML::Value << (c.until == kTimeNever ? 0.0 : to_seconds(c.until));
  y << YAML::EndMap;
  y << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "sample_interval_s" << YAML::Value << to_seconds(c.sample_interval);
  y << YAML::EndMap;
  y << YAML::Key << "fleet" << YAML::Value;
  emit_fleet(y, c.fleet, dir);
  y << YAML::Key << "workload" << YAML::Value;
  emit_workload(y, c.workload, dir);
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

void write_results(const std::string& dir, const ScenarioConfig& config, const RunResult& result) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw ConfigError({dir, 0, 0}, "", fmt::format("cannot create results folder: {}", ec.message()));
  const std::filesystem::path d(dir);
  const Fleet fleet = build_fleet(config.fleet, config.start_unix_s);
  write_file((d / "summary.json").string(), summary_json(config, result));
  // Straight from the rows, not through one more string: a million-job run's is ~150 MB.
  write_file_with((d / "jobs.csv").string(),
                  [&](std::ostream& out) { result.jobs_csv.write(out); });
  write_file((d / "timeseries.csv").string(), timeseries_csv(result.samples));
  write_file((d / "sites.csv").string(), sites_csv(fleet, result.samples));
  write_file((d / "scenario.resolved.yaml").string(), resolved_scenario_yaml(config, dir));
  if (!result.services.empty()) write_file((d / "services.csv").string(), services_csv(result));
}

}  // namespace fleetsim
