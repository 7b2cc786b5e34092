#include "tests/support/cli_run.hpp"

#include <stdlib.h>  // mkdtemp, setenv, unsetenv (POSIX)

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "sim/cli/cli.hpp"

namespace fleetsim::test {

CliResult run_cli(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"fleetsim"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliResult result;
  result.exit_code = cli_main(static_cast<int>(argv.size()), argv.data(), out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

void expect_run_rejects(const std::string& file, const std::string& line) {
  SCOPED_TRACE(file);
  TempDir tmp;
  const CliResult r = run_cli({"run", file, "--out", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, line + "\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

std::string source_path(const std::string& relative) {
  return std::string(FLEETSIM_SOURCE_DIR) + "/" + relative;
}

std::string normal(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "fleetsim_test_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {
constexpr const char* kCheckVariable = "FLEETSIM_CHECK_INVARIANTS";
}  // namespace

CheckEnvironment::CheckEnvironment(const char* value) {
  if (const char* v = std::getenv(kCheckVariable)) previous_ = v;
  if (value != nullptr) {
    setenv(kCheckVariable, value, 1);
  } else {
    unsetenv(kCheckVariable);
  }
}

CheckEnvironment::~CheckEnvironment() {
  if (previous_) {
    setenv(kCheckVariable, previous_->c_str(), 1);
  } else {
    unsetenv(kCheckVariable);
  }
}

InDirectory::InDirectory(const std::filesystem::path& dir)
    : previous_(std::filesystem::current_path()) {
  std::filesystem::current_path(dir);
}

InDirectory::~InDirectory() {
  std::error_code ec;
  std::filesystem::current_path(previous_, ec);
}

}  // namespace fleetsim::test
