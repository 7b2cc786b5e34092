// `fleetsim sweep SWEEP.yaml [-j N] [--out DIR] [--check]`: runs a grid of cells in parallel,
// with a progress bar and ETA on a terminal and one log line per cell otherwise. Under mpirun
// each rank runs its share of the cells (threads within a rank as usual) into the same folder.
// With --check every cell run is watched by the InvariantChecker; each rank reports its own
// cells' violations, and every rank exits 4 if any cell broke an invariant.
#include <unistd.h>  // isatty

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <ostream>
#include <string>
#include <thread>
#include <utility>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "sim/cli/commands.hpp"
#include "sim/cli/mpi_ranks.hpp"
#include "sim/core/error.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace fleetsim {
namespace {

bool is_terminal(const std::ostream& s) {
  return (&s == &std::cerr || &s == &std::clog) && isatty(STDERR_FILENO) != 0;
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// Counts cells as they finish and reports them: a redrawn bar on a terminal, lines otherwise.
class Progress {
 public:
  Progress(const SweepPlan& plan, std::size_t total, std::string prefix, std::ostream& err)
      : plan_(plan), total_(total), prefix_(std::move(prefix)), err_(err),
        tty_(is_terminal(err) && prefix_.empty()),  // ranks' bars would overwrite each other
        start_(std::chrono::steady_clock::now()) {}

  void cell_done(const CellDone& c) {
    if (c.skipped) {
      ++skipped_;
      return;
    }
    if (skipped_ > 0 && ran_ == 0 && !tty_) {
      fmt::print(err_, "fleetsim: sweep: {}{} cells already complete, skipped\n", prefix_,
                 skipped_);
    }
    ++ran_;
    const double elapsed = seconds();
    const std::size_t left = total_ - skipped_ - ran_;
    const double eta = elapsed / static_cast<double>(ran_) * static_cast<double>(left);
    if (tty_) {
      constexpr int kWidth = 30;
      const std::size_t done = skipped_ + ran_;
      const int filled = static_cast<int>(kWidth * done / total_);
      fmt::print(err_, "\r{}sweep [{:#<{}}{:.<{}}] {}/{} cells  {:.2f} cells/s  eta {}   ",
                 prefix_, "", filled, "", kWidth - filled, done, total_, ran_ / elapsed,
                 clock_text(eta));
      if (left == 0) fmt::print(err_, "\n");
      err_.flush();
    } else {
      fmt::print(err_, "fleetsim: sweep: {}{}/{} {} done in {:.2f} s, eta {}\n", prefix_,
                 skipped_ + ran_, total_, plan_.cells[c.index].dir, c.wall_s, clock_text(eta));
    }
  }

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  bool bar_open() const { return tty_ && ran_ > 0 && skipped_ + ran_ < total_; }

 private:
  const SweepPlan& plan_;
  std::size_t total_;
  std::string prefix_;  // "rank 2/3: " under mpirun
  std::ostream& err_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::size_t skipped_ = 0;
  std::size_t ran_ = 0;
};

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args) {
  CLI::App* sweep = app.add_subcommand(
      "sweep", "run a grid of scenarios x policies x parameters x seeds; resumable");
  sweep->add_option("sweep", args.file, "sweep YAML file")->required();
  sweep->add_option("-j,--jobs", args.jobs, "cells run at once (default: one per core)")
      ->check(integer_at_least(1));
  sweep->add_option("--out", args.out, "results folder (default results/sweeps/<sweep name>)");
  sweep
      ->add_option("--max-runs", args.max_runs,
                   "stop after simulating this many cells (resume by running again)")
      ->check(integer_at_least(0));
  sweep->add_flag("--check", args.check,
                  "check every invariant in every cell run (slower; same results): print each "
                  "cell's first violations and exit 4 if one breaks, results written all the "
                  "same; cells already complete are not run, so not checked (also "
                  "FLEETSIM_CHECK_INVARIANTS=1)");
  return sweep;
}

int report_sweep_check(const SweepPlan& plan, const SweepReport& report, std::ostream& err) {
  int exit_code = kExitOk;
  for (const CellCheck& c : report.checks) {
    const SweepCell& cell = plan.cells[c.index];
    const std::string subject =
        fmt::format("{}/{} seed {}: ", cell.config.name, cell.variant, cell.config.seed);
    if (report_check(c.report, subject, err) != kExitOk) exit_code = kExitCheck;
  }
  return exit_code;
}

int sweep_command(const SweepArgs& args, std::ostream& out, std::ostream& err) {
  const MpiRanks ranks;
  const SweepPlan plan = load_sweep(args.file);  // every rank validates, so every rank fails alike
  const std::string dir = args.out.empty() ? "results/sweeps/" + plan.name : args.out;
  SweepOptions options;
  options.threads = args.jobs != 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  options.max_runs = args.max_runs;
  options.check = check_requested(args.check);
  options.stride = ranks.size();
  options.offset = ranks.rank();
  const std::size_t share = (plan.cells.size() + ranks.size() - 1 - ranks.rank()) / ranks.size();
  Progress progress(plan, share,
                    ranks.size() > 1 ? fmt::format("rank {}/{}: ", ranks.rank(), ranks.size()) : "",
                    err);
  options.on_cell_done = [&](const CellDone& c) { progress.cell_done(c); };
  // A rank that fails still joins the collectives below, so the others do not wait forever.
  std::exception_ptr failure;
  SweepReport report;
  try {
    report = run_sweep(plan, dir, options);
  } catch (...) {
    failure = std::current_exception();
  }
  if (progress.bar_open()) fmt::print(err, "\n");
  ranks.wait_for_all();
  const bool any_failed = ranks.any(failure != nullptr);
  if (failure) std::rethrow_exception(failure);
  if (any_failed) {
    throw ConfigError({args.file, 0, 0}, "", "another MPI rank failed; see its error");
  }
  const std::size_t ran = ranks.sum(report.ran.size());
  const std::size_t skipped = ranks.sum(report.skipped.size());
  // Each rank names its own broken cells; the totals below are every rank's.
  const int check_exit = options.check ? report_sweep_check(plan, report, err) : kExitOk;
  const bool broken = ranks.any(check_exit != kExitOk);
  std::uint64_t checks = 0, events = 0, violations = 0, broken_cells = 0;
  for (const CellCheck& c : report.checks) {
    checks += c.report.checks;
    events += c.report.events;
    violations += c.report.violation_count;
    broken_cells += c.report.violation_count > 0;
  }
  checks = ranks.sum(checks);
  events = ranks.sum(events);
  violations = ranks.sum(violations);
  broken_cells = ranks.sum(broken_cells);
  const int exit_code = broken ? kExitCheck : kExitOk;
  if (ranks.rank() != 0) return exit_code;
  const double wall_s = progress.seconds();
  const std::size_t left = plan.cells.size() - ran - skipped;
  fmt::print(out, "sweep {}: {} cells: {} run, {} already complete, {} left; {:.2f} s, {:.2f} "
                  "cells/s with {}{} threads\n",
             plan.name, plan.cells.size(), ran, skipped, left, wall_s,
             wall_s > 0 ? static_cast<double>(ran) / wall_s : 0.0,
             ranks.size() > 1 ? fmt::format("{} ranks x ", ranks.size()) : "", options.threads);
  if (options.check) {
    const auto cells = [](std::uint64_t n) {
      return fmt::format("{} cell{}", n, n == 1 ? "" : "s");
    };
    fmt::print(out, "  checked {}: {} invariant checks at {} job, failure and sample events: {}\n",
               cells(ran), checks, events,
               violations == 0 ? std::string("all held")
                               : fmt::format("{} violations in {}", violations,
                                             cells(broken_cells)));
  }
  fmt::print(out, "  results {}/\n", dir);
  return exit_code;
}

}  // namespace fleetsim
