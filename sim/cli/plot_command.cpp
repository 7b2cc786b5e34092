// `fleetsim plot DIR [--out DIR]`: writes the compare table as CSV next to the plots, then runs
// scripts/plot_results.py (Debian's python3-matplotlib) to draw JCT and queueing-delay CDFs,
// utilisation over time and a bar chart of the comparison, as PNG and SVG.
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/ostream.h>

#include "sim/cli/commands.hpp"
#include "sim/core/error.hpp"
#include "sim/sweep/compare.hpp"
#include "sim/sweep/compare_format.hpp"

extern char** environ;

namespace fleetsim {
namespace {

// Debian's interpreter, where python3-matplotlib installs, before whatever python3 is first on
// PATH (a virtualenv or pyenv one usually lacks it).
std::string default_python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

int spawn_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> raw;
  for (const std::string& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
  raw.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, raw[0], nullptr, nullptr, raw.data(), environ) != 0) {
    throw ConfigError({"--python", 0, 0}, "", fmt::format("cannot start \"{}\"", argv[0]));
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

CLI::App* add_plot_command(CLI::App& app, PlotArgs& args) {
  CLI::App* plot = app.add_subcommand(
      "plot", "JCT and queueing-delay CDFs, utilisation over time and the compare table as "
              "PNG and SVG (needs python3-matplotlib)");
  plot->add_option("dir", args.dir, "results folder (a sweep's, or one run's)")->required();
  plot->add_option("--out", args.out, "where the plots go (default DIR/plots)");
  plot->add_option("--baseline", args.baseline, "baseline variant of the compare bar chart");
  plot->add_option("--python", args.python, "Python interpreter (default /usr/bin/python3)");
  return plot;
}

int plot_command(const PlotArgs& args, std::ostream& out) {
  const std::string dir = args.out.empty() ? args.dir + "/plots" : args.out;
  const Comparison comparison = compare_runs(find_runs({args.dir}), args.baseline);
  std::filesystem::create_directories(dir);
  const std::string csv = dir + "/compare.csv";
  std::ofstream(csv, std::ios::binary) << format_comparison(comparison, CompareFormat::Csv);
  const std::string python = args.python.empty() ? default_python() : args.python;
  const int status = spawn_and_wait(
      {python, std::string(FLEETSIM_SCRIPTS_DIR) + "/plot_results.py", args.dir, dir});
  if (status != 0) {
    throw ConfigError({"plot", 0, 0}, "",
                      fmt::format("plot_results.py failed (exit {}); see its message above", status));
  }
  fmt::print(out, "plots in {}/\n", dir);
  return 0;
}

}  // namespace fleetsim
