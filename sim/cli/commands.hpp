// The subcommands that live in their own files (sweep, compare, plot): each adds itself to the
// CLI11 app and runs from the options it parsed. cli.cpp owns the exit codes and error lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace fleetsim {

// An option's value must be an integer >= min; else "expected an integer >= 0, got \"-1\"", in
// the words the YAML loaders use (CLI11's range check prints a 300-digit bound).
CLI::Validator integer_at_least(std::int64_t min);

struct SweepArgs {
  std::string file;
  unsigned jobs = 0;  // 0 = one per core
  std::string out;
  std::size_t max_runs = 0;
};
CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args);
int sweep_command(const SweepArgs& args, std::ostream& out, std::ostream& err);

struct CompareArgs {
  std::vector<std::string> dirs;
  std::string baseline;
  std::string format = "table";
};
CLI::App* add_compare_command(CLI::App& app, CompareArgs& args);
int compare_command(const CompareArgs& args, std::ostream& out);

struct PlotArgs {
  std::string dir;
  std::string out;
  std::string baseline;
  std::string python;
};
CLI::App* add_plot_command(CLI::App& app, PlotArgs& args);
int plot_command(const PlotArgs& args, std::ostream& out);

}  // namespace fleetsim
