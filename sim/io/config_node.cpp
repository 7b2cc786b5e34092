#include "sim/io/config_node.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/time.hpp"

namespace fleetsim {
namespace {

// yaml-cpp counts lines and columns from 0; people (and editors) count from 1.
SourcePos to_pos(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}


}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
                       YAML::Mark parent_mark)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), mark_(parent_mark) {
  if (node_.IsDefined() && node_.Mark().line >= 0) mark_ = node_.Mark();
}

ConfigNode ConfigNode::load_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({file, 0, 0}, "", "cannot open file");
  // A directory opens as an empty stream on Linux; say so rather than "expected a map".
  if (std::filesystem::is_directory(file)) {
    throw ConfigError({file, 0, 0}, "", "cannot open file: it is a directory");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_string(text.str(), file);
}

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    // e.msg is the reason without yaml-cpp's own "line x, column y" prefix.
    throw ConfigError(to_pos(file, e.mark), "", fmt::format("malformed YAML: {}", e.msg));
  }
  YAML::Mark start;
  start.line = 0;
  start.column = 0;
  ConfigNode node(root, std::make_shared<const std::string>(file), "", start);
  if (!node.is_map()) throw node.error("expected a map of settings at the top of the file");
  return node;
}

SourcePos ConfigNode::pos() const { return to_pos(*file_, mark_); }

std::string ConfigNode::child_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool ConfigNode::has(const std::string& key) const { return is_map() && node_[key].IsDefined(); }

ConfigNode ConfigNode::at(const std::string& key) const {
  if (!is_map()) throw error("expected a map, got {}", text());
  const YAML::Node child = node_[key];
  if (!child.IsDefined()) {
    throw ConfigError::at(pos(), child_path(key), "missing required key");
  }
  return ConfigNode(child, file_, child_path(key), mark_);
}

std::optional<ConfigNode> ConfigNode::find(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return at(key);
}

void ConfigNode::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void ConfigNode::check_keys(const std::vector<std::string>& allowed) const {
  if (!is_map()) throw error("expected a map, got {}", text());
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      throw ConfigError::at(to_pos(*file_, entry.first.Mark()), child_path(key),
                            "unknown key; expected one of: {}", fmt::join(allowed, ", "));
    }
  }
}

std::vector<std::string> ConfigNode::keys() const {
  if (!is_map()) throw error("expected a map, got {}", text());
  std::vector<std::string> out;
  for (const auto& entry : node_) out.push_back(entry.first.Scalar());
  return out;
}

std::size_t ConfigNode::size() const {
  if (!is_sequence()) throw error("expected a list, got {}", text());
  return node_.size();
}

ConfigNode ConfigNode::operator[](std::size_t i) const {
  if (!is_sequence()) throw error("expected a list, got {}", text());
  return ConfigNode(node_[i], file_, fmt::format("{}[{}]", path_, i), mark_);
}

std::string ConfigNode::text() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsScalar()) return fmt::format("\"{}\"", node_.Scalar());
  if (node_.IsSequence()) return "a list";
  return "a map";
}

std::string ConfigNode::as_string() const {
  if (!is_scalar()) throw error("expected a text value, got {}", text());
  return node_.Scalar();
}

bool ConfigNode::as_bool() const {
  bool value = false;
  if (!is_scalar() || !YAML::convert<bool>::decode(node_, value)) {
    throw error("expected true or false, got {}", text());
  }
  return value;
}

double ConfigNode::as_double() const {
  double value = 0;
  if (!is_scalar() || !YAML::convert<double>::decode(node_, value) || !std::isfinite(value)) {
    throw error("expected a number, got {}", text());
  }
  return value;
}

double ConfigNode::as_positive_double() const {
  const double v = is_scalar() ? as_double() : 0;
  if (!is_scalar() || !(v > 0)) throw error("expected a positive number, got {}", text());
  return v;
}

double ConfigNode::as_non_negative_double() const {
  const double v = is_scalar() ? as_double() : -1;
  if (!is_scalar() || v < 0) throw error("expected a number >= 0, got {}", text());
  return v;
}

double ConfigNode::as_fraction() const {
  if (!is_scalar()) throw error("expected a fraction in [0, 1], got {}", text());
  const double v = as_double();
  if (!(v >= 0 && v <= 1)) throw error("expected a fraction in [0, 1], got {}", v);
  return v;
}

double ConfigNode::as_seconds(bool allow_zero) const {
  const double v = allow_zero ? as_non_negative_double() : as_positive_double();
  if (v > kMaxInputSeconds) {
    throw error("expected at most {:g} seconds, got {}", kMaxInputSeconds, text());
  }
  return v;
}

std::int64_t ConfigNode::as_int() const {
  long long value = 0;
  if (!is_scalar() || !YAML::convert<long long>::decode(node_, value)) {
    throw error("expected an integer, got {}", text());
  }
  return value;
}

std::uint64_t ConfigNode::as_positive_int() const {
  long long value = 0;
  if (!is_scalar() || !YAML::convert<long long>::decode(node_, value) || value < 1) {
    throw error("expected a positive integer, got {}", text());
  }
  return static_cast<std::uint64_t>(value);
}

std::string ConfigNode::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? at(key).as_string() : fallback;
}

double ConfigNode::get_non_negative(const std::string& key, double fallback) const {
  return has(key) ? at(key).as_non_negative_double() : fallback;
}

}  // namespace fleetsim
