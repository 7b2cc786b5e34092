#include "sim/io/failure_config_loader.hpp"

#include <set>

#include "sim/core/time.hpp"

namespace fleetsim {
namespace {

constexpr double kSecondsPerHour = 3600.0;
// Below this Weibull shape k, the scale mtbf / Gamma(1 + 1/k) shrinks by more than 10^6 (and
// Gamma overflows a double near k = 0.006, which ended the run with an internal error).
constexpr double kMinWeibullShape = 0.1;
// The repair lognormal's cap, as for job durations (workload_config.cpp).
constexpr double kMaxSigma = 10;

// A time given in hours, as seconds: > 0 (or >= 0 if allow_zero) and, like every input time,
// at most kMaxInputSeconds, or microseconds would overflow.
double hours_as_seconds(const ConfigNode& node, bool allow_zero) {
  const double hours = allow_zero ? node.as_non_negative_double() : node.as_positive_double();
  if (hours > kMaxInputSeconds / kSecondsPerHour) {
    throw node.error("expected at most {:g} hours, got {:g}", kMaxInputSeconds / kSecondsPerHour,
                     hours);
  }
  return hours * kSecondsPerHour;
}

FailureLevel load_level(const ConfigNode& node) {
  const std::string level = node.as_string();
  if (level == "gpu") return FailureLevel::Gpu;
  if (level == "node") return FailureLevel::Node;
  if (level == "rack") return FailureLevel::Rack;
  if (level == "site") return FailureLevel::Site;
  throw node.error("expected one of gpu, node, rack, site, got \"{}\"", level);
}

RepairDistribution load_repair(const ConfigNode& node) {
  RepairDistribution r;
  node.check_keys({"kind", "hours", "mean_hours", "median_hours", "sigma"});
  const ConfigNode kind = node.at("kind");
  const std::string name = kind.as_string();
  if (name == "none") {
    r.kind = RepairDistribution::Kind::None;
  } else if (name == "constant") {
    r.kind = RepairDistribution::Kind::Constant;
    r.value_s = hours_as_seconds(node.at("hours"), true);
  } else if (name == "exponential") {
    r.kind = RepairDistribution::Kind::Exponential;
    r.mean_s = hours_as_seconds(node.at("mean_hours"), false);
  } else if (name == "lognormal") {
    r.kind = RepairDistribution::Kind::Lognormal;
    r.median_s = hours_as_seconds(node.at("median_hours"), false);
    const ConfigNode sigma = node.at("sigma");
    r.sigma = sigma.as_non_negative_double();
    if (r.sigma > kMaxSigma) {
      throw sigma.error("expected a sigma of at most {}, got {}", kMaxSigma, r.sigma);
    }
  } else {
    throw kind.error("expected one of none, constant, exponential, lognormal, got \"{}\"", name);
  }
  return r;
}

FailureProcessConfig load_process(const ConfigNode& node) {
  node.check_keys({"name", "level", "mtbf_hours", "lifetime", "shape", "repair"});
  FailureProcessConfig p;
  p.name = node.at("name").as_string();
  p.level = load_level(node.at("level"));
  p.lifetime.mtbf_s = hours_as_seconds(node.at("mtbf_hours"), false);
  const std::string lifetime = node.get_string("lifetime", "exponential");
  if (lifetime == "weibull") {
    p.lifetime.kind = LifetimeDistribution::Kind::Weibull;
    const ConfigNode shape = node.at("shape");
    p.lifetime.shape = shape.as_positive_double();
    if (p.lifetime.shape < kMinWeibullShape) {
      throw shape.error("expected a Weibull shape of at least {}, got {}", kMinWeibullShape,
                        p.lifetime.shape);
    }
  } else if (lifetime == "exponential") {
    if (node.has("shape")) throw node.at("shape").error("only a weibull lifetime has a shape");
  } else {
    throw node.at("lifetime").error("expected exponential or weibull, got \"{}\"", lifetime);
  }
  if (auto repair = node.find("repair")) p.repair = load_repair(*repair);
  return p;
}

ScriptedFailure load_scripted(const ConfigNode& node) {
  node.check_keys({"at_s", "level", "index", "repair_s"});
  ScriptedFailure s;
  s.at = from_seconds(node.at("at_s").as_seconds(true));
  s.level = load_level(node.at("level"));
  const ConfigNode index = node.at("index");
  const std::int64_t i = index.as_int();
  if (i < 0) throw index.error("expected an integer >= 0, got {}", i);
  s.index = static_cast<std::uint64_t>(i);
  s.origin = index.pos();
  s.field = index.path();
  s.repair = node.has("repair_s") ? from_seconds(node.at("repair_s").as_seconds(true)) : 0;
  return s;
}

}  // namespace

FailureConfig load_failure_config(const ConfigNode& node) {
  node.check_keys({"processes", "scripted"});
  FailureConfig config;
  std::set<std::string> names;
  if (auto processes = node.find("processes")) {
    for (std::size_t i = 0; i < processes->size(); ++i) {
      const ConfigNode entry = (*processes)[i];
      FailureProcessConfig p = load_process(entry);
      // The name also names the process's RNG stream: two with one name would draw alike.
      if (!names.insert(p.name).second) {
        throw entry.at("name").error("failure process \"{}\" is defined twice", p.name);
      }
      config.processes.push_back(std::move(p));
    }
  }
  if (auto scripted = node.find("scripted")) {
    for (std::size_t i = 0; i < scripted->size(); ++i) {
      config.scripted.push_back(load_scripted((*scripted)[i]));
    }
  }
  return config;
}

CheckpointConfig load_checkpoint_config(const ConfigNode& node) {
  node.check_keys({"interval_s", "cost_s", "restart_s"});
  CheckpointConfig c;
  c.interval = node.has("interval_s") ? from_seconds(node.at("interval_s").as_seconds(true)) : 0;
  c.cost = node.has("cost_s") ? from_seconds(node.at("cost_s").as_seconds(true)) : 0;
  c.restart = node.has("restart_s") ? from_seconds(node.at("restart_s").as_seconds(true)) : 0;
  if (c.interval == 0 && c.cost > 0) {
    throw node.at("cost_s").error("a checkpoint cost needs a checkpoint interval_s > 0");
  }
  return c;
}

}  // namespace fleetsim
