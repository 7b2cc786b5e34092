#include "sim/sweep/sweep_plan.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "sim/io/config_node.hpp"
#include "sim/io/path_resolution.hpp"

namespace fleetsim {
namespace {

// One axis of a policy's grid: a declared parameter and the values it takes.
struct GridAxis {
  std::string name;
  std::vector<ParamValue> values;
};

struct PolicyEntry {
  explicit PolicyEntry(ConfigNode n) : node(std::move(n)) {}
  ConfigNode node;
  const PolicyInfo* info = nullptr;
  std::string label;  // folder name; the policy name unless `label:` says otherwise
  std::map<std::string, ParamValue> fixed;
  std::vector<GridAxis> grid;
};

// Folder names hold labels and parameter values: keep them portable and free of separators.
bool is_folder_safe(const std::string& text) {
  return !text.empty() && text != "." && text != ".." &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                  c == '.' || c == '+';
         });
}

const Param& declared_param(const ConfigNode& key_node, const PolicyInfo& info,
                            const std::string& key) {
  auto it = std::find_if(info.params.begin(), info.params.end(),
                         [&](const Param& p) { return p.name == key; });
  if (it == info.params.end()) {
    std::vector<std::string> declared;
    for (const Param& p : info.params) declared.push_back(p.name);
    throw key_node.error("policy {} has no parameter \"{}\"; it declares: {}", info.name, key,
                         declared.empty() ? "none" : fmt::format("{}", fmt::join(declared, ", ")));
  }
  return *it;
}

PolicyEntry load_policy_entry(const ConfigNode& node) {
  PolicyEntry entry(node);
  const ConfigNode name = node.is_map() ? node.at("name") : node;
  if (node.is_map()) node.check_keys({"name", "label", "params", "grid"});
  entry.info = find_policy(name.as_string());
  if (entry.info == nullptr) {
    throw name.error("unknown policy \"{}\"; known: {}", name.as_string(), known_policy_names());
  }
  entry.label = entry.info->name;
  if (!node.is_map()) return entry;
  if (auto label = node.find("label")) {
    entry.label = label->as_string();
    if (!is_folder_safe(entry.label)) {
      throw label->error("expected a folder name of letters, digits, '_', '-', '.', '+', got \"{}\"",
                         entry.label);
    }
  }
  if (auto params = node.find("params"); params && !params->is_null()) {
    for (const std::string& key : params->keys()) {
      const ConfigNode value = params->at(key);
      entry.fixed[key] = load_param(value, declared_param(value, *entry.info, key));
    }
  }
  if (auto grid = node.find("grid"); grid && !grid->is_null()) {
    for (const std::string& key : grid->keys()) {
      const ConfigNode values = grid->at(key);
      const Param& param = declared_param(values, *entry.info, key);
      if (entry.fixed.count(key) != 0) {
        throw values.error("parameter \"{}\" is both fixed in params and varied in grid", key);
      }
      if (!values.is_sequence() || values.size() == 0) {
        throw values.error("expected a non-empty list of values");
      }
      GridAxis axis{key, {}};
      for (std::size_t i = 0; i < values.size(); ++i) {
        axis.values.push_back(load_param(values[i], param));
        if (!is_folder_safe(format_param_value(axis.values.back()))) {
          throw values[i].error("value \"{}\" cannot name a folder",
                                format_param_value(axis.values.back()));
        }
      }
      entry.grid.push_back(std::move(axis));
    }
  }
  return entry;
}

std::vector<std::uint64_t> load_seeds(const ConfigNode& node) {
  std::vector<std::uint64_t> seeds;
  const auto seed_of = [](const ConfigNode& n) {
    const std::int64_t s = n.as_int();
    if (s < 0) throw n.error("expected an integer >= 0, got {}", s);
    return static_cast<std::uint64_t>(s);
  };
  if (node.is_map()) {  // {first: 1, count: 10}: seeds 1..10
    node.check_keys({"first", "count"});
    const std::uint64_t first = seed_of(node.at("first"));
    const std::uint64_t count = node.at("count").as_positive_int();
    for (std::uint64_t i = 0; i < count; ++i) seeds.push_back(first + i);
  } else {
    if (!node.is_sequence() || node.size() == 0) {
      throw node.error("expected a non-empty list of seeds or {{first: N, count: M}}");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      seeds.push_back(seed_of(node[i]));
      if (std::count(seeds.begin(), seeds.end(), seeds.back()) > 1) {
        throw node[i].error("seed {} is listed twice", seeds.back());
      }
    }
  }
  return seeds;
}

// Every combination of the grid axes, the first axis varying slowest (file order).
std::vector<std::vector<std::pair<std::string, ParamValue>>> grid_points(
    const std::vector<GridAxis>& grid) {
  std::vector<std::vector<std::pair<std::string, ParamValue>>> points = {{}};
  for (const GridAxis& axis : grid) {
    std::vector<std::vector<std::pair<std::string, ParamValue>>> next;
    for (const auto& point : points) {
      for (const ParamValue& v : axis.values) {
        next.push_back(point);
        next.back().emplace_back(axis.name, v);
      }
    }
    points = std::move(next);
  }
  return points;
}

// The scenario as this policy entry runs it: its policy, fixed parameters and grid point.
ScenarioConfig configure(const std::string& scenario_file, const PolicyEntry& entry,
                         const std::vector<std::pair<std::string, ParamValue>>& point) {
  ScenarioOverrides overrides;
  overrides.policy = entry.info->name;
  ScenarioConfig config = load_scenario(scenario_file, overrides);
  for (const auto& [key, value] : entry.fixed) config.policy_params[key] = value;
  for (const auto& [key, value] : point) config.policy_params[key] = value;
  if (entry.info->validate) {
    if (std::string problem = entry.info->validate(PolicyParams(config.policy_params));
        !problem.empty()) {
      throw entry.node.error("{}", problem);
    }
  }
  return config;
}

}  // namespace

SweepPlan load_sweep(const std::string& file) {
  const ConfigNode root = ConfigNode::load_file(file);
  root.check_keys({"name", "scenarios", "policies", "seeds"});
  SweepPlan plan;
  plan.name = root.has("name") ? root.at("name").as_string()
                               : std::filesystem::path(file).stem().string();

  const ConfigNode scenarios = root.at("scenarios");
  if (!scenarios.is_sequence() || scenarios.size() == 0) {
    throw scenarios.error("expected a non-empty list of scenario files");
  }
  const ConfigNode policies = root.at("policies");
  if (!policies.is_sequence() || policies.size() == 0) {
    throw policies.error("expected a non-empty list of policies");
  }
  std::vector<PolicyEntry> entries;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    entries.push_back(load_policy_entry(policies[i]));
    for (std::size_t j = 0; j + 1 < entries.size(); ++j) {
      if (entries[j].label == entries.back().label) {
        throw policies[i].error("label \"{}\" is already used by policies[{}]; give one a label:",
                                entries.back().label, j);
      }
    }
  }
  const std::vector<std::uint64_t> seeds = load_seeds(root.at("seeds"));

  std::map<std::string, std::size_t> scenario_names;  // name -> index, as names are folders
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const std::string path = resolve_relative(file, scenarios[s].as_string());
    if (!std::filesystem::is_regular_file(path)) {
      throw scenarios[s].error("cannot open scenario file \"{}\"", path);
    }
    for (const PolicyEntry& entry : entries) {
      for (const auto& point : grid_points(entry.grid)) {
        const ScenarioConfig config = configure(path, entry, point);
        if (auto [it, fresh] = scenario_names.emplace(config.name, s); !fresh && it->second != s) {
          throw scenarios[s].error("scenario name \"{}\" is also that of scenarios[{}]; cells "
                                   "would share a folder",
                                   config.name, it->second);
        }
        if (!is_folder_safe(config.name)) {
          throw scenarios[s].error("scenario name \"{}\" cannot name a folder", config.name);
        }
        std::string variant = entry.label;
        for (const auto& [key, value] : point) {
          variant += "/" + key + "=" + format_param_value(value);
        }
        for (std::uint64_t seed : seeds) {
          SweepCell cell{config, "", variant};
          cell.config.seed = seed;
          cell.dir = fmt::format("{}/{}/seed-{}", config.name, variant, seed);
          plan.cells.push_back(std::move(cell));
        }
      }
    }
  }
  return plan;
}

}  // namespace fleetsim
