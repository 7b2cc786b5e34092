// Policies by name: each built-in (or user) policy file defines one PolicyRegistration at
// namespace scope with its summary and declared parameters. The scenario names the policy; its
// parameters are validated against the declaration before the run starts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim {

using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<double>>;

// A declared policy parameter: name, type (from its default), default, and a one-line help.
struct Param {
  std::string name;
  ParamValue default_value;
  std::string help;
  std::vector<std::string> choices = {};  // for text parameters: the allowed values (empty = any)

  static Param flag(std::string name, bool default_value, std::string help);
  static Param integer(std::string name, std::int64_t default_value, std::string help);
  static Param real(std::string name, double default_value, std::string help);
  static Param text(std::string name, std::string default_value, std::string help);
  static Param choice(std::string name, std::string default_value,
                      std::vector<std::string> choices, std::string help);
  static Param reals(std::string name, std::vector<double> default_value, std::string help);

  std::string type_name() const;  // "bool", "int", "real", "text", "list of reals"
};

std::string format_param_value(const ParamValue& value);

// A policy's parameter values: every declared parameter is present (defaults filled in).
class PolicyParams {
 public:
  PolicyParams() = default;
  explicit PolicyParams(std::map<std::string, ParamValue> values) : values_(std::move(values)) {}

  // Precondition (checked): `name` is declared with type T.
  template <class T>
  const T& get(const std::string& name) const {
    auto it = values_.find(name);
    FLEETSIM_CHECK(it != values_.end() && std::holds_alternative<T>(it->second),
                   "policy parameter {} not declared with the requested type", name);
    return std::get<T>(it->second);
  }
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  std::map<std::string, ParamValue> values_;
};

struct PolicyInfo {
  std::string name;
  std::string summary;
  std::vector<Param> params;
  std::function<std::unique_ptr<Policy>(const PolicyParams&)> make;
  // Optional check across parameters (e.g. thresholds ascending); returns an error text or "".
  std::function<std::string(const PolicyParams&)> validate = nullptr;
};

// Defaults of `info` overridden by `values`. Precondition (checked): every name is declared and
// every value has its parameter's type; the YAML loader checks user input before calling this.
PolicyParams make_params(const PolicyInfo& info, const std::map<std::string, ParamValue>& values);

struct PolicyRegistration {
  explicit PolicyRegistration(PolicyInfo info);
};

const std::vector<PolicyInfo>& registered_policies();  // sorted by name
const PolicyInfo* find_policy(const std::string& name);
std::string known_policy_names();  // "easy_backfill, fifo, ..." for error messages
std::string known_placement_names();

}  // namespace fleetsim
