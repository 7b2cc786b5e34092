#include "sim/io/scenario_config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "sim/io/failure_config_loader.hpp"
#include "sim/io/utc_time.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/site_selection.hpp"

namespace fleetsim {

ParamValue load_param(const ConfigNode& node, const Param& param) {
  switch (param.default_value.index()) {
    case 0: return node.as_bool();
    case 1: return node.as_int();
    case 2: return node.as_double();
    case 3: {
      std::string value = node.as_string();
      if (!param.choices.empty() &&
          std::find(param.choices.begin(), param.choices.end(), value) == param.choices.end()) {
        throw node.error("expected one of {}, got \"{}\"", fmt::join(param.choices, ", "), value);
      }
      return value;
    }
    default: {
      std::vector<double> values;
      for (std::size_t i = 0; i < node.size(); ++i) values.push_back(node[i].as_double());
      return values;
    }
  }
}

namespace {

// A policy's own check names the parameter first ("thresholds[1]: must be greater than ..."):
// report it at that parameter, or at its list element, so the line is the field's. A parameter
// left at its default has no line of its own: the params map's, as for a missing key.
ConfigError param_problem(const ConfigNode& params, const std::string& problem) {
  const std::size_t colon = problem.find(": ");
  const std::string field = problem.substr(0, colon);
  const std::size_t bracket = field.find('[');
  const std::string key = field.substr(0, bracket);
  const bool is_name = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (colon == std::string::npos || !is_name) return params.error("{}", problem);
  SourcePos pos = params.pos();
  if (params.has(key)) {
    const ConfigNode value = params.at(key);
    pos = value.pos();
    std::size_t index = 0;
    if (bracket != std::string::npos && value.is_sequence() &&
        std::sscanf(field.c_str() + bracket, "[%zu]", &index) == 1 && index < value.size()) {
      pos = value[index].pos();
    }
  }
  return ConfigError(pos, params.path() + "." + field, problem.substr(colon + 2));
}

void load_policy(const ConfigNode& root, const ScenarioOverrides& overrides, ScenarioConfig& out) {
  const ConfigNode policy = root.at("policy");
  policy.check_keys({"name", "params"});
  const ConfigNode name = policy.at("name");
  out.policy = overrides.policy.value_or(name.as_string());
  const PolicyInfo* info = find_policy(out.policy);
  if (info == nullptr) {
    // An unknown --policy has no file position; an unknown policy.name does.
    const std::string message = fmt::format("unknown policy \"{}\"; known: {}", out.policy,
                                            known_policy_names());
    if (overrides.policy) throw ConfigError({"--policy", 0, 0}, "", message);
    throw name.error("{}", message);
  }
  for (const Param& p : info->params) out.policy_params[p.name] = p.default_value;
  // Parameters written for the scenario's own policy do not apply to an override.
  const bool own_params = !overrides.policy || *overrides.policy == name.as_string();
  if (auto params = policy.find("params"); params && own_params && !params->is_null()) {
    for (const std::string& key : params->keys()) {
      auto it = std::find_if(info->params.begin(), info->params.end(),
                             [&](const Param& p) { return p.name == key; });
      if (it == info->params.end()) {
        std::vector<std::string> declared;
        for (const Param& p : info->params) declared.push_back(p.name);
        throw params->at(key).error("policy {} has no parameter \"{}\"; it declares: {}",
                                    out.policy, key,
                                    declared.empty() ? "none" : fmt::format("{}", fmt::join(declared, ", ")));
      }
      out.policy_params[key] = load_param(params->at(key), *it);
    }
    if (info->validate) {
      if (std::string problem = info->validate(PolicyParams(out.policy_params)); !problem.empty()) {
        throw param_problem(*params, problem);
      }
    }
  }
}

Duration seconds_field(const ConfigNode& map, const std::string& key, Duration fallback) {
  if (!map.has(key)) return fallback;
  return from_seconds(map.at(key).as_seconds(true));
}

}  // namespace

SiteDirectory site_directory(const FleetConfig& fleet) {
  std::vector<SiteName> names;
  for (const SiteConfig& s : fleet.sites) names.push_back({s.name, s.country, s.region});
  return SiteDirectory(std::move(names));
}

ScenarioConfig load_scenario(const std::string& file, const ScenarioOverrides& overrides) {
  const ConfigNode root = ConfigNode::load_file(file);
  root.check_keys({"name", "seed", "start", "fleet", "workload", "policy", "placement",
                   "site_selection", "preemption", "run", "output", "failures", "checkpoint",
                   "fleetsim_version"});
  ScenarioConfig out;
  out.file = file;
  out.name = root.has("name") ? root.at("name").as_string()
                              : std::filesystem::path(file).stem().string();
  if (auto seed = root.find("seed")) {
    const std::int64_t s = seed->as_int();
    if (s < 0) throw seed->error("expected an integer >= 0, got {}", s);
    out.seed = static_cast<std::uint64_t>(s);
  }
  if (overrides.seed) out.seed = *overrides.seed;
  if (auto start = root.find("start")) {
    const std::optional<std::int64_t> t = parse_utc(start->as_string());
    if (!t) {
      throw start->error("expected a UTC date such as 2026-01-01 or 2026-01-01T00:00, got \"{}\"",
                         start->as_string());
    }
    out.start = start->as_string();
    out.start_unix_s = *t;
  }
  out.fleet = load_fleet_config(root.at("fleet"));
  const GpuCatalog catalog(out.fleet.gpu_types, out.fleet.reference_type);
  out.workload = load_workload_config(root.at("workload"), catalog, site_directory(out.fleet));
  load_policy(root, overrides, out);
  if (overrides.placement) {
    out.placement = *overrides.placement;
    if (find_placement(out.placement) == nullptr) {
      throw ConfigError({"--placement", 0, 0}, "",
                        fmt::format("unknown placement \"{}\"; known: {}", out.placement,
                                    known_placement_names()));
    }
  } else if (auto placement = root.find("placement")) {
    out.placement = placement->as_string();
    if (find_placement(out.placement) == nullptr) {
      throw placement->error("unknown placement \"{}\"; known: {}", out.placement,
                             known_placement_names());
    }
  }
  if (overrides.site_selection) {
    out.site_selection = *overrides.site_selection;
    if (find_site_selection(out.site_selection) == nullptr) {
      throw ConfigError({"--site-selection", 0, 0}, "",
                        fmt::format("unknown site selection \"{}\"; known: {}",
                                    out.site_selection, known_site_selection_names()));
    }
  } else if (auto selection = root.find("site_selection")) {
    out.site_selection = selection->as_string();
    if (find_site_selection(out.site_selection) == nullptr) {
      throw selection->error("unknown site selection \"{}\"; known: {}", out.site_selection,
                             known_site_selection_names());
    }
  }
  if (auto preemption = root.find("preemption")) {
    preemption->check_keys({"preempt_overhead_s", "resume_overhead_s"});
    out.preempt_overhead = seconds_field(*preemption, "preempt_overhead_s", 0);
    out.resume_overhead = seconds_field(*preemption, "resume_overhead_s", 0);
  }
  if (auto failures = root.find("failures")) out.failures = load_failure_config(*failures);
  if (auto checkpoint = root.find("checkpoint")) out.checkpoint = load_checkpoint_config(*checkpoint);
  if (auto run = root.find("run")) {
    run->check_keys({"until_s"});
    const Duration until = seconds_field(*run, "until_s", 0);
    out.until = until > 0 ? until : kTimeNever;
  }
  if (const auto* trace = std::get_if<TraceConfig>(&out.workload.source);
      trace != nullptr && trace->inflate && !trace->inflate->departures &&
      out.until == kTimeNever) {
    throw ConfigError::at(trace->inflate->pos, trace->inflate->field,
                          "departures: false means drawn jobs never end: set run.until_s");
  }
  if (auto output = root.find("output")) {
    output->check_keys({"sample_interval_s"});
    if (auto interval = output->find("sample_interval_s")) {
      out.sample_interval = from_seconds(interval->as_seconds(false));
      if (out.sample_interval < kMicrosPerSecond) {
        throw interval->error("expected at least 1 second, got {}", interval->as_double());
      }
    }
  }
  return out;
}

}  // namespace fleetsim
