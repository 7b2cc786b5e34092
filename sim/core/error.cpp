#include "sim/core/error.hpp"

namespace fleetsim {

std::string SourcePos::str() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

ConfigError::ConfigError(const SourcePos& pos, const std::string& field,
                         const std::string& message)
    : std::runtime_error(field.empty() ? fmt::format("{}: {}", pos.str(), message)
                                       : fmt::format("{}: {}: {}", pos.str(), field, message)) {}

namespace detail {
void check_failed(const char* file, int line, const char* condition, const std::string& message) {
  throw InternalError(fmt::format("internal error at {}:{}: check `{}` failed: {}", file, line,
                                  condition, message));
}
}  // namespace detail

}  // namespace fleetsim
