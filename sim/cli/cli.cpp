#include "sim/cli/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "sim/cli/commands.hpp"
#include "sim/core/error.hpp"
#include "sim/failure/failure_model.hpp"
#include "sim/io/results_writer.hpp"
#include "sim/io/run_scenario.hpp"
#include "sim/io/scenario_config.hpp"
#include "sim/metrics/service_summary.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/feasibility.hpp"
#include "sim/workload/traces/node_list.hpp"
#include "sim/workload/traces/trace_stats.hpp"

namespace fleetsim {
namespace {

constexpr std::size_t kViolationsShown = 20;

struct Options {
  std::string scenario;
  std::string policy;
  std::string site_selection;
  std::string placement;
  std::int64_t seed = -1;
  std::string out;
  std::string log_level = "warning";
  TraceOptions trace;  // trace-stats
  std::string duration_from;
  bool check = false;  // run: check_requested()
};

ScenarioOverrides overrides_of(const Options& o) {
  ScenarioOverrides ov;
  if (!o.policy.empty()) ov.policy = o.policy;
  if (!o.site_selection.empty()) ov.site_selection = o.site_selection;
  if (!o.placement.empty()) ov.placement = o.placement;
  if (o.seed >= 0) ov.seed = static_cast<std::uint64_t>(o.seed);
  return ov;
}

// The logger set up below writes to cli_main's `err`, which may not outlive the call (tests pass
// a string stream): put the caller's default logger back when cli_main returns.
class DefaultLoggerRestorer {
 public:
  DefaultLoggerRestorer() : previous_(spdlog::default_logger()) {}
  ~DefaultLoggerRestorer() { spdlog::set_default_logger(previous_); }
  DefaultLoggerRestorer(const DefaultLoggerRestorer&) = delete;
  DefaultLoggerRestorer& operator=(const DefaultLoggerRestorer&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

void set_up_logging(std::ostream& err, const std::string& level) {
  // Thread-safe sink: sweep cells log from worker threads.
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err);
  auto logger = std::make_shared<spdlog::logger>("fleetsim", sink);
  logger->set_pattern("fleetsim: %l: %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

std::string hours(double seconds) { return fmt::format("{:.2f}", seconds / 3600.0); }

// `value` (in `unit`) with the largest of k, M, G, T (or k, M, B for dollars) that keeps it >= 1.
std::string scaled(double value, const char* unit, bool dollars = false) {
  static constexpr const char* kPrefixes[] = {"", "k", "M", "G", "T"};
  static constexpr const char* kDollarSuffixes[] = {"", " k", " M", " B", " T"};
  std::size_t step = 0;
  while (step + 1 < std::size(kPrefixes) && std::abs(value) >= 1000.0) {
    value /= 1000.0;
    ++step;
  }
  if (dollars) return fmt::format("${:.3g}{}", value, kDollarSuffixes[step]);
  return fmt::format("{:.4g} {}{}", value, kPrefixes[step], unit);
}

// Fleet-wide energy, carbon and cost: what site selections trade against JCT.
void print_energy(std::ostream& out, const RunTotals& totals) {
  const SiteEnergyTotals fleet = fleet_energy(totals);
  fmt::print(out, "  energy            {} IT, {} facility, {} CO2e, {}\n",
             scaled(fleet.it_mwh * 1e6, "Wh"), scaled(fleet.facility_mwh * 1e6, "Wh"),
             scaled(fleet.carbon_t, "t"), scaled(fleet.cost_usd, "", true));
}

// One line per inference service (training figures above are training jobs only).
void print_services(std::ostream& out, const RunResult& r) {
  for (const ServiceResult& service : r.services) {
    const ServiceSummary s = summarize_service(service);
    std::string p99 = "-";
    if (s.worst_hour_p99_unbounded) {
      p99 = "unbounded";
    } else if (s.worst_hour_p99_ms) {
      p99 = fmt::format("{:.0f} ms", *s.worst_hour_p99_ms);
    }
    fmt::print(out, "  service {:<9} SLO {:.0f} ms met by {:.2f} % of requests ({} of {} hours "
                    "at {:.0f} %), served {:.2f} %, worst hourly p99 {}, {:.1f} GPU-h\n",
               service.name, service.slo_ms, 100.0 * s.slo_attainment, s.hours_meeting_goal,
               s.hours_with_demand, 100.0 * service.slo_goal, 100.0 * s.served_fraction, p99,
               s.gpu_hours);
  }
}

void print_summary(std::ostream& out, const ScenarioConfig& c, const RunResult& r,
                   const std::string& dir, double wall_s) {
  const Summary& s = r.summary;
  fmt::print(out, "scenario {}: seed {}, policy {}, placement {}, {} GPUs\n", c.name, c.seed,
             c.policy, c.placement, s.total_gpus);
  fmt::print(out, "  jobs              {} (finished {}, never started {}, queued at end {}, "
                  "running at end {})\n",
             s.jobs, s.finished, s.never_started, s.queued_at_end, s.running_at_end);
  if (r.trace_rows_rejected > 0) {
    fmt::print(out, "  trace rows        {} rejected of {}\n", r.trace_rows_rejected, r.trace_rows);
    for (const auto& [reason, n] : r.trace_rejected_by_reason) {
      fmt::print(out, "    rejected        {}: {}\n", reason, n);
    }
  }
  fmt::print(out, "  {:<17} {:>9} {:>9} {:>9} {:>9}\n", "hours", "mean", "p50", "p95", "p99");
  fmt::print(out, "  {:<17} {:>9} {:>9} {:>9} {:>9}\n", "JCT", hours(s.jct_s.mean),
             hours(s.jct_s.p50), hours(s.jct_s.p95), hours(s.jct_s.p99));
  fmt::print(out, "  {:<17} {:>9} {:>9} {:>9} {:>9}\n", "queueing delay",
             hours(s.queue_delay_s.mean), hours(s.queue_delay_s.p50), hours(s.queue_delay_s.p95),
             hours(s.queue_delay_s.p99));
  fmt::print(out, "  makespan          {} h\n", hours(s.makespan_s));
  fmt::print(out, "  GPU utilisation   {:.1f} % over the makespan, {:.1f} % while jobs arrive\n",
             100.0 * s.gpu_utilisation, 100.0 * s.gpu_utilisation_during_arrivals);
  fmt::print(out, "  preemptions       {} ({} jobs)\n", s.preemptions, s.jobs_preempted);
  // Single-site scenarios have no profiles worth comparing; their summary stays as it was.
  if (r.totals.sites.size() > 1) print_energy(out, r.totals);
  print_services(out, r);
  if (r.check) {
    fmt::print(out,
               "  checked           {} invariant checks at {} job, failure and sample events: {}\n",
               r.check->checks, r.check->events,
               r.check->violation_count == 0
                   ? std::string("all held")
                   : fmt::format("{} violations", r.check->violation_count));
  }
  fmt::print(out, "  results           {}/\n", dir);
  fmt::print(out, "  wall time         {:.2f} s ({} events)\n", wall_s, s.events);
}

int run_command(const Options& o, std::ostream& out, std::ostream& err) {
  const ScenarioConfig config = load_scenario(o.scenario, overrides_of(o));
  const std::string dir = o.out.empty() ? "results/" + config.name : o.out;
  const auto start = std::chrono::steady_clock::now();
  // Only the results files need the jobs: the engine may drop finished ones' records.
  const RunResult result =
      run_scenario(config, {.check = check_requested(o.check), .keep_jobs = false});
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_results(dir, config, result);
  spdlog::info("run done: jobs={} wall_s={:.2f}", result.summary.jobs, wall_s);
  print_summary(out, config, result, dir, wall_s);
  return result.check ? report_check(*result.check, "", err) : kExitOk;
}

void print_fleet(std::ostream& out, const Fleet& fleet) {
  const Topology& t = fleet.topology;
  fmt::print(out, "  fleet       {} sites, {} clusters, {} racks, {} nodes, {} GPUs (", t.sites().size(),
             t.clusters().size(), t.racks().size(), t.nodes().size(), t.gpu_count());
  bool first = true;
  for (std::size_t i = 0; i < t.gpus_by_type().size(); ++i) {
    if (t.gpus_by_type()[i] == 0) continue;
    fmt::print(out, "{}{} {}", first ? "" : ", ", t.gpus_by_type()[i],
               fleet.catalog.type(GpuTypeId{i}).name);
    first = false;
  }
  fmt::print(out, ")\n");
}

int validate_command(const Options& o, std::ostream& out) {
  const ScenarioConfig config = load_scenario(o.scenario, overrides_of(o));
  const Fleet fleet = build_fleet(config.fleet);
  const Feasibility feasibility(fleet);
  fmt::print(out, "scenario {} ({}), seed {}\n", config.name, config.file, config.seed);
  print_fleet(out, fleet);
  if (const auto* s = std::get_if<SyntheticConfig>(&config.workload.source)) {
    feasibility.check_generator(*s);
    fmt::print(out, "  workload    synthetic: {} jobs, Poisson arrivals {}/h, gang sizes {}..{}\n",
               s->jobs, s->rate_per_hour,
               *std::min_element(s->gpu_values.begin(), s->gpu_values.end()),
               *std::max_element(s->gpu_values.begin(), s->gpu_values.end()));
  } else {
    const auto& trace = std::get<TraceConfig>(config.workload.source);
    TraceReadResult read =
        read_trace(trace_options_of(trace), fleet.catalog, site_directory(config.fleet));
    for (const JobSpec& job : read.jobs) {
      feasibility.check(job, {trace.path, static_cast<int>(job.source_line), 0});
    }
    fmt::print(out, "  workload    trace {}: {} jobs from {} rows ({} rejected)\n", trace.path,
               read.jobs.size(), read.rows, read.rejected);
    if (trace.format != "native_csv") {
      fmt::print(out, "  trace rows  {}\n", describe_rows(read));
    }
    if (const std::optional<InflationConfig>& inflation = trace.inflate) {
      const std::uint64_t gpus = fleet.topology.gpu_count();
      const std::size_t drawn =
          inflate(read.jobs, *inflation, gpus, RngStreams(config.seed)).size();
      fmt::print(out, "  inflated    {} jobs drawn (demand {} x {} GPUs, one every {} s{})\n",
                 drawn, inflation->demand, gpus, to_seconds(inflation->interval),
                 inflation->departures ? "" : ", none ending");
    }
  }
  if (config.failures.enabled()) {
    // Building it checks what needs the fleet: every scripted failure's component exists.
    const FailureModel failures(config.failures, fleet.topology, RngStreams(config.seed));
  }
  if (!config.workload.services.empty()) {
    // Building them checks what needs the fleet: every replica fits, every region has an RTT.
    const InferenceServices services(config.workload.services, fleet, RngStreams(config.seed));
    for (const ServiceSpec& s : config.workload.services) {
      fmt::print(out, "  service     {}: {}-GPU replicas x {}..{}, SLO {} ms, {} s .. {} s\n",
                 s.name, s.gpus_per_replica, s.min_replicas, s.max_replicas, s.slo_ms,
                 to_seconds(s.start), to_seconds(s.end));
    }
  }
  std::string params;
  for (const auto& [name, value] : config.policy_params) {
    params += fmt::format("{}{}={}", params.empty() ? "" : ", ", name, format_param_value(value));
  }
  fmt::print(out, "  policy      {}{}\n", config.policy, params.empty() ? "" : " (" + params + ")");
  fmt::print(out, "  placement   {}\n", config.placement);
  if (config.fleet.sites.size() > 1) fmt::print(out, "  sites       {}\n", config.site_selection);
  fmt::print(out, "  preemption  overhead {} s, resume {} s\n", to_seconds(config.preempt_overhead),
             to_seconds(config.resume_overhead));
  fmt::print(out, "valid; nothing was simulated\n");
  return kExitOk;
}

// Statistics of a trace or node list, over every row the reader accepts (no filters).
int trace_stats_command(Options& o, std::ostream& out) {
  TraceOptions& t = o.trace;
  t.display_path = t.path;
  if (o.duration_from == "creation") t.duration_from = DurationFrom::Creation;
  if (const TraceFormat* nodes = find_node_list_format(t.format)) {
    fmt::print(out, "{}", format_node_stats(read_node_list(*nodes, t), t));
    return kExitOk;
  }
  const TraceFormat* format = find_trace_format(t.format);
  if (format == nullptr) format = find_request_trace_format(t.format);
  if (format == nullptr) {
    throw ConfigError(
        {"--format", 0, 0}, "",
        fmt::format("unknown format \"{}\"; expected one of: {}, {}, {}", t.format,
                    trace_format_names(), node_list_format_names(), request_trace_format_names()));
  }
  fmt::print(out, "{}", format_trace_stats(compute_trace_stats(*format, t)));
  return kExitOk;
}

int policies_command(std::ostream& out) {
  fmt::print(out, "policies (scenario `policy.name`, or --policy):\n");
  for (const PolicyInfo& p : registered_policies()) {
    fmt::print(out, "  {:<15} {}\n", p.name, p.summary);
    for (const Param& param : p.params) {
      fmt::print(out, "      {} ({}, default {}): {}\n", param.name, param.type_name(),
                 format_param_value(param.default_value), param.help);
    }
  }
  fmt::print(out, "placements (scenario `placement`):\n");
  for (const PlacementInfo& p : registered_placements()) {
    fmt::print(out, "  {:<15} {}\n", p.name, p.summary);
  }
  return kExitOk;
}

}  // namespace

bool check_requested(bool flag) {
  const char* env = std::getenv("FLEETSIM_CHECK_INVARIANTS");
  return flag || (env != nullptr && std::string(env) == "1");
}

int report_check(const CheckReport& check, const std::string& subject, std::ostream& err) {
  if (check.violation_count == 0) return kExitOk;
  for (std::size_t i = 0; i < check.violations.size() && i < kViolationsShown; ++i) {
    fmt::print(err, "fleetsim: check: {}{}\n", subject, check.violations[i]);
  }
  fmt::print(err, "fleetsim: check: {}{} invariant violations in {} checks\n", subject,
             check.violation_count, check.checks);
  return kExitCheck;
}

CLI::Validator integer_at_least(std::int64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        std::int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || ptr != end || value < min) {
          return fmt::format("expected an integer >= {}, got \"{}\"", min, text);
        }
        return "";
      },
      "");
}

int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"fleetsim: discrete-event simulator of GPU-fleet schedulers", "fleetsim"};
  app.set_version_flag("--version", std::string("fleetsim ") + fleetsim_version());
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 bad input, 3 policy error, 4 run or sweep --check "
      "found a broken invariant.");
  Options o;
  const std::vector<std::string> levels = {"trace", "debug", "info", "warning", "error", "off"};
  app.add_option("--log-level", o.log_level, "log level on stderr")
      ->check(CLI::IsMember(levels))
      ->capture_default_str();

  CLI::App* run = app.add_subcommand("run", "simulate a scenario and write a results folder");
  run->add_option("scenario", o.scenario, "scenario YAML file")->required();
  run->add_option("--policy", o.policy, "use this policy instead (its default parameters)");
  run->add_option("--site-selection", o.site_selection, "use this site selection instead");
  run->add_option("--placement", o.placement, "use this placement instead");
  run->add_option("--seed", o.seed, "use this seed instead")->check(integer_at_least(0));
  run->add_option("--out", o.out, "results folder (default results/<scenario name>)");
  run->add_flag("--check", o.check,
                "check every invariant during the run (slower; same results): print the first "
                "violations and exit 4 if one breaks (also FLEETSIM_CHECK_INVARIANTS=1)");

  CLI::App* validate =
      app.add_subcommand("validate", "check a scenario and print what it would simulate");
  validate->add_option("scenario", o.scenario, "scenario YAML file")->required();
  validate->add_option("--policy", o.policy, "use this policy instead");
  validate->add_option("--site-selection", o.site_selection, "use this site selection instead");
  validate->add_option("--placement", o.placement, "use this placement instead");
  validate->add_option("--seed", o.seed, "use this seed instead")->check(integer_at_least(0));

  CLI::App* policies = app.add_subcommand("policies", "list policies and placements");
  SweepArgs sweep_args;
  CLI::App* sweep = add_sweep_command(app, sweep_args);
  CompareArgs compare_args;
  CLI::App* compare = add_compare_command(app, compare_args);
  PlotArgs plot_args;
  CLI::App* plot = add_plot_command(app, plot_args);

  CLI::App* stats = app.add_subcommand(
      "trace-stats", "job count, time span, arrivals by hour, GPU counts, durations, statuses");
  stats->add_option("file", o.trace.path, "trace file (plain or .gz)")->required();
  stats->add_option("--format", o.trace.format, "trace or node-list format")->required();
  std::string bad_rows = "error";
  stats->add_option("--bad-rows", bad_rows, "error: stop at a broken row; skip: count it")
      ->check(CLI::IsMember({"error", "skip"}))
      ->capture_default_str();
  stats
      ->add_option("--duration-from", o.duration_from,
                   "openb: scheduled (deletion - scheduled) or creation (deletion - creation)")
      ->check(CLI::IsMember({"scheduled", "creation"}));
  stats->add_option("--throughputs", o.trace.throughputs_path,
                    "gavel: simulation_throughputs.json(.gz), for durations");
  stats->add_option("--throughput-gpu", o.trace.throughput_gpu, "gavel: GPU column of the table")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version
      app.exit(e, out, err);
      return kExitOk;
    }
    fmt::print(err, "fleetsim: error: {}\n", e.what());
    return kExitBadInput;
  }
  const DefaultLoggerRestorer restore_logger;
  set_up_logging(err, o.log_level == "warning" ? "warn" : o.log_level);
  try {
    if (run->parsed()) return run_command(o, out, err);
    if (validate->parsed()) return validate_command(o, out);
    if (policies->parsed()) return policies_command(out);
    if (stats->parsed()) {
      o.trace.bad_rows = bad_rows == "skip" ? BadRows::Skip : BadRows::Error;
      return trace_stats_command(o, out);
    }
    if (sweep->parsed()) return sweep_command(sweep_args, out, err);
    if (compare->parsed()) return compare_command(compare_args, out);
    if (plot->parsed()) return plot_command(plot_args, out);
  } catch (const ConfigError& e) {
    fmt::print(err, "fleetsim: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const PolicyError& e) {
    fmt::print(err, "fleetsim: error: {}\n", e.what());
    return kExitPolicy;
  } catch (const std::exception& e) {
    fmt::print(err, "fleetsim: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace fleetsim
