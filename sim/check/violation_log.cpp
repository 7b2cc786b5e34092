#include "sim/check/violation_log.hpp"

#include <utility>

#include <fmt/format.h>

namespace fleetsim {

std::string format_violation(const Violation& v) {
  if (v.subject.empty()) return fmt::format("t={}: {}", v.time, v.what);
  return fmt::format("t={} {}: {}", v.time, v.subject, v.what);
}

void ViolationLog::add(SimTime time, std::string subject, std::string what) {
  ++count_;
  if (kept_.size() < keep_) kept_.push_back({time, std::move(subject), std::move(what)});
}

std::vector<std::string> ViolationLog::lines() const {
  std::vector<std::string> out;
  out.reserve(kept_.size());
  for (const Violation& v : kept_) out.push_back(format_violation(v));
  return out;
}

}  // namespace fleetsim
