#include "sim/core/error.hpp"

namespace fleetsim {

std::string SourcePos::str() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

namespace {

// The message is one line even when the input put a control character into it (a newline in a
// CSV cell, a NUL byte yaml-cpp reports): those are written as escapes, \n or \x01. Tabs stay.
std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(const SourcePos& pos, const std::string& field,
                         const std::string& message)
    : std::runtime_error(one_line(field.empty()
                                      ? fmt::format("{}: {}", pos.str(), message)
                                      : fmt::format("{}: {}: {}", pos.str(), field, message))) {}

namespace detail {
void check_failed(const char* file, int line, const char* condition, const std::string& message) {
  throw InternalError(fmt::format("internal error at {}:{}: check `{}` failed: {}", file, line,
                                  condition, message));
}
}  // namespace detail

}  // namespace fleetsim
