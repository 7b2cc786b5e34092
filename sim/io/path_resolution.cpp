#include "sim/io/path_resolution.hpp"

#include <filesystem>

namespace fleetsim {

std::string resolve_relative(const std::string& referring_file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::path(referring_file).parent_path() / p).lexically_normal().string();
}

}  // namespace fleetsim
