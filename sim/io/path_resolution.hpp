// Files named in a config are relative to the file that names them, not to the working
// directory, so a scenario runs the same from anywhere.
#pragma once

#include <string>

namespace fleetsim {

// `path` as written in `referring_file`; absolute paths are kept.
std::string resolve_relative(const std::string& referring_file, const std::string& path);

// `path` as a file in folder `dir` would name it (both made absolute first: relative to the
// working directory).
std::string relative_to_folder(const std::string& path, const std::string& dir);

}  // namespace fleetsim
