// Helpers for tests that run fleetsim end to end: cli_main in-process with captured output,
// temporary folders that remove themselves, and paths into the source tree.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim::test {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr (error lines and log lines)
};

// Runs `fleetsim <args...>` through cli_main; "fleetsim" is added as argv[0].
CliResult run_cli(const std::vector<std::string>& args);

// `fleetsim run <file> --out <tmp>/out` must exit 2 with exactly `line` on stderr, print nothing
// on stdout and write no results folder (gtest expectations).
void expect_run_rejects(const std::string& file, const std::string& line);

// FLEETSIM_SOURCE_DIR + "/" + `relative`, e.g. source_path("configs/scenarios/toy.yaml").
std::string source_path(const std::string& relative);
// `path` with "." and ".." removed, as the loaders print paths they resolved themselves.
std::string normal(const std::string& path);

// The whole file as bytes; fails the test (and returns "") if it cannot be read.
std::string read_file(const std::filesystem::path& path);

// A fresh empty folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// FLEETSIM_CHECK_INVARIANTS set to `value` (as ctest sets it to "1") or, for nullptr, unset for
// a scope; restored after.
class CheckEnvironment {
 public:
  explicit CheckEnvironment(const char* value);
  ~CheckEnvironment();
  CheckEnvironment(const CheckEnvironment&) = delete;
  CheckEnvironment& operator=(const CheckEnvironment&) = delete;

 private:
  std::optional<std::string> previous_;
};

// Changes the working directory for a scope, and restores it even if the test throws.
class InDirectory {
 public:
  explicit InDirectory(const std::filesystem::path& dir);
  ~InDirectory();
  InDirectory(const InDirectory&) = delete;
  InDirectory& operator=(const InDirectory&) = delete;

 private:
  std::filesystem::path previous_;
};

}  // namespace fleetsim::test
