// The six built-in queue policies are registered with a summary and the parameters the docs
// promise, and each builds from its defaults.
#include "sim/policy/registry.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

std::vector<std::string> param_names(const PolicyInfo& info) {
  std::vector<std::string> names;
  for (const Param& p : info.params) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(PolicyRegistry, BuiltInQueuePoliciesAreRegisteredWithTheirParameters) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"easy_backfill", {}},
      {"fifo", {}},
      {"fifo_backfill", {}},
      {"las", {"promote_after_s", "service", "skip_blocked", "thresholds"}},
      {"sjf", {"key", "strict_order"}},
      {"srtf", {"min_gain_s"}},
  };
  for (const auto& [name, params] : expected) {
    SCOPED_TRACE(name);
    const PolicyInfo* info = find_policy(name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, name);
    EXPECT_FALSE(info->summary.empty());
    EXPECT_EQ(param_names(*info), params);
    for (const Param& p : info->params) EXPECT_FALSE(p.help.empty()) << p.name;
    ASSERT_TRUE(info->make);
    const PolicyParams defaults = make_params(*info, {});
    EXPECT_NE(info->make(defaults), nullptr);
    if (info->validate) {
      EXPECT_EQ(info->validate(defaults), "");
    }
  }
}

TEST(PolicyRegistry, ChoiceParametersListTheirValues) {
  const PolicyInfo* sjf = find_policy("sjf");
  const PolicyInfo* las = find_policy("las");
  ASSERT_NE(sjf, nullptr);
  ASSERT_NE(las, nullptr);
  auto choices_of = [](const PolicyInfo& info, const std::string& name) {
    for (const Param& p : info.params) {
      if (p.name == name) return p.choices;
    }
    return std::vector<std::string>{};
  };
  EXPECT_EQ(choices_of(*sjf, "key"), (std::vector<std::string>{"gpu_time", "duration", "gpus"}));
  EXPECT_EQ(choices_of(*las, "service"), (std::vector<std::string>{"gpu_time", "run_time"}));
}

}  // namespace
}  // namespace fleetsim
