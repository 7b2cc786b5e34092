#include "sim/sweep/compare.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/core/error.hpp"
#include "sim/policy/site_selection.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

struct MetricSource {
  std::string name;
  const char* pointer;  // JSON pointer into summary.json
  double scale;         // summary unit -> compared unit
};

const std::vector<MetricSource>& metric_sources() {
  static const std::vector<MetricSource> sources = {
      {"jct_mean_h", "/jct_s/mean", 1 / 3600.0},
      {"jct_p50_h", "/jct_s/p50", 1 / 3600.0},
      {"jct_p95_h", "/jct_s/p95", 1 / 3600.0},
      {"jct_p99_h", "/jct_s/p99", 1 / 3600.0},
      {"queue_delay_mean_h", "/queue_delay_s/mean", 1 / 3600.0},
      {"queue_delay_p95_h", "/queue_delay_s/p95", 1 / 3600.0},
      {"makespan_h", "/makespan_s", 1 / 3600.0},
      {"gpu_utilisation", "/gpu_utilisation", 1},
      {"finished_jobs", "/finished", 1},
      {"preemptions", "/preemptions", 1},
      // Fleet-wide energy and its price: what site selections trade against JCT.
      {"it_mwh", "/energy/it_mwh", 1},
      {"facility_mwh", "/energy/facility_mwh", 1},
      {"carbon_t", "/energy/carbon_t", 1},
      {"cost_usd", "/energy/cost_usd", 1},
  };
  return sources;
}

// "seed-12" -> 12; anything else is not a sweep cell's folder.
bool is_seed_folder(const std::string& name) {
  return name.size() > 5 && name.rfind("seed-", 0) == 0 &&
         std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A sweep cell <out>/<scenario>/<variant...>/seed-N names its variant by the folders between it
// and its nearest ancestor named after the scenario (which may lie above the folder compare was
// given, e.g. `compare <out>/<scenario>`); any other results folder is named by its policy, and
// its site selection when that is not the default ("fifo_backfill+data_local").
std::string variant_of(const fs::path& dir, const std::string& scenario, const std::string& policy,
                       const std::string& site_selection) {
  if (!is_seed_folder(dir.filename().string())) {
    return site_selection.empty() || site_selection == kDefaultSiteSelection
               ? policy
               : policy + "+" + site_selection;
  }
  std::vector<std::string> parts;
  const fs::path absolute = fs::absolute(dir).lexically_normal();
  for (fs::path p = absolute.parent_path(); p.has_relative_path(); p = p.parent_path()) {
    if (p.filename() == scenario) {
      std::string variant;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        variant += (variant.empty() ? "" : "/") + *it;
      }
      return variant.empty() ? policy : variant;
    }
    parts.push_back(p.filename().string());
  }
  return policy;
}

RunRecord read_run(const fs::path& dir) {
  const std::string file = (dir / "summary.json").string();
  std::ifstream in(file, std::ios::binary);
  nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
  if (summary.is_discarded() || !summary.is_object()) {
    throw ConfigError({file, 0, 0}, "", "not a fleetsim summary.json (cannot parse it)");
  }
  RunRecord run;
  run.dir = dir.string();
  try {
    run.scenario = summary.at("scenario").get<std::string>();
    run.seed = summary.at("seed").get<std::uint64_t>();
    run.variant = variant_of(dir, run.scenario, summary.at("policy").get<std::string>(),
                             summary.value("site_selection", std::string()));
    for (const MetricSource& m : metric_sources()) {
      run.metrics.push_back(summary.at(nlohmann::json::json_pointer(m.pointer)).get<double>() *
                            m.scale);
    }
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError({file, 0, 0}, "", fmt::format("not a fleetsim summary.json: {}", e.what()));
  }
  return run;
}

std::vector<double> column(const std::vector<const RunRecord*>& runs, std::size_t metric) {
  std::vector<double> values;
  for (const RunRecord* r : runs) values.push_back(r->metrics[metric]);
  return values;
}

}  // namespace

const std::vector<std::string>& compared_metrics() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const MetricSource& m : metric_sources()) out.push_back(m.name);
    return out;
  }();
  return names;
}

std::vector<RunRecord> find_runs(const std::vector<std::string>& dirs) {
  std::vector<RunRecord> runs;
  std::map<std::tuple<std::string, std::string, std::uint64_t>, std::string> seen;
  for (const std::string& d : dirs) {
    if (!fs::is_directory(d)) throw ConfigError({d, 0, 0}, "", "not a results folder");
    std::vector<fs::path> found;
    if (fs::is_regular_file(fs::path(d) / "summary.json")) found.push_back(d);
    for (auto it = fs::recursive_directory_iterator(d); it != fs::recursive_directory_iterator();
         ++it) {
      if (!it->is_directory()) continue;
      if (it->path().filename().string().front() == '.') {
        it.disable_recursion_pending();
      } else if (fs::is_regular_file(it->path() / "summary.json")) {
        found.push_back(it->path());
      }
    }
    std::sort(found.begin(), found.end());  // directory order is the file system's, not ours
    for (const fs::path& dir : found) {
      RunRecord run = read_run(dir);
      auto [it, fresh] = seen.emplace(std::tuple(run.scenario, run.variant, run.seed), run.dir);
      if (!fresh) {
        throw ConfigError({run.dir, 0, 0}, "",
                          fmt::format("scenario {}, {}, seed {} is also in {}", run.scenario,
                                      run.variant, run.seed, it->second));
      }
      runs.push_back(std::move(run));
    }
  }
  if (runs.empty()) {
    throw ConfigError({fmt::format("{}", fmt::join(dirs, " ")), 0, 0}, "",
                      "no results found (no folder with a summary.json)");
  }
  return runs;
}

Comparison compare_runs(const std::vector<RunRecord>& runs, const std::string& baseline) {
  // scenario -> variant -> seed -> run, all ordered, so the output order is total.
  std::map<std::string, std::map<std::string, std::map<std::uint64_t, const RunRecord*>>> grouped;
  for (const RunRecord& r : runs) grouped[r.scenario][r.variant][r.seed] = &r;
  Comparison out;
  out.baseline = baseline;
  for (const auto& [scenario, variants] : grouped) {
    const auto base = variants.find(baseline);
    if (!baseline.empty() && base == variants.end()) {
      std::vector<std::string> names;
      for (const auto& v : variants) names.push_back(v.first);
      throw ConfigError({"--baseline", 0, 0}, "",
                        fmt::format("no runs of \"{}\" in scenario {}; it has: {}", baseline,
                                    scenario, fmt::join(names, ", ")));
    }
    std::vector<std::string> order;
    if (!baseline.empty()) order.push_back(baseline);
    for (const auto& v : variants) {
      if (v.first != baseline) order.push_back(v.first);
    }
    for (const std::string& variant : order) {
      const auto& by_seed = variants.at(variant);
      VariantComparison row{scenario, variant, {}, {}};
      std::vector<const RunRecord*> all, paired, base_paired;
      for (const auto& [seed, run] : by_seed) {
        row.seeds.push_back(seed);
        all.push_back(run);
        if (!baseline.empty() && variant != baseline) {
          if (auto b = base->second.find(seed); b != base->second.end()) {
            paired.push_back(run);
            base_paired.push_back(b->second);
          }
        }
      }
      for (std::size_t m = 0; m < compared_metrics().size(); ++m) {
        MetricComparison mc{mean_interval(column(all, m)), std::nullopt};
        if (!paired.empty()) {
          mc.vs_baseline = paired_difference_interval(column(base_paired, m), column(paired, m));
        }
        row.metrics.push_back(mc);
      }
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace fleetsim
