// Inline test doubles shared by the engine tests: a policy whose passes a lambda writes, and a
// failure model config with one scripted failure.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "sim/failure/failure_config.hpp"
#include "sim/policy/policy.hpp"

namespace fleetsim::test {

// A policy written inline: `script` fills the decisions of each pass.
class Scripted final : public Policy {
 public:
  using Script = std::function<void(const SchedulerView&, Decisions&)>;
  explicit Scripted(Script script) : script_(std::move(script)) {}
  Decisions decide(const SchedulerView& view) override {
    Decisions d;
    script_(view, d);
    return d;
  }

 private:
  Script script_;
};

// One failure of the component `index` at `level`, at `at_s`, repaired `repair_s` later.
inline FailureConfig scripted_failure(double at_s, FailureLevel level, std::uint64_t index,
                                      double repair_s) {
  FailureConfig f;
  // Field by field: a braced temporary makes g++ 12 -O3 warn (-Wmaybe-uninitialized, a false
  // positive) about its strings.
  ScriptedFailure& s = f.scripted.emplace_back();
  s.at = from_seconds(at_s);
  s.level = level;
  s.index = index;
  s.repair = from_seconds(repair_s);
  return f;
}

}  // namespace fleetsim::test
