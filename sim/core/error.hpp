// The three ways a run ends early: bad input (ConfigError, exit 2), a policy that broke a rule
// (PolicyError, exit 3), and our own bug (InternalError via FLEETSIM_CHECK, exit 1).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace fleetsim {

// Where in an input file something is; line and column count from 1 (0 = unknown).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;

  std::string str() const;  // "file:line:col", "file:line" or "file"
};

// Bad user input. what() is the whole one-line message without the "fleetsim: error: " prefix:
// "configs/fleets/eu.yaml:14:7: sites[1].power_cap_mw: expected a positive number, got \"lots\"".
// Control characters from the input (other than tab) appear escaped: "\n", "\x00".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const SourcePos& pos, const std::string& field, const std::string& message);

  template <class... Args>
  static ConfigError at(const SourcePos& pos, const std::string& field,
                        fmt::format_string<Args...> format, Args&&... args) {
    return ConfigError(pos, field, fmt::format(format, std::forward<Args>(args)...));
  }
};

// A policy decision that breaks an engine rule; names policy, job, GPU and time.
class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A broken invariant of fleetsim itself.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] void check_failed(const char* file, int line, const char* condition,
                               const std::string& message);
}  // namespace detail

}  // namespace fleetsim

// Catches our own bugs (never user input) in every build type.
#define FLEETSIM_CHECK(cond, ...)                                                           \
  do {                                                                                      \
    if (!(cond)) [[unlikely]] {                                                             \
      ::fleetsim::detail::check_failed(__FILE__, __LINE__, #cond, ::fmt::format(__VA_ARGS__)); \
    }                                                                                       \
  } while (false)
