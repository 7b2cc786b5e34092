#include "sim/io/path_resolution.hpp"

#include <filesystem>

namespace fleetsim {

std::string resolve_relative(const std::string& referring_file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::path(referring_file).parent_path() / p).lexically_normal().string();
}

std::string relative_to_folder(const std::string& path, const std::string& dir) {
  return std::filesystem::absolute(path)
      .lexically_normal()
      .lexically_proximate(std::filesystem::absolute(dir).lexically_normal())
      .generic_string();
}

}  // namespace fleetsim
