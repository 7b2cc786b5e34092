#include "sim/io/workload_config.hpp"

#include <set>

#include "sim/io/path_resolution.hpp"
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

SyntheticConfig load_synthetic(const ConfigNode& root, const GpuCatalog& catalog) {
  root.check_keys({"source", "jobs", "arrival", "gpus", "duration", "tenants",
                   "preemptible_fraction", "allowed_gpu_types", "job_class"});
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
  if (auto f = root.find("preemptible_fraction")) {
    c.preemptible_fraction = f->as_non_negative_double();
    if (c.preemptible_fraction > 1) throw f->error("expected a fraction in [0, 1]");
  }
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
  return c;
}

TraceConfig load_trace(const ConfigNode& root) {
  root.check_keys({"source", "format", "path", "bad_rows"});
  TraceConfig c;
  if (auto format = root.find("format")) {
    if (format->as_string() != "native_csv") {
      throw format->error("unknown trace format \"{}\"; expected: native_csv",
                          format->as_string());
    }
  }
  c.path = resolve_relative(root.file(), root.at("path").as_string());
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

WorkloadConfig load_workload_config(const ConfigNode& node, const GpuCatalog& catalog) {
  const ConfigNode root =
      node.is_scalar() ? ConfigNode::load_file(resolve_relative(node.file(), node.as_string()))
                       : node;
  const ConfigNode source = root.at("source");
  const std::string kind = source.as_string();
  if (kind == "synthetic") return {load_synthetic(root, catalog)};
  if (kind == "trace") return {load_trace(root)};
  throw source.error("unknown workload source \"{}\"; expected one of: synthetic, trace", kind);
}

LoadedWorkload open_workload(const WorkloadConfig& config, const GpuCatalog& catalog,
                             const RngStreams& rng) {
  LoadedWorkload out;
  if (const auto* synthetic = std::get_if<SyntheticConfig>(&config.source)) {
    out.source = std::make_unique<SyntheticGenerator>(*synthetic, catalog, rng);
    return out;
  }
  const auto& trace = std::get<TraceConfig>(config.source);
  TraceReadResult read = read_native_csv(trace.path, trace.path, catalog, trace.bad_rows);
  out.rejected_rows = read.rejected;
  out.trace_rows = read.rows;
  out.source = std::make_unique<VectorSource>(std::move(read.jobs), trace.path);
  return out;
}

}  // namespace fleetsim
