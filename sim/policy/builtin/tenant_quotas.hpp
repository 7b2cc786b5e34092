// Per-tenant guaranteed shares for the `priority` policy, written as one text parameter
// ("team-a=0.5, team-b=0.25": a share of the fleet's GPUs per tenant). Parsed once when the
// parameters are validated (error text names the entry) and again when the policy is made.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace fleetsim::detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Fills `shares` (tenant -> share in (0, 1]) and returns "", or returns what is wrong with the
// text, naming the parameter and the entry. The shares must sum to at most 1.
inline std::string parse_quotas(const std::string& text, std::map<std::string, double>& shares) {
  shares.clear();
  double total = 0;
  std::string_view rest = text;
  for (std::size_t index = 0; !trim(rest).empty(); ++index) {
    const std::size_t comma = rest.find(',');
    const std::string_view entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::size_t eq = entry.find('=');
    const std::string tenant(trim(entry.substr(0, eq == std::string_view::npos ? 0 : eq)));
    if (eq == std::string_view::npos || tenant.empty()) {
      return fmt::format("quotas[{}]: expected tenant=share, got \"{}\"", index, entry);
    }
    const std::string number(trim(entry.substr(eq + 1)));
    char* end = nullptr;
    const double share = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !std::isfinite(share) || share <= 0 || share > 1) {
      return fmt::format("quotas[{}]: {}: expected a share in (0, 1], got \"{}\"", index, tenant,
                         number);
    }
    if (!shares.emplace(tenant, share).second) {
      return fmt::format("quotas[{}]: tenant {} is listed twice", index, tenant);
    }
    total += share;
  }
  if (total > 1 + 1e-9) return fmt::format("quotas: shares sum to {}, more than 1", total);
  return "";
}

}  // namespace fleetsim::detail
