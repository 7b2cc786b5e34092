// `fleetsim compare DIR... [--baseline VARIANT] [--format table|csv|markdown]`: mean and 95%
// confidence interval per variant and metric across seeds, and paired differences vs a baseline.
#include <map>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/ostream.h>

#include "sim/cli/commands.hpp"
#include "sim/sweep/compare.hpp"
#include "sim/sweep/compare_format.hpp"

namespace fleetsim {

CLI::App* add_compare_command(CLI::App& app, CompareArgs& args) {
  CLI::App* compare = app.add_subcommand(
      "compare", "mean and 95% CI per policy and metric across seeds, paired vs a baseline");
  compare->add_option("dirs", args.dirs, "results folders (a sweep's, or single runs')")
      ->required();
  compare->add_option("--baseline", args.baseline,
                      "variant to compare against: a policy, or policy/param=value in a sweep");
  compare->add_option("--format", args.format, "output format")
      ->check(CLI::IsMember({"table", "csv", "markdown"}))
      ->capture_default_str();
  return compare;
}

int compare_command(const CompareArgs& args, std::ostream& out) {
  static const std::map<std::string, CompareFormat> kFormats = {
      {"table", CompareFormat::Table}, {"csv", CompareFormat::Csv},
      {"markdown", CompareFormat::Markdown}};
  const Comparison comparison = compare_runs(find_runs(args.dirs), args.baseline);
  fmt::print(out, "{}", format_comparison(comparison, kFormats.at(args.format)));
  return 0;
}

}  // namespace fleetsim
