#include "sim/failure/failure_model.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/special_functions/gamma.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>

namespace fleetsim {

const char* level_name(FailureLevel level) {
  switch (level) {
    case FailureLevel::Gpu: return "gpu";
    case FailureLevel::Node: return "node";
    case FailureLevel::Rack: return "rack";
    case FailureLevel::Site: return "site";
  }
  return "?";
}

FailureModel::FailureModel(FailureConfig config, const Topology& topology, const RngStreams& rng)
    : topology_(&topology) {
  for (FailureProcessConfig& c : config.processes) {
    Process p;
    p.name = std::move(c.name);
    p.level = c.level;
    p.lifetime = c.lifetime;
    p.repair = c.repair;
    p.pooled = c.lifetime.kind == LifetimeDistribution::Kind::Exponential;
    p.rng = rng.stream("failures/" + p.name);
    p.down.assign(component_count(p.level), false);
    processes_.push_back(std::move(p));
  }
  for (ScriptedFailure& s : config.scripted) {
    const std::uint64_t count = component_count(s.level);
    if (s.index >= count) {
      throw ConfigError::at(s.origin, s.field, "the fleet has {} {} components (0 to {}), not {}",
                            count, level_name(s.level), count == 0 ? 0 : count - 1, s.index);
    }
    Process p;
    p.name = "scripted";
    p.level = s.level;
    p.script = s;
    p.down.assign(count, false);
    processes_.push_back(std::move(p));
  }
}

const std::string& FailureModel::process_name(std::uint32_t process) const {
  return processes_[process].name;
}

FailureLevel FailureModel::process_level(std::uint32_t process) const {
  return processes_[process].level;
}

std::uint64_t FailureModel::component_count(FailureLevel level) const {
  switch (level) {
    case FailureLevel::Gpu: return topology_->gpu_count();
    case FailureLevel::Node: return topology_->nodes().size();
    case FailureLevel::Rack: return topology_->racks().size();
    case FailureLevel::Site: return topology_->sites().size();
  }
  return 0;
}

Duration FailureModel::draw_lifetime(Process& p) {
  const LifetimeDistribution& l = p.lifetime;
  double seconds = 0;
  if (p.pooled) {
    const auto up = static_cast<double>(p.down.size());
    seconds = boost::random::exponential_distribution<double>(up / l.mtbf_s)(p.rng);
  } else {
    const double scale = l.mtbf_s / boost::math::tgamma(1.0 + 1.0 / l.shape);
    seconds = boost::random::weibull_distribution<double>(l.shape, scale)(p.rng);
  }
  // Strictly later: no same-instant loop. Heavy tails are capped where microseconds would overflow.
  return std::max<Duration>(1, from_seconds(std::min(seconds, kMaxInputSeconds)));
}

Duration FailureModel::draw_repair(Process& p) {
  const RepairDistribution& r = p.repair;
  double seconds = 0;
  switch (r.kind) {
    case RepairDistribution::Kind::None: return 0;
    case RepairDistribution::Kind::Constant: return from_seconds(r.value_s);
    case RepairDistribution::Kind::Exponential:
      seconds = boost::random::exponential_distribution<double>(1.0 / r.mean_s)(p.rng);
      break;
    case RepairDistribution::Kind::Lognormal:
      // Boost's lognormal takes the mean and sigma of ln(x): mean of ln = ln(median).
      seconds = boost::random::lognormal_distribution<double>(std::log(r.median_s), r.sigma)(p.rng);
      break;
  }
  // Heavy tails are capped where microseconds would overflow.
  return from_seconds(std::min(seconds, kMaxInputSeconds));
}

std::vector<FailureDraw> FailureModel::first_failures() {
  std::vector<FailureDraw> draws;
  for (std::uint32_t i = 0; i < processes_.size(); ++i) {
    Process& p = processes_[i];
    if (p.script) {
      draws.push_back({p.script->at, i, static_cast<std::uint32_t>(p.script->index)});
    } else if (p.down.empty()) {
      continue;  // no component of this level in the fleet
    } else if (p.pooled) {
      const Duration gap = draw_lifetime(p);
      const auto pick = boost::random::uniform_int_distribution<std::uint64_t>(
          0, p.down.size() - 1)(p.rng);
      draws.push_back({gap, i, static_cast<std::uint32_t>(pick)});
    } else {
      for (std::uint32_t c = 0; c < p.down.size(); ++c) draws.push_back({draw_lifetime(p), i, c});
    }
  }
  return draws;
}

FailureModel::Outcome FailureModel::fail(std::uint32_t process, std::uint32_t component,
                                         SimTime now) {
  Process& p = processes_[process];
  Outcome out;
  out.takes_effect = !p.down[component];
  if (out.takes_effect) {
    p.down[component] = true;
    out.repair_at = now + (p.script ? p.script->repair : draw_repair(p));
  }
  if (p.pooled) {
    const Duration gap = draw_lifetime(p);
    const auto pick =
        boost::random::uniform_int_distribution<std::uint64_t>(0, p.down.size() - 1)(p.rng);
    out.next = FailureDraw{now + gap, process, static_cast<std::uint32_t>(pick)};
  }
  return out;
}

std::optional<FailureDraw> FailureModel::repair(std::uint32_t process, std::uint32_t component,
                                                SimTime now) {
  Process& p = processes_[process];
  p.down[component] = false;
  if (p.pooled || p.script) return std::nullopt;
  return FailureDraw{now + draw_lifetime(p), process, component};
}

ComponentGpus FailureModel::gpus_of(std::uint32_t process, std::uint32_t component) const {
  const Topology& t = *topology_;
  switch (processes_[process].level) {
    case FailureLevel::Gpu: {
      // Nodes are laid out in GPU order: the GPU's node is the last one starting at or before it.
      const auto& nodes = t.nodes();
      const auto it = std::upper_bound(
          nodes.begin(), nodes.end(), component,
          [](std::uint32_t gpu, const Node& n) { return gpu < n.first_gpu.value; });
      const auto node = static_cast<std::uint32_t>(it - nodes.begin() - 1);
      return {NodeId{node}, 1, std::uint64_t{1} << (component - nodes[node].first_gpu.value)};
    }
    case FailureLevel::Node: return {NodeId{component}, 1, 0};
    case FailureLevel::Rack: {
      const Rack& r = t.rack(RackId{component});
      return {r.first_node, r.node_count, 0};
    }
    case FailureLevel::Site: {
      // A site's clusters, racks and nodes are contiguous: its nodes are one range.
      const Site& s = t.site(SiteId{component});
      std::uint32_t begin = 0, end = 0;
      for (std::uint32_t c = 0; c < s.cluster_count; ++c) {
        const Cluster& cluster = t.cluster(ClusterId{s.first_cluster.value + c});
        for (std::uint32_t r = 0; r < cluster.rack_count; ++r) {
          const Rack& rack = t.rack(RackId{cluster.first_rack.value + r});
          if (end == begin) begin = rack.first_node.value;
          end = rack.first_node.value + rack.node_count;
        }
      }
      return {NodeId{begin}, end - begin, 0};
    }
  }
  return {};
}

}  // namespace fleetsim
