#include "sim/io/service_config.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "sim/io/path_resolution.hpp"
#include "sim/io/residency_config.hpp"
#include "sim/workload/traces/trace_reader.hpp"

namespace fleetsim {
namespace {

Duration seconds_at(const ConfigNode& node, bool allow_zero) {
  return from_seconds(node.as_seconds(allow_zero));
}

double fraction_at(const ConfigNode& node, bool allow_zero) {
  const double v = allow_zero ? node.as_non_negative_double() : node.as_positive_double();
  if (v > 1) throw node.error("expected a number in {}0, 1], got {}", allow_zero ? "[" : "(", v);
  return v;
}

std::uint32_t count_at(const ConfigNode& node, std::uint64_t max, bool allow_zero) {
  std::uint64_t v = 0;
  if (allow_zero) {
    const std::int64_t i = node.as_int();
    if (i < 0) throw node.error("expected an integer >= 0, got {}", i);
    v = static_cast<std::uint64_t>(i);
  } else {
    v = node.as_positive_int();
  }
  if (v > max) throw node.error("expected at most {}, got {}", max, v);
  return static_cast<std::uint32_t>(v);
}

// Request traces whose rows are request arrivals (not instances, as dlrm's are).
constexpr const char* kDemandTraceFormats[] = {"azure_llm", "genai", "mooncake"};

// Bins the trace's arrivals into full `step`-long bins from its first request (a last, partial
// bin is left out: its rate would read low). Requests per second per bin.
std::vector<double> load_trace_rates(const ConfigNode& node, const DemandConfig& d) {
  const TraceFormat* format = find_request_trace_format(d.trace_format);
  TraceOptions options;
  options.format = d.trace_format;
  options.path = d.trace_path;
  options.display_path = d.trace_path;
  options.bad_rows = BadRows::Error;
  std::vector<double> arrivals;
  TraceRowCounts counts;
  read_trace_records(
      *format, options, [&](TraceRecord&& r) { arrivals.push_back(r.submit_s); }, counts);
  if (arrivals.empty()) throw node.at("path").error("the trace has no request");
  const auto [first, last] = std::minmax_element(arrivals.begin(), arrivals.end());
  const double step_s = to_seconds(d.step);
  const auto bins = static_cast<std::size_t>(std::floor((*last - *first) / step_s));
  if (bins == 0) {
    throw node.at("step_s").error("the trace spans {:.3f} s, less than one step of {} s",
                                  *last - *first, step_s);
  }
  std::vector<std::uint64_t> counts_by_bin(bins, 0);
  for (double t : arrivals) {
    const auto bin = static_cast<std::size_t>(std::floor((t - *first) / step_s));
    if (bin < bins) ++counts_by_bin[bin];
  }
  std::vector<double> rates;
  for (std::uint64_t n : counts_by_bin) rates.push_back(static_cast<double>(n) / step_s);
  return rates;
}

void load_step(const ConfigNode& node, DemandConfig& d) {
  if (auto s = node.find("step_s")) {
    d.step = seconds_at(*s, false);
    if (d.step < kMicrosPerSecond) {
      throw s->error("expected at least 1 second, got {}", s->as_double());
    }
  }
}

void load_bursts(const ConfigNode& node, DemandConfig& d) {
  node.check_keys({"per_day", "multiplier", "duration_s"});
  d.bursts_per_day = node.at("per_day").as_positive_double();
  d.burst_multiplier = node.at("multiplier").as_non_negative_double();
  d.burst_duration = seconds_at(node.at("duration_s"), false);
}

DemandConfig load_demand(const ConfigNode& node) {
  DemandConfig d;
  const ConfigNode kind = node.at("kind");
  const std::string k = kind.as_string();
  if (k == "constant") {
    node.check_keys({"kind", "rps"});
    d.kind = DemandConfig::Kind::Constant;
    d.rps = node.at("rps").as_non_negative_double();
  } else if (k == "steps") {
    node.check_keys({"kind", "points"});
    d.kind = DemandConfig::Kind::Steps;
    const ConfigNode points = node.at("points");
    for (std::size_t i = 0; i < points.size(); ++i) {
      const ConfigNode p = points[i];
      if (p.size() != 2) throw p.error("expected [seconds since the start, rps]");
      const double at = p[0].as_seconds(true);
      const double rps = p[1].as_non_negative_double();
      if (i == 0 && at != 0) throw p[0].error("the first point must be at 0 s, got {}", at);
      if (i > 0 && at <= d.points.back().first) {
        throw p[0].error("times must increase ({} after {})", at, d.points.back().first);
      }
      d.points.emplace_back(at, rps);
    }
    if (d.points.empty()) throw points.error("expected at least one point");
  } else if (k == "diurnal") {
    node.check_keys({"kind", "mean_rps", "amplitude", "peak_hour", "weekend_factor", "utc_offset_h",
                     "step_s", "bursts"});
    d.kind = DemandConfig::Kind::Diurnal;
    d.mean_rps = node.at("mean_rps").as_non_negative_double();
    if (auto a = node.find("amplitude")) d.amplitude = fraction_at(*a, true);
    if (auto h = node.find("peak_hour")) {
      d.peak_hour = h->as_non_negative_double();
      if (d.peak_hour >= 24) throw h->error("expected an hour in [0, 24), got {}", d.peak_hour);
    }
    d.weekend_factor = node.get_non_negative("weekend_factor", d.weekend_factor);
    if (auto o = node.find("utc_offset_h")) {
      d.utc_offset_h = o->as_double();
      if (std::abs(d.utc_offset_h) > 14) {
        throw o->error("expected an offset in [-14, 14] hours, got {}", d.utc_offset_h);
      }
    }
    load_step(node, d);
    if (auto b = node.find("bursts")) load_bursts(*b, d);
  } else if (k == "trace") {
    node.check_keys({"kind", "format", "path", "step_s", "scale", "bursts"});
    d.kind = DemandConfig::Kind::Trace;
    const ConfigNode format = node.at("format");
    d.trace_format = format.as_string();
    if (std::find(std::begin(kDemandTraceFormats), std::end(kDemandTraceFormats), d.trace_format) ==
        std::end(kDemandTraceFormats)) {
      throw format.error("expected a request trace format (azure_llm, genai, mooncake), got \"{}\"",
                         d.trace_format);
    }
    d.trace_path = resolve_relative(node.file(), node.at("path").as_string());
    load_step(node, d);
    if (auto s = node.find("scale")) d.scale = s->as_positive_double();
    if (auto b = node.find("bursts")) load_bursts(*b, d);
    d.trace_rps = load_trace_rates(node, d);
  } else {
    throw kind.error("unknown demand kind \"{}\"; expected one of: constant, steps, diurnal, trace",
                     k);
  }
  return d;
}

AutoscalerConfig load_autoscaler(const ConfigNode& node) {
  node.check_keys({"target_utilisation", "interval_s", "scale_up_delay_s", "scale_down_delay_s"});
  AutoscalerConfig a;
  if (auto t = node.find("target_utilisation")) a.target_utilisation = fraction_at(*t, false);
  if (auto i = node.find("interval_s")) {
    a.interval = seconds_at(*i, false);
    if (a.interval < kMicrosPerSecond) {
      throw i->error("expected at least 1 second, got {}", i->as_double());
    }
  }
  if (auto u = node.find("scale_up_delay_s")) a.scale_up_delay = seconds_at(*u, true);
  if (auto d = node.find("scale_down_delay_s")) a.scale_down_delay = seconds_at(*d, true);
  return a;
}

std::vector<std::string> load_texts(const ConfigNode& list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.size(); ++i) out.push_back(list[i].as_string());
  return out;
}

ServiceSpec load_service(const ConfigNode& node, const GpuCatalog& catalog,
                         const SiteDirectory& sites) {
  node.check_keys({"name",           "model",       "gpus_per_replica", "concurrency",
                   "throughput_rps", "slo_ms",      "slo_goal",         "user_region",
                   "residency",      "rtt_ms",      "min_replicas",     "max_replicas",
                   "start_s",        "end_s",       "replica_start_s",  "autoscaler",
                   "demand",         "preemptible", "priority",         "tenant"});
  ServiceSpec s;
  s.origin = node.pos();
  s.field = node.path();
  s.name = node.at("name").as_string();
  if (s.name.empty()) throw node.at("name").error("expected a non-empty name");
  s.model = node.get_string("model", s.name);
  s.gpus_per_replica = count_at(node.at("gpus_per_replica"), 1u << 20, false);
  s.gpus_origin = node.at("gpus_per_replica").pos();
  s.rtt_origin = s.origin;
  if (auto c = node.find("concurrency")) s.concurrency = count_at(*c, 1u << 20, false);
  const ConfigNode throughput = node.at("throughput_rps");
  for (const std::string& type : throughput.keys()) {
    const ConfigNode value = throughput.at(type);
    if (!catalog.find(type)) throw value.error("unknown GPU type \"{}\"", type);
    s.throughput_rps[type] = value.as_positive_double();
  }
  if (s.throughput_rps.empty()) throw throughput.error("expected at least one GPU type");
  if (auto slo = node.find("slo_ms")) s.slo_ms = slo->as_positive_double();
  if (auto goal = node.find("slo_goal")) s.slo_goal = fraction_at(*goal, false);
  s.user_region = node.get_string("user_region", "");
  if (auto r = node.find("residency")) {
    if (sites.size() == 0) {
      s.residency = load_texts(*r);
    } else {
      s.allowed_sites = load_residency(*r, sites, s.residency);
    }
  }
  if (auto rtt = node.find("rtt_ms")) {
    s.rtt_origin = rtt->pos();
    for (const std::string& region : rtt->keys()) {
      s.rtt_ms[region] = rtt->at(region).as_non_negative_double();
    }
  }
  if (auto m = node.find("min_replicas")) s.min_replicas = count_at(*m, 1u << 20, true);
  const ConfigNode max = node.at("max_replicas");
  s.max_replicas = count_at(max, 1u << 20, false);
  if (s.min_replicas > s.max_replicas) {
    throw node.at("min_replicas")
        .error("min_replicas ({}) is greater than max_replicas ({})", s.min_replicas,
               s.max_replicas);
  }
  if (auto st = node.find("start_s")) s.start = seconds_at(*st, true);
  // A lifetime is required: a service without an end would keep the run going forever.
  const ConfigNode end = node.at("end_s");
  s.end = seconds_at(end, false);
  if (s.end <= s.start) {
    throw end.error("expected an end after the start ({} s), got {}", to_seconds(s.start),
                    end.as_double());
  }
  if (auto r = node.find("replica_start_s")) s.replica_start = seconds_at(*r, true);
  if (auto a = node.find("autoscaler")) s.autoscaler = load_autoscaler(*a);
  s.demand = load_demand(node.at("demand"));
  if (auto p = node.find("preemptible")) s.preemptible = p->as_bool();
  if (auto p = node.find("priority")) {
    const std::int64_t v = p->as_int();
    if (v < -1'000'000 || v > 1'000'000) {
      throw p->error("expected a priority in [-1e6, 1e6], got {}", v);
    }
    s.priority = static_cast<int>(v);
  }
  s.tenant = node.get_string("tenant", s.tenant);
  return s;
}

}  // namespace

std::vector<ServiceSpec> load_services(const ConfigNode& list, const GpuCatalog& catalog,
                                       const SiteDirectory& sites) {
  std::vector<ServiceSpec> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.push_back(load_service(list[i], catalog, sites));
    if (!names.insert(out.back().name).second) {
      throw list[i].at("name").error("duplicate service name \"{}\"", out.back().name);
    }
  }
  return out;
}

namespace {

void emit_demand(YAML::Emitter& y, const DemandConfig& d, const std::string& dir) {
  y << YAML::BeginMap;
  const auto bursts = [&] {
    if (d.bursts_per_day <= 0) return;
    y << YAML::Key << "bursts" << YAML::Value << YAML::Flow << YAML::BeginMap;
    y << YAML::Key << "per_day" << YAML::Value << d.bursts_per_day;
    y << YAML::Key << "multiplier" << YAML::Value << d.burst_multiplier;
    y << YAML::Key << "duration_s" << YAML::Value << to_seconds(d.burst_duration);
    y << YAML::EndMap;
  };
  switch (d.kind) {
    case DemandConfig::Kind::Constant:
      y << YAML::Key << "kind" << YAML::Value << "constant";
      y << YAML::Key << "rps" << YAML::Value << d.rps;
      break;
    case DemandConfig::Kind::Steps:
      y << YAML::Key << "kind" << YAML::Value << "steps";
      y << YAML::Key << "points" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& [at, rps] : d.points) {
        y << YAML::Flow << YAML::BeginSeq << at << rps << YAML::EndSeq;
      }
      y << YAML::EndSeq;
      break;
    case DemandConfig::Kind::Diurnal:
      y << YAML::Key << "kind" << YAML::Value << "diurnal";
      y << YAML::Key << "mean_rps" << YAML::Value << d.mean_rps;
      y << YAML::Key << "amplitude" << YAML::Value << d.amplitude;
      y << YAML::Key << "peak_hour" << YAML::Value << d.peak_hour;
      y << YAML::Key << "weekend_factor" << YAML::Value << d.weekend_factor;
      y << YAML::Key << "utc_offset_h" << YAML::Value << d.utc_offset_h;
      y << YAML::Key << "step_s" << YAML::Value << to_seconds(d.step);
      bursts();
      break;
    case DemandConfig::Kind::Trace:
      y << YAML::Key << "kind" << YAML::Value << "trace";
      y << YAML::Key << "format" << YAML::Value << d.trace_format;
      y << YAML::Key << "path" << YAML::Value << relative_to_folder(d.trace_path, dir);
      y << YAML::Key << "step_s" << YAML::Value << to_seconds(d.step);
      y << YAML::Key << "scale" << YAML::Value << d.scale;
      bursts();
      break;
  }
  y << YAML::EndMap;
}

}  // namespace

void emit_services(YAML::Emitter& y, const std::vector<ServiceSpec>& services,
                   const std::string& dir) {
  y << YAML::BeginSeq;
  for (const ServiceSpec& s : services) {
    y << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << s.name;
    y << YAML::Key << "model" << YAML::Value << s.model;
    y << YAML::Key << "gpus_per_replica" << YAML::Value << s.gpus_per_replica;
    y << YAML::Key << "concurrency" << YAML::Value << s.concurrency;
    y << YAML::Key << "throughput_rps" << YAML::Value << YAML::Flow << s.throughput_rps;
    y << YAML::Key << "slo_ms" << YAML::Value << s.slo_ms;
    y << YAML::Key << "slo_goal" << YAML::Value << s.slo_goal;
    y << YAML::Key << "user_region" << YAML::Value << s.user_region;
    if (!s.residency.empty()) {  // absent = anywhere; an empty list is an error when read back
      y << YAML::Key << "residency" << YAML::Value << YAML::Flow << s.residency;
    }
    y << YAML::Key << "rtt_ms" << YAML::Value << YAML::Flow << s.rtt_ms;
    y << YAML::Key << "min_replicas" << YAML::Value << s.min_replicas;
    y << YAML::Key << "max_replicas" << YAML::Value << s.max_replicas;
    y << YAML::Key << "start_s" << YAML::Value << to_seconds(s.start);
    if (s.end != kTimeNever) y << YAML::Key << "end_s" << YAML::Value << to_seconds(s.end);
    y << YAML::Key << "replica_start_s" << YAML::Value << to_seconds(s.replica_start);
    y << YAML::Key << "autoscaler" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "target_utilisation" << YAML::Value << s.autoscaler.target_utilisation;
    y << YAML::Key << "interval_s" << YAML::Value << to_seconds(s.autoscaler.interval);
    y << YAML::Key << "scale_up_delay_s" << YAML::Value << to_seconds(s.autoscaler.scale_up_delay);
    y << YAML::Key << "scale_down_delay_s" << YAML::Value
      << to_seconds(s.autoscaler.scale_down_delay);
    y << YAML::EndMap;
    y << YAML::Key << "demand" << YAML::Value;
    emit_demand(y, s.demand, dir);
    y << YAML::Key << "preemptible" << YAML::Value << s.preemptible;
    y << YAML::Key << "priority" << YAML::Value << s.priority;
    y << YAML::Key << "tenant" << YAML::Value << s.tenant;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
}

}  // namespace fleetsim
