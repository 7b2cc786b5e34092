// The subcommands that live in their own files (sweep, compare, plot): each adds itself to the
// CLI11 app and runs from the options it parsed. cli.cpp owns the error lines; the exit codes
// and the report of a checked run are here, as `run` and `sweep` share them.
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

struct CheckReport;
struct SweepPlan;
struct SweepReport;

// Exit codes, as cli.hpp lists them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitPolicy = 3;
inline constexpr int kExitCheck = 4;  // --check: an invariant broke (a simulator bug)

// Whether runs are checked: the --check flag, or FLEETSIM_CHECK_INVARIANTS=1 in the environment.
bool check_requested(bool flag);
// A checked run's first violations, one line each ("fleetsim: check: " + `subject` + the
// violation), and their count, to `err`; kExitCheck if there are any, else kExitOk.
int report_check(const CheckReport& check, const std::string& subject, std::ostream& err);

// An option's value must be an integer >= min; else "expected an integer >= 0, got \"-1\"", in
// the words the YAML loaders use (CLI11's range check prints a 300-digit bound).
CLI::Validator integer_at_least(std::int64_t min);

struct SweepArgs {
  std::string file;
  unsigned jobs = 0;  // 0 = one per core
  std::string out;
  std::size_t max_runs = 0;
  bool check = false;  // also with FLEETSIM_CHECK_INVARIANTS=1 in the environment
};
CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args);
int sweep_command(const SweepArgs& args, std::ostream& out, std::ostream& err);
// The checked cells' violations (report_check for each, the subject naming the cell's scenario,
// variant and seed: "small_busy/fifo seed 2: "), in cell order; kExitCheck if any cell broke an
// invariant, else kExitOk.
int report_sweep_check(const SweepPlan& plan, const SweepReport& report, std::ostream& err);

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
