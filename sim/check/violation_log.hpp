// What an invariant check found wrong in a run: the first few violations word for word, and how
// many there were in all (a broken rule tends to break again at every event after).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/time.hpp"

namespace fleetsim {

struct Violation {
  SimTime time = 0;
  std::string subject;  // "job j12", "site eu-north"; empty for the fleet as a whole
  std::string what;
};

// "t=<microseconds> <subject>: <what>", or "t=<microseconds>: <what>" without a subject.
std::string format_violation(const Violation& v);

class ViolationLog {
 public:
  explicit ViolationLog(std::size_t keep = 20) : keep_(keep) {}

  void add(SimTime time, std::string subject, std::string what);
  const std::vector<Violation>& kept() const { return kept_; }  // the first `keep`, in order
  std::uint64_t count() const { return count_; }
  std::vector<std::string> lines() const;  // kept(), formatted

 private:
  std::size_t keep_;
  std::vector<Violation> kept_;
  std::uint64_t count_ = 0;
};

}  // namespace fleetsim
