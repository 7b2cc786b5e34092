// A YAML node that knows where it came from (file, line, column, path like "sites[1].name"), so
// every loader error is one line naming file, line and field. Wraps yaml-cpp; loaders call
// check_keys() on every map, so an unknown (misspelt) key is an error, never ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/error.hpp"

namespace fleetsim {

class ConfigNode {
 public:
  // Parses `file`; a syntax error or unreadable file is a ConfigError naming the file.
  static ConfigNode load_file(const std::string& file);
  // For tests and inline documents; `file` is what error messages name.
  static ConfigNode load_string(const std::string& text, const std::string& file);

  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }
  SourcePos pos() const;
  const YAML::Node& yaml() const { return node_; }

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }

  // Map access. `at` requires the key (error at this map's position when missing).
  bool has(const std::string& key) const;
  ConfigNode at(const std::string& key) const;
  std::optional<ConfigNode> find(const std::string& key) const;
  // Every key of this map must be in `allowed`; else ConfigError at the unknown key.
  void check_keys(std::initializer_list<std::string_view> allowed) const;
  void check_keys(const std::vector<std::string>& allowed) const;  // when the set is computed
  // Requires a map (error otherwise); returns its keys in file order.
  std::vector<std::string> keys() const;

  // Sequence access; requires a sequence.
  std::size_t size() const;
  ConfigNode operator[](std::size_t i) const;

  // Scalars, with a typed error ("expected a positive integer, got \"x\"").
  std::string as_string() const;
  bool as_bool() const;
  double as_double() const;
  double as_positive_double() const;      // > 0
  double as_non_negative_double() const;  // >= 0
  double as_fraction() const;             // in [0, 1]
  std::int64_t as_int() const;
  std::uint64_t as_positive_int() const;  // >= 1
  // A time in seconds: >= 0 (or > 0 unless allow_zero) and at most kMaxInputSeconds.
  double as_seconds(bool allow_zero) const;

  // Shorthands: value of `key`, or `fallback` when the key is absent.
  std::string get_string(const std::string& key, const std::string& fallback) const;
  double get_non_negative(const std::string& key, double fallback) const;

  // A ConfigError at this node, for checks the loader does itself.
  template <class... Args>
  ConfigError error(fmt::format_string<Args...> format, Args&&... args) const {
    return ConfigError::at(pos(), path_, format, std::forward<Args>(args)...);
  }

 private:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
             YAML::Mark parent_mark);
  std::string child_path(const std::string& key) const;
  std::string text() const;  // the scalar as written, or a short description of a non-scalar

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  YAML::Mark mark_;  // own mark, or the parent's when this node is missing
};

}  // namespace fleetsim
