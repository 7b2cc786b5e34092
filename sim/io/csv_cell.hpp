// A free-text CSV cell (a job name, a tenant, a site), quoted only when it needs it.
#pragma once

#include <string>

namespace fleetsim {

inline std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace fleetsim
