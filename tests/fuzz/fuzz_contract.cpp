#include "tests/fuzz/fuzz_contract.hpp"

#include <stdlib.h>  // mkdtemp (POSIX)

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>

#include "sim/core/error.hpp"

namespace fleetsim::fuzz {

bool loads_or_rejects(const std::function<void()>& load) {
  try {
    load();
    return true;
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    require(!message.empty(), "a ConfigError with an empty message");
    require(message.find('\n') == std::string::npos,
            "a ConfigError message of more than one line: " + message);
    return false;
  } catch (const std::exception& e) {
    // InternalError (FLEETSIM_CHECK), PolicyError, std::bad_alloc, std::out_of_range, ...
    std::fprintf(stderr, "fuzz: not a ConfigError: %s\n", e.what());
    std::abort();
  }
}

void require(bool condition, const std::string& what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::abort();
}

std::string source_path(const std::string& relative) {
  return std::string(FLEETSIM_SOURCE_DIR) + "/" + relative;
}

ScratchFile::ScratchFile(const std::string& suffix) {
  std::string pattern = (std::filesystem::temp_directory_path() / "fleetsim-fuzz-XXXXXX").string();
  require(mkdtemp(pattern.data()) != nullptr, "cannot create a temp folder");
  dir_ = pattern;
  path_ = dir_ + "/input" + suffix;
}

ScratchFile::~ScratchFile() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ScratchFile::write(const std::uint8_t* data, std::size_t size) const {
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  require(out.good(), "cannot write " + path_);
}

}  // namespace fleetsim::fuzz
