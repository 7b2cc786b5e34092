#include "sim/io/failure_config_loader.hpp"

#include <set>

namespace fleetsim {
namespace {

constexpr double kSecondsPerHour = 3600.0;

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
    r.value_s = node.at("hours").as_non_negative_double() * kSecondsPerHour;
  } else if (name == "exponential") {
    r.kind = RepairDistribution::Kind::Exponential;
    r.mean_s = node.at("mean_hours").as_positive_double() * kSecondsPerHour;
  } else if (name == "lognormal") {
    r.kind = RepairDistribution::Kind::Lognormal;
    r.median_s = node.at("median_hours").as_positive_double() * kSecondsPerHour;
    r.sigma = node.at("sigma").as_non_negative_double();
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
  p.lifetime.mtbf_s = node.at("mtbf_hours").as_positive_double() * kSecondsPerHour;
  const std::string lifetime = node.get_string("lifetime", "exponential");
  if (lifetime == "weibull") {
    p.lifetime.kind = LifetimeDistribution::Kind::Weibull;
    p.lifetime.shape = node.at("shape").as_positive_double();
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
