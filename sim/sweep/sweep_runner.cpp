#include "sim/sweep/sweep_runner.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sim/io/results_writer.hpp"
#include "sim/io/run_scenario.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

// Runs one cell into a temporary folder beside its final one (same depth, so relative trace
// paths in scenario.resolved.yaml come out the same) and renames it into place. Returns what
// the InvariantChecker found when `check`.
std::optional<CheckReport> run_cell(const std::string& out_dir, const SweepCell& cell, bool check) {
  const fs::path final_dir = cell_folder(out_dir, cell);
  // Built by appending: g++ 12 -O3 warns (-Wrestrict, a false positive) on "." + name + "...".
  std::string partial_name = ".";
  partial_name += final_dir.filename().string();
  partial_name += ".partial";
  const fs::path partial = final_dir.parent_path() / partial_name;
  fs::remove_all(partial);  // left by a sweep killed while writing this cell
  RunResult result = run_scenario(cell.config, {.check = check, .keep_jobs = false});
  write_results(partial.string(), cell.config, result);
  std::error_code ec;
  fs::rename(partial, final_dir, ec);
  if (ec) {
    throw ConfigError({final_dir.string(), 0, 0}, "",
                      fmt::format("cannot move the finished cell into place: {}", ec.message()));
  }
  return std::move(result.check);
}

// The shared state of one run_sweep call; every member is guarded by `lock`.
struct Pool {
  std::mutex lock;
  std::vector<std::size_t> pending;
  std::size_t next = 0;
  std::size_t started = 0;
  std::exception_ptr failure;
  SweepReport report;
};

void work(Pool& pool, const SweepPlan& plan, const std::string& out_dir,
          const SweepOptions& options) {
  for (;;) {
    std::size_t index = 0;
    {
      const std::lock_guard<std::mutex> guard(pool.lock);
      const bool limit_hit = options.max_runs != 0 && pool.started >= options.max_runs;
      if (pool.failure || limit_hit || pool.next == pool.pending.size()) return;
      index = pool.pending[pool.next++];
      ++pool.started;
    }
    const auto start = std::chrono::steady_clock::now();
    std::optional<CheckReport> check;
    try {
      check = run_cell(out_dir, plan.cells[index], options.check);
    } catch (...) {
      const std::lock_guard<std::mutex> guard(pool.lock);
      if (!pool.failure) pool.failure = std::current_exception();
      return;
    }
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::lock_guard<std::mutex> guard(pool.lock);
    pool.report.ran.push_back(index);
    if (check) pool.report.checks.push_back({index, std::move(*check)});
    spdlog::debug("sweep cell done: cell={} wall_s={:.3f}", plan.cells[index].dir, wall_s);
    if (options.on_cell_done) options.on_cell_done({index, false, wall_s});
  }
}

}  // namespace

std::string cell_folder(const std::string& out_dir, const SweepCell& cell) {
  return (fs::path(out_dir) / cell.dir).string();
}

SweepReport run_sweep(const SweepPlan& plan, const std::string& out_dir,
                      const SweepOptions& options) {
  FLEETSIM_CHECK(options.stride >= 1 && options.offset < options.stride, "bad sweep share {}/{}",
                 options.offset, options.stride);
  Pool pool;
  for (std::size_t i = options.offset; i < plan.cells.size(); i += options.stride) {
    const fs::path dir = cell_folder(out_dir, plan.cells[i]);
    if (fs::is_directory(dir)) {
      pool.report.skipped.push_back(i);
      if (options.on_cell_done) options.on_cell_done({i, true, 0});
    } else {
      fs::create_directories(dir.parent_path());
      pool.pending.push_back(i);
    }
  }
  const unsigned threads =
      std::max(1u, std::min<unsigned>(options.threads, static_cast<unsigned>(pool.pending.size())));
  if (threads == 1) {
    work(pool, plan, out_dir, options);
  } else {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&] { work(pool, plan, out_dir, options); });
    }
    for (std::thread& w : workers) w.join();
  }
  if (pool.failure) std::rethrow_exception(pool.failure);
  std::sort(pool.report.ran.begin(), pool.report.ran.end());
  std::sort(pool.report.checks.begin(), pool.report.checks.end(),
            [](const CellCheck& a, const CellCheck& b) { return a.index < b.index; });
  return pool.report;
}

}  // namespace fleetsim
