#include "sim/io/workload_config.hpp"

#include <set>

#include <spdlog/spdlog.h>

#include "sim/io/path_resolution.hpp"
#include "sim/io/residency_config.hpp"
#include "sim/io/service_config.hpp"
#include "sim/workload/synthetic_generator.hpp"
#include "sim/workload/vector_source.hpp"

namespace fleetsim {
namespace {

DurationDistribution load_duration(const ConfigNode& node) {
  DurationDistribution d;
  const ConfigNode kind_node = node.at("distribution");
  const std::string kind = kind_node.as_string();
  if (kind == "empirical") {
    node.check_keys({"distribution", "points"});
    d.kind = DurationDistribution::Kind::Empirical;
    const ConfigNode points = node.at("points");
    for (std::size_t i = 0; i < points.size(); ++i) {
      const ConfigNode p = points[i];
      if (p.size() != 2) throw p.error("expected [quantile, seconds]");
      const double q = p[0].as_non_negative_double();
      const double s = p[1].as_seconds(false);
      if (q > 1) throw p[0].error("expected a quantile in [0, 1], got {}", q);
      if (!d.points.empty() && (q <= d.points.back().first || s < d.points.back().second)) {
        throw p.error("quantiles must increase and durations must not decrease");
      }
      d.points.emplace_back(q, s);
    }
    if (d.points.size() < 2 || d.points.front().first != 0 || d.points.back().first != 1) {
      throw points.error("expected at least two points, from quantile 0 to quantile 1");
    }
  } else if (kind == "lognormal") {
    node.check_keys({"distribution", "median_s", "sigma"});
    d.kind = DurationDistribution::Kind::Lognormal;
    d.median_s = node.at("median_s").as_seconds(false);
    const ConfigNode sigma = node.at("sigma");
    d.sigma = sigma.as_positive_double();
    if (d.sigma > 10) throw sigma.error("expected a sigma of at most 10, got {}", d.sigma);
  } else if (kind == "exponential") {
    node.check_keys({"distribution", "mean_s"});
    d.kind = DurationDistribution::Kind::Exponential;
    d.mean_s = node.at("mean_s").as_seconds(false);
  } else if (kind == "constant") {
    node.check_keys({"distribution", "value_s"});
    d.kind = DurationDistribution::Kind::Constant;
    d.value_s = node.at("value_s").as_seconds(false);
  } else {
    throw kind_node.error("unknown distribution \"{}\"; expected one of: empirical, lognormal, "
                          "exponential, constant",
                          kind);
  }
  return d;
}

DataConfig load_data(const ConfigNode& node, const SiteDirectory& sites) {
  node.check_keys({"sites", "gb", "sovereign_fraction"});
  DataConfig d;
  const ConfigNode weights = node.at("sites");
  for (const std::string& name : weights.keys()) {
    const std::optional<SiteId> site = sites.find(name);
    if (!site) {
      throw weights.at(name).error("unknown site \"{}\"; the fleet has: {}", name, sites.names());
    }
    d.sites.push_back(*site);
    d.site_names.push_back(name);
    d.weights.push_back(weights.at(name).as_non_negative_double());
    d.home_country.push_back(sites.same_country(*site));
  }
  double total = 0;
  for (double w : d.weights) total += w;
  if (!(total > 0)) throw weights.error("expected at least one site with a positive weight");
  const ConfigNode gb = node.at("gb");
  if (gb.is_scalar()) {
    d.median_gb = gb.as_non_negative_double();
  } else {
    gb.check_keys({"median", "sigma"});
    d.median_gb = gb.at("median").as_positive_double();
    d.sigma = gb.at("sigma").as_non_negative_double();
  }
  if (auto f = node.find("sovereign_fraction")) {
    d.sovereign_fraction = f->as_fraction();
  }
  return d;
}

FlexibleConfig load_flexible(const ConfigNode& node) {
  node.check_keys({"fraction", "slack_h"});
  FlexibleConfig f;
  const ConfigNode fraction = node.at("fraction");
  f.fraction = fraction.as_fraction();
  const ConfigNode slack = node.at("slack_h");
  f.slack_h = slack.as_non_negative_double();
  if (f.slack_h * 3600.0 > kMaxInputSeconds) {
    throw slack.error("expected at most {:g} hours, got {}", kMaxInputSeconds / 3600.0, f.slack_h);
  }
  return f;
}

ElasticConfig load_elastic(const ConfigNode& node) {
  node.check_keys({"fraction", "min_factor", "max_factor", "serial_fraction"});
  ElasticConfig e;
  const ConfigNode fraction = node.at("fraction");
  e.fraction = fraction.as_fraction();
  if (auto f = node.find("min_factor")) {
    e.min_factor = f->as_positive_double();
    if (e.min_factor > 1) throw f->error("expected a factor in (0, 1], got {}", e.min_factor);
  }
  if (auto f = node.find("max_factor")) {
    e.max_factor = f->as_positive_double();
    if (e.max_factor < 1 || e.max_factor > 1024) {
      throw f->error("expected a factor in [1, 1024], got {}", e.max_factor);
    }
  }
  if (auto f = node.find("serial_fraction")) {
    e.serial_fraction = f->as_fraction();
  }
  return e;
}

FractionalConfig load_fractional(const ConfigNode& node) {
  node.check_keys({"fraction", "milli"});
  FractionalConfig f;
  const ConfigNode fraction = node.at("fraction");
  f.fraction = fraction.as_fraction();
  const ConfigNode milli = node.at("milli");
  if (milli.size() == 0) throw milli.error("expected at least one share in thousandths of a GPU");
  for (std::size_t i = 0; i < milli.size(); ++i) {
    const std::int64_t m = milli[i].as_int();
    // 1000 would be a whole GPU: not a share.
    if (m < 1 || m > 999) {
      throw milli[i].error("expected a share in [1, 999] thousandths, got {}", m);
    }
    f.milli.push_back(static_cast<std::uint16_t>(m));
  }
  return f;
}

SyntheticConfig load_synthetic(const ConfigNode& root, const GpuCatalog& catalog,
                               const SiteDirectory& sites) {
  root.check_keys({"source", "jobs", "arrival", "gpus", "duration", "tenants",
                   "preemptible_fraction", "allowed_gpu_types", "job_class", "data", "residency",
                   "gpu_utilisation", "flexible", "elastic", "fractional", "services"});
  SyntheticConfig c;
  c.origin = root.pos();
  c.jobs = root.at("jobs").as_positive_int();
  const ConfigNode arrival = root.at("arrival");
  arrival.check_keys({"process", "rate_per_hour"});
  const ConfigNode process = arrival.at("process");
  if (process.as_string() != "poisson") {
    throw process.error("unknown arrival process \"{}\"; expected: poisson", process.as_string());
  }
  const ConfigNode rate = arrival.at("rate_per_hour");
  c.rate_origin = rate.pos();
  c.rate_field = rate.path();
  c.rate_per_hour = rate.as_positive_double();
  // The arrivals must end within the representable time span, with a wide margin for chance.
  if (10.0 * 3600.0 * static_cast<double>(c.jobs) / c.rate_per_hour > kMaxInputSeconds) {
    throw rate.error("{} jobs at {}/h would arrive over more than {:g} seconds", c.jobs,
                     c.rate_per_hour, kMaxInputSeconds / 10);
  }

  const ConfigNode gpus = root.at("gpus");
  c.gpus_origin = gpus.pos();
  gpus.check_keys({"distribution", "values", "weights"});
  const ConfigNode dist = gpus.at("distribution");
  if (dist.as_string() != "categorical") {
    throw dist.error("unknown distribution \"{}\"; expected: categorical", dist.as_string());
  }
  const ConfigNode values = gpus.at("values");
  const ConfigNode weights = gpus.at("weights");
  if (values.size() != weights.size() || values.size() == 0) {
    throw weights.error("expected one weight per value ({} values, {} weights)", values.size(),
                        weights.size());
  }
  double total = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint64_t v = values[i].as_positive_int();
    if (v > (1u << 31)) throw values[i].error("expected at most 2^31 GPUs, got {}", v);
    c.gpu_values.push_back(static_cast<std::uint32_t>(v));
    c.gpu_weights.push_back(weights[i].as_non_negative_double());
    total += c.gpu_weights.back();
  }
  if (!(total > 0)) throw weights.error("expected at least one positive weight");

  c.duration = load_duration(root.at("duration"));
  if (auto t = root.find("tenants")) {
    const std::uint64_t n = t->as_positive_int();
    if (n > 1'000'000) throw t->error("expected at most 1000000 tenants, got {}", n);
    c.tenants = static_cast<std::uint32_t>(n);
  }
  if (auto f = root.find("preemptible_fraction")) c.preemptible_fraction = f->as_fraction();
  if (auto types = root.find("allowed_gpu_types")) {
    for (std::size_t i = 0; i < types->size(); ++i) {
      const ConfigNode t = (*types)[i];
      if (!catalog.find(t.as_string())) {
        throw t.error("unknown GPU type \"{}\"", t.as_string());
      }
      c.allowed_gpu_types.push_back(t.as_string());
    }
  }
  c.job_class = root.get_string("job_class", "default");
  if (auto data = root.find("data")) c.data.push_back(load_data(*data, sites));
  if (auto residency = root.find("residency")) {
    c.residency_sites = load_residency(*residency, sites, c.residency);
  }
  if (auto u = root.find("gpu_utilisation")) {
    c.gpu_utilisation = u->as_positive_double();
    if (c.gpu_utilisation > 1) throw u->error("expected a share in (0, 1], got {}", c.gpu_utilisation);
  }
  if (auto flexible = root.find("flexible")) c.flexible = load_flexible(*flexible);
  if (auto elastic = root.find("elastic")) c.elastic = load_elastic(*elastic);
  if (auto fractional = root.find("fractional")) c.fractional = load_fractional(*fractional);
  return c;
}

// A time on the trace clock: seconds, or a date-time "YYYY-MM-DD HH:MM:SS" (read as UTC) for
// traces that give date-times.
double load_trace_time(const ConfigNode& node) {
  if (const auto t = detail::parse_date_time(node.as_string())) return *t;
  return node.as_double();
}

std::set<std::string> load_names(const ConfigNode& list) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) names.insert(list[i].as_string());
  if (names.empty()) throw list.error("expected at least one name");
  return names;
}

// The options every public format takes, plus its own (TraceFormat::extra_options).
void load_format_options(const ConfigNode& root, const TraceFormat& format, TraceOptions& o) {
  std::vector<std::string> keys = {"source",  "format",    "path",     "bad_rows", "window",
                                   "tenants", "gpu_types", "services", "inflate"};
  if (format.has_status) keys.push_back("statuses");
  keys.insert(keys.end(), format.extra_options.begin(), format.extra_options.end());
  root.check_keys(keys);
  if (auto window = root.find("window")) {
    window->check_keys({"start", "end"});
    if (auto start = window->find("start")) o.window_start_s = load_trace_time(*start);
    if (auto end = window->find("end")) o.window_end_s = load_trace_time(*end);
    if (o.window_start_s && o.window_end_s && *o.window_end_s <= *o.window_start_s) {
      throw window->at("end").error("expected an end after the start");
    }
  }
  if (auto tenants = root.find("tenants")) o.tenants = load_names(*tenants);
  if (auto statuses = root.find("statuses")) o.statuses = load_names(*statuses);
  if (auto types = root.find("gpu_types")) {
    for (const std::string& model : types->keys()) {
      o.gpu_types[model] = types->at(model).as_string();
    }
  }
  if (auto from = root.find("duration_from")) {
    const std::string value = from->as_string();
    if (value == "scheduled") {
      o.duration_from = DurationFrom::Scheduled;
    } else if (value == "creation") {
      o.duration_from = DurationFrom::Creation;
    } else {
      throw from->error("expected scheduled or creation, got \"{}\"", value);
    }
  }
  if (format.name == "gavel") {
    o.throughputs_path = resolve_relative(root.file(), root.at("throughputs").as_string());
    if (auto gpu = root.find("throughput_gpu")) o.throughput_gpu = gpu->as_string();
  }
  if (format.name == "pollux" || format.name == "sia") {
    const ConfigNode work = root.at("gpu_s_by_application");
    for (const std::string& app : work.keys()) {
      o.gpu_s_by_application[app] = work.at(app).as_seconds(false);
    }
    if (o.gpu_s_by_application.empty()) throw work.error("expected at least one application");
  }
}

InflationConfig load_inflation(const ConfigNode& node) {
  node.check_keys({"demand", "interval_s", "departures"});
  InflationConfig c;
  c.pos = node.pos();
  c.field = node.path();
  const ConfigNode demand = node.at("demand");
  c.demand = demand.as_positive_double();
  // Beyond this the draw would only add jobs that can never start.
  if (c.demand > 10) {
    throw demand.error("expected at most 10 times the fleet's GPUs, got {}", c.demand);
  }
  if (auto interval = node.find("interval_s")) {
    c.interval = from_seconds(interval->as_seconds(true));
  }
  if (auto departures = node.find("departures")) c.departures = departures->as_bool();
  return c;
}

TraceConfig load_trace(const ConfigNode& root, const GpuCatalog& catalog) {
  TraceConfig c;
  const TraceFormat* format = nullptr;
  if (auto format_node = root.find("format")) {
    c.format = format_node->as_string();
    format = find_trace_format(c.format);
    if (find_request_trace_format(c.format) != nullptr) {
      throw format_node->error(
          "\"{}\" is a request trace (inference), not jobs: replay it as a service's demand "
          "(services: demand: {{kind: trace}})",
          c.format);
    }
    if (c.format != "native_csv" && c.format != "native" && format == nullptr) {
      throw format_node->error(
          "unknown trace format \"{}\"; expected one of: native, native_csv, {}", c.format,
          trace_format_names());
    }
  }
  if (format == nullptr) {
    root.check_keys({"source", "format", "path", "bad_rows", "services", "inflate"});
  } else {
    load_format_options(root, *format, c.options);
  }
  for (const auto& [model, type] : c.options.gpu_types) {
    if (!catalog.find(type)) {
      throw root.at("gpu_types").at(model).error("unknown GPU type \"{}\"", type);
    }
  }
  c.path = resolve_relative(root.file(), root.at("path").as_string());
  if (auto inflate = root.find("inflate")) c.inflate = load_inflation(*inflate);
  if (auto bad = root.find("bad_rows")) {
    const std::string mode = bad->as_string();
    if (mode == "error") {
      c.bad_rows = BadRows::Error;
    } else if (mode == "skip") {
      c.bad_rows = BadRows::Skip;
    } else {
      throw bad->error("expected error or skip, got \"{}\"", mode);
    }
  }
  return c;
}

}  // namespace

WorkloadConfig load_workload_config(const ConfigNode& node, const GpuCatalog& catalog,
                                    const SiteDirectory& sites) {
  const ConfigNode root =
      node.is_scalar() ? ConfigNode::load_file(resolve_relative(node.file(), node.as_string()))
                       : node;
  const ConfigNode source = root.at("source");
  const std::string kind = source.as_string();
  WorkloadConfig config;
  if (kind == "synthetic") {
    config.source = load_synthetic(root, catalog, sites);
  } else if (kind == "trace") {
    config.source = load_trace(root, catalog);
  } else {
    throw source.error("unknown workload source \"{}\"; expected one of: synthetic, trace", kind);
  }
  if (auto services = root.find("services")) config.services = load_services(*services, catalog, sites);
  return config;
}

TraceOptions trace_options_of(const TraceConfig& trace) {
  TraceOptions o = trace.options;
  o.format = trace.format;
  o.path = trace.path;
  o.display_path = trace.path;
  o.bad_rows = trace.bad_rows;
  return o;
}

LoadedWorkload open_workload(const WorkloadConfig& config, const GpuCatalog& catalog,
                             const RngStreams& rng, std::uint64_t fleet_gpus,
                             const SiteDirectory& sites) {
  LoadedWorkload out;
  if (const auto* synthetic = std::get_if<SyntheticConfig>(&config.source)) {
    out.source = std::make_unique<SyntheticGenerator>(*synthetic, catalog, rng);
    return out;
  }
  const auto& trace = std::get<TraceConfig>(config.source);
  TraceReadResult read = read_trace(trace_options_of(trace), catalog, sites);
  out.rejected_rows = read.rejected;
  out.trace_rows = read.rows;
  out.rejected_by_reason = read.rejected_by_reason;
  spdlog::info("trace {}: {}", trace.path, describe_rows(read));
  if (trace.inflate) {
    read.jobs = inflate(read.jobs, *trace.inflate, fleet_gpus, rng);
    spdlog::info("trace {}: {} jobs drawn", trace.path, read.jobs.size());
  }
  out.source = std::make_unique<VectorSource>(std::move(read.jobs), trace.path);
  return out;
}

}  // namespace fleetsim
