#include "sim/policy/registry.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/policy/placement.hpp"
#include "sim/policy/site_selection.hpp"

namespace fleetsim {
namespace {

// Function-local statics: registrations run during static initialisation of other files.
std::vector<PolicyInfo>& policy_storage() {
  static std::vector<PolicyInfo> policies;
  return policies;
}

std::vector<PlacementInfo>& placement_storage() {
  static std::vector<PlacementInfo> placements;
  return placements;
}

std::vector<SiteSelectionInfo>& site_selection_storage() {
  static std::vector<SiteSelectionInfo> selections;
  return selections;
}

template <class Info>
void insert_sorted(std::vector<Info>& storage, Info info) {
  auto it = std::lower_bound(storage.begin(), storage.end(), info.name,
                             [](const Info& a, const std::string& n) { return a.name < n; });
  FLEETSIM_CHECK(it == storage.end() || it->name != info.name, "{} registered twice", info.name);
  storage.insert(it, std::move(info));
}

template <class Info>
const Info* find_sorted(const std::vector<Info>& storage, const std::string& name) {
  auto it = std::lower_bound(storage.begin(), storage.end(), name,
                             [](const Info& a, const std::string& n) { return a.name < n; });
  return it != storage.end() && it->name == name ? &*it : nullptr;
}

template <class Info>
std::string names_of(const std::vector<Info>& storage) {
  std::vector<std::string> names;
  for (const Info& info : storage) names.push_back(info.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

Param Param::flag(std::string name, bool default_value, std::string help) {
  return {std::move(name), default_value, std::move(help), {}};
}
Param Param::integer(std::string name, std::int64_t default_value, std::string help) {
  return {std::move(name), default_value, std::move(help), {}};
}
Param Param::real(std::string name, double default_value, std::string help) {
  return {std::move(name), default_value, std::move(help), {}};
}
Param Param::text(std::string name, std::string default_value, std::string help) {
  return {std::move(name), std::move(default_value), std::move(help), {}};
}
Param Param::choice(std::string name, std::string default_value,
                    std::vector<std::string> choices, std::string help) {
  return {std::move(name), std::move(default_value), std::move(help), std::move(choices)};
}
Param Param::reals(std::string name, std::vector<double> default_value, std::string help) {
  return {std::move(name), std::move(default_value), std::move(help), {}};
}

std::string Param::type_name() const {
  switch (default_value.index()) {
    case 0: return "bool";
    case 1: return "int";
    case 2: return "real";
    case 3: return choices.empty() ? "text" : fmt::format("one of {}", fmt::join(choices, "|"));
    default: return "list of reals";
  }
}

std::string format_param_value(const ParamValue& value) {
  struct Formatter {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<double>& v) const {
      return fmt::format("[{}]", fmt::join(v, ", "));
    }
  };
  return std::visit(Formatter{}, value);
}

PolicyParams make_params(const PolicyInfo& info,
                         const std::map<std::string, ParamValue>& values) {
  std::map<std::string, ParamValue> all;
  for (const Param& p : info.params) all[p.name] = p.default_value;
  for (const auto& [name, value] : values) {
    auto it = all.find(name);
    FLEETSIM_CHECK(it != all.end(), "policy {} has no parameter {}", info.name, name);
    FLEETSIM_CHECK(it->second.index() == value.index(), "policy {} parameter {} has another type",
                   info.name, name);
    it->second = value;
  }
  return PolicyParams(std::move(all));
}

PolicyRegistration::PolicyRegistration(PolicyInfo info) {
  insert_sorted(policy_storage(), std::move(info));
}

const std::vector<PolicyInfo>& registered_policies() { return policy_storage(); }

const PolicyInfo* find_policy(const std::string& name) {
  return find_sorted(policy_storage(), name);
}

std::string known_policy_names() { return names_of(policy_storage()); }

PlacementRegistration::PlacementRegistration(PlacementInfo info) {
  insert_sorted(placement_storage(), std::move(info));
}

const std::vector<PlacementInfo>& registered_placements() { return placement_storage(); }

const PlacementInfo* find_placement(const std::string& name) {
  return find_sorted(placement_storage(), name);
}

std::string known_placement_names() { return names_of(placement_storage()); }

SiteSelectionRegistration::SiteSelectionRegistration(SiteSelectionInfo info) {
  insert_sorted(site_selection_storage(), std::move(info));
}

const std::vector<SiteSelectionInfo>& registered_site_selections() {
  return site_selection_storage();
}

const SiteSelectionInfo* find_site_selection(const std::string& name) {
  return find_sorted(site_selection_storage(), name);
}

std::string known_site_selection_names() { return names_of(site_selection_storage()); }

void SiteSelection::order_shed_victims(const JobTable& jobs,
                                       std::vector<JobId>& victims) const {
  default_shed_order(jobs, victims);
}

void default_shed_order(const JobTable& jobs, std::vector<JobId>& victims) {
  std::sort(victims.begin(), victims.end(), [&](JobId a, JobId b) {
    const SimTime sa = jobs[a].segment_start, sb = jobs[b].segment_start;
    return sa != sb ? sa > sb : a < b;
  });
}

}  // namespace fleetsim
