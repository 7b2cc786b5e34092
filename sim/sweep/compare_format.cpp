#include "sim/sweep/compare_format.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace fleetsim {
namespace {

std::string number(double v) { return fmt::format("{:.3f}", v); }

// "12.345 ± 0.678", or just the mean when one seed gives no interval.
std::string with_interval(const Interval& i) {
  if (std::isnan(i.half_width)) return number(i.mean);
  return fmt::format("{} ± {}", number(i.mean), number(i.half_width));
}

std::string seeds_text(const VariantComparison& row) {
  return fmt::format("{}", row.seeds.size());
}

std::string csv(const Comparison& c) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "scenario,variant,metric,n,mean,ci95_low,ci95_high,baseline,diff_n,"
                     "diff_mean,diff_ci95_low,diff_ci95_high\n");
  const auto bounds = [](const Interval& i) {
    return std::isnan(i.half_width) ? std::string(",")
                                    : fmt::format("{:.6f},{:.6f}", i.low(), i.high());
  };
  for (const VariantComparison& row : c.rows) {
    for (std::size_t m = 0; m < row.metrics.size(); ++m) {
      const MetricComparison& mc = row.metrics[m];
      fmt::format_to(it, "{},{},{},{},{:.6f},{},{},", row.scenario, row.variant,
                     compared_metrics()[m], mc.value.n, mc.value.mean, bounds(mc.value),
                     c.baseline);
      if (mc.vs_baseline) {
        fmt::format_to(it, "{},{:.6f},{}\n", mc.vs_baseline->n, mc.vs_baseline->mean,
                       bounds(*mc.vs_baseline));
      } else {
        fmt::format_to(it, ",,,\n");
      }
    }
  }
  return fmt::to_string(out);
}

void table_header(fmt::memory_buffer& out, const Comparison& c, const std::string& scenario,
                  bool markdown, std::size_t variant_width) {
  auto it = std::back_inserter(out);
  const std::string diff_head = c.baseline.empty() ? "" : "vs " + c.baseline + " (paired)";
  const char* gap = out.size() != 0 ? "\n" : "";
  if (markdown) {
    fmt::format_to(it, "{}### {}: mean ± 95% CI across seeds\n\n", gap, scenario);
    fmt::format_to(it, "| metric | variant | seeds | mean ± 95% CI |{}\n",
                   c.baseline.empty() ? "" : " " + diff_head + " |");
    fmt::format_to(it, "|---|---|---:|---:|{}\n", c.baseline.empty() ? "" : "---:|");
  } else {
    fmt::format_to(it, "{}scenario {}: mean ± 95% CI across seeds (Student t)\n", gap, scenario);
    fmt::format_to(it, "  {:<20} {:<{}} {:>5}  {:>24}  {}\n", "metric", "variant", variant_width,
                   "seeds", "mean ± 95% CI", diff_head);
  }
}

// One block per scenario, metric-major inside it, so the variants line up under each metric.
std::string table(const Comparison& c, bool markdown) {
  fmt::memory_buffer out;
  for (std::size_t first = 0; first < c.rows.size();) {
    std::size_t last = first;
    while (last < c.rows.size() && c.rows[last].scenario == c.rows[first].scenario) ++last;
    // At least 24 columns, more when a variant's name is longer ("fifo_backfill+carbon_aware").
    std::size_t variant_width = 24;
    for (std::size_t r = first; r < last; ++r) {
      variant_width = std::max(variant_width, c.rows[r].variant.size());
    }
    table_header(out, c, c.rows[first].scenario, markdown, variant_width);
    for (std::size_t m = 0; m < compared_metrics().size(); ++m) {
      for (std::size_t r = first; r < last; ++r) {
        const VariantComparison& row = c.rows[r];
        const MetricComparison& mc = row.metrics[m];
        const std::string diff = mc.vs_baseline ? with_interval(*mc.vs_baseline) : "";
        if (markdown) {
          fmt::format_to(std::back_inserter(out), "| {} | `{}` | {} | {} |{}\n",
                         r == first ? compared_metrics()[m] : "", row.variant, seeds_text(row),
                         with_interval(mc.value), c.baseline.empty() ? "" : " " + diff + " |");
        } else {
          // fmt pads by display width, so "±" counts as one column.
          std::string line = fmt::format("  {:<20} {:<{}} {:>5}  {:>24}  {}",
                                         r == first ? compared_metrics()[m] : "", row.variant,
                                         variant_width, seeds_text(row), with_interval(mc.value),
                                         diff);
          line.erase(line.find_last_not_of(' ') + 1);
          fmt::format_to(std::back_inserter(out), "{}\n", line);
        }
      }
    }
    first = last;
  }
  return fmt::to_string(out);
}

}  // namespace

std::string format_comparison(const Comparison& comparison, CompareFormat format) {
  switch (format) {
    case CompareFormat::Csv: return csv(comparison);
    case CompareFormat::Markdown: return table(comparison, true);
    case CompareFormat::Table: break;
  }
  return table(comparison, false);
}

}  // namespace fleetsim
