// Workload loading: the synthetic generator's parameters (every duration form, defaults) and
// the trace entry (path relative to the referring file, bad_rows), each with its errors.
#include "sim/io/workload_config.hpp"

#include <string>

#include <gtest/gtest.h>

#include "tests/support/cli_run.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

// Catalog with H100 and A100 (tests/support/test_fleet).
const GpuCatalog& catalog() {
  static const GpuCatalog c = test::test_catalog();
  return c;
}

WorkloadConfig load(const std::string& text, const std::string& file = "w.yaml") {
  return load_workload_config(ConfigNode::load_string(text, file), catalog());
}

SyntheticConfig synthetic(const std::string& extra) {
  const WorkloadConfig w = load(
      "source: synthetic\n"
      "jobs: 100\n"
      "arrival: {process: poisson, rate_per_hour: 12.5}\n"
      "gpus: {distribution: categorical, values: [1, 8], weights: [3, 1]}\n" +
      extra);
  return std::get<SyntheticConfig>(w.source);
}

std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

// Lines 1-4 of every document below; the line under test is line 5.
const std::string kHead =
    "source: synthetic\n"
    "jobs: 100\n"
    "arrival: {process: poisson, rate_per_hour: 12.5}\n"
    "gpus: {distribution: categorical, values: [1, 8], weights: [3, 1]}\n";

TEST(WorkloadConfig, SyntheticFieldsAndDefaults) {
  const SyntheticConfig c = synthetic("duration: {distribution: constant, value_s: 60}\n");
  EXPECT_EQ(c.jobs, 100u);
  EXPECT_DOUBLE_EQ(c.rate_per_hour, 12.5);
  EXPECT_EQ(c.gpu_values, (std::vector<std::uint32_t>{1, 8}));
  EXPECT_EQ(c.gpu_weights,
            (std::vector<double>{3, 1}));  // kept as written; the generator normalises
  EXPECT_EQ(c.tenants, 1u);
  EXPECT_DOUBLE_EQ(c.preemptible_fraction, 1.0);
  EXPECT_TRUE(c.allowed_gpu_types.empty());
  EXPECT_EQ(c.job_class, "default");
  EXPECT_EQ(c.origin.str(), "w.yaml:1:1");
  EXPECT_EQ(c.gpus_origin.str(), "w.yaml:4:7");  // the gpus map, for "job too large" errors
}

TEST(WorkloadConfig, OptionalSyntheticFields) {
  const SyntheticConfig c = synthetic(
      "duration: {distribution: constant, value_s: 60}\n"
      "tenants: 15\n"
      "preemptible_fraction: 0.25\n"
      "allowed_gpu_types: [A100, H100]\n"
      "job_class: llm_training\n");
  EXPECT_EQ(c.tenants, 15u);
  EXPECT_DOUBLE_EQ(c.preemptible_fraction, 0.25);
  EXPECT_EQ(c.allowed_gpu_types, (std::vector<std::string>{"A100", "H100"}));
  EXPECT_EQ(c.job_class, "llm_training");
}

TEST(WorkloadConfig, EmpiricalDuration) {
  const SyntheticConfig c = synthetic(
      "duration: {distribution: empirical, points: [[0, 1], [0.5, 100], [0.9, 1000], [1, "
      "5000]]}\n");
  EXPECT_EQ(c.duration.kind, DurationDistribution::Kind::Empirical);
  const std::vector<std::pair<double, double>> want = {{0, 1}, {0.5, 100}, {0.9, 1000}, {1, 5000}};
  EXPECT_EQ(c.duration.points, want);
}

TEST(WorkloadConfig, LognormalDuration) {
  const SyntheticConfig c =
      synthetic("duration: {distribution: lognormal, median_s: 1144, sigma: 2.0}\n");
  EXPECT_EQ(c.duration.kind, DurationDistribution::Kind::Lognormal);
  EXPECT_DOUBLE_EQ(c.duration.median_s, 1144);
  EXPECT_DOUBLE_EQ(c.duration.sigma, 2.0);
}

TEST(WorkloadConfig, ExponentialDuration) {
  const SyntheticConfig c = synthetic("duration: {distribution: exponential, mean_s: 3600}\n");
  EXPECT_EQ(c.duration.kind, DurationDistribution::Kind::Exponential);
  EXPECT_DOUBLE_EQ(c.duration.mean_s, 3600);
}

TEST(WorkloadConfig, ConstantDuration) {
  const SyntheticConfig c = synthetic("duration: {distribution: constant, value_s: 90.5}\n");
  EXPECT_EQ(c.duration.kind, DurationDistribution::Kind::Constant);
  EXPECT_DOUBLE_EQ(c.duration.value_s, 90.5);
}

TEST(WorkloadConfig, DurationErrors) {
  EXPECT_EQ(
      error_of(kHead + "duration: {distribution: weibull, shape: 2}\n"),
      "w.yaml:5:26: duration.distribution: unknown distribution \"weibull\"; expected one of: "
      "empirical, lognormal, exponential, constant");
  // Each form accepts only its own keys.
  EXPECT_EQ(error_of(kHead + "duration: {distribution: exponential, mean_s: 5, sigma: 1}\n"),
            "w.yaml:5:50: duration.sigma: unknown key; expected one of: distribution, mean_s");
  EXPECT_EQ(error_of(kHead + "duration: {distribution: lognormal, median_s: 5}\n"),
            "w.yaml:5:11: duration.sigma: missing required key");
  EXPECT_EQ(error_of(kHead + "duration: {distribution: empirical, points: [[0.1, 1], [1, 5]]}\n"),
            "w.yaml:5:45: duration.points: expected at least two points, from quantile 0 to "
            "quantile 1");
  EXPECT_EQ(error_of(kHead + "duration: {distribution: empirical, points: [[0, 1], [0.9, 5]]}\n"),
            "w.yaml:5:45: duration.points: expected at least two points, from quantile 0 to "
            "quantile 1");
  EXPECT_EQ(error_of(kHead + "duration: {distribution: empirical, points: [[0, 10], [1, 5]]}\n"),
            "w.yaml:5:55: duration.points[1]: quantiles must increase and durations must not "
            "decrease");
  EXPECT_EQ(error_of(kHead + "duration: {distribution: empirical, points: [[0, 1], [1.5, 5]]}\n"),
            "w.yaml:5:55: duration.points[1][0]: expected a quantile in [0, 1], got 1.5");
  EXPECT_EQ(error_of(kHead + "duration: {distribution: empirical, points: [[0, 1, 2], [1, 5]]}\n"),
            "w.yaml:5:46: duration.points[0]: expected [quantile, seconds]");
}

TEST(WorkloadConfig, SyntheticErrors) {
  const std::string duration = "duration: {distribution: constant, value_s: 60}\n";
  EXPECT_EQ(error_of("source: synthetic\njobs: 1\narrival: {process: hawkes, rate_per_hour: 1}\n"),
            "w.yaml:3:20: arrival.process: unknown arrival process \"hawkes\"; expected: poisson");
  EXPECT_EQ(error_of("source: synthetic\njobs: 1\narrival: {process: poisson, rate_per_hour: 1}\n"
                     "gpus: {distribution: categorical, values: [0], weights: [1]}\n"),
            "w.yaml:4:44: gpus.values[0]: expected a positive integer, got \"0\"");
  EXPECT_EQ(error_of("source: synthetic\njobs: 1\narrival: {process: poisson, rate_per_hour: 1}\n"
                     "gpus: {distribution: categorical, values: [1, 2], weights: [0, 0]}\n"),
            "w.yaml:4:60: gpus.weights: expected at least one positive weight");
  EXPECT_EQ(
      error_of("source: synthetic\njobs: 1\narrival: {process: poisson, rate_per_hour: 1}\n"
               "gpus: {distribution: uniform, values: [1], weights: [1]}\n"),
      "w.yaml:4:22: gpus.distribution: unknown distribution \"uniform\"; expected: categorical");
  EXPECT_EQ(error_of(kHead + duration + "preemptible_fraction: 1.5\n"),
            "w.yaml:6:23: preemptible_fraction: expected a fraction in [0, 1], got 1.5");
  EXPECT_EQ(error_of(kHead + duration + "flexible: {fraction: 0.5}\n"),
            "w.yaml:6:11: flexible.slack_h: missing required key");
  EXPECT_EQ(error_of(kHead + duration + "flexible: {fraction: 0.5, slack_h: 1, jitter: 2}\n"),
            "w.yaml:6:39: flexible.jitter: unknown key; expected one of: fraction, slack_h");
  EXPECT_EQ(error_of(kHead + duration + "tenants: 2000000\n"),
            "w.yaml:6:10: tenants: expected at most 1000000 tenants, got 2000000");
  EXPECT_EQ(error_of(kHead + duration + "allowed_gpu_types: [H100, V100]\n"),
            "w.yaml:6:27: allowed_gpu_types[1]: unknown GPU type \"V100\"");
  EXPECT_EQ(
      error_of(kHead + duration + "jobs_per_tenant: 3\n"),
      "w.yaml:6:1: jobs_per_tenant: unknown key; expected one of: source, jobs, arrival, gpus, "
      "duration, tenants, preemptible_fraction, allowed_gpu_types, job_class, data, residency, "
      "gpu_utilisation, flexible, elastic, fractional, services");
  EXPECT_EQ(error_of("source: replay\n"),
            "w.yaml:1:9: source: unknown workload source \"replay\"; expected one of: synthetic, "
            "trace");
}

TEST(WorkloadConfig, FractionalBlockAndItsDefault) {
  const std::string duration = "duration: {distribution: constant, value_s: 60}\n";
  const SyntheticConfig off = synthetic(duration);
  EXPECT_EQ(off.fractional.fraction, 0.0);  // no block: every job asks for whole GPUs
  EXPECT_TRUE(off.fractional.milli.empty());
  const SyntheticConfig on =
      synthetic(duration + "fractional: {fraction: 0.4, milli: [1, 250, 500, 999]}\n");
  EXPECT_DOUBLE_EQ(on.fractional.fraction, 0.4);
  EXPECT_EQ(on.fractional.milli, (std::vector<std::uint16_t>{1, 250, 500, 999}));
}

TEST(WorkloadConfig, FractionalErrors) {
  // Line 6 is the fractional block; columns count from 1.
  const std::string head = kHead + "duration: {distribution: constant, value_s: 60}\n";
  EXPECT_EQ(error_of(head + "fractional: {fraction: -0.1, milli: [500]}\n"),
            "w.yaml:6:24: fractional.fraction: expected a fraction in [0, 1], got -0.1");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 1.01, milli: [500]}\n"),
            "w.yaml:6:24: fractional.fraction: expected a fraction in [0, 1], got 1.01");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5}\n"),
            "w.yaml:6:13: fractional.milli: missing required key");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5, milli: []}\n"),
            "w.yaml:6:36: fractional.milli: expected at least one share in thousandths of a GPU");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5, milli: 500}\n"),
            "w.yaml:6:36: fractional.milli: expected a list, got \"500\"");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5, milli: [500, 0]}\n"),
            "w.yaml:6:42: fractional.milli[1]: expected a share in [1, 999] thousandths, got 0");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5, milli: [1000]}\n"),
            "w.yaml:6:37: fractional.milli[0]: expected a share in [1, 999] thousandths, got 1000");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5, milli: [0.25]}\n"),
            "w.yaml:6:37: fractional.milli[0]: expected an integer, got \"0.25\"");
  EXPECT_EQ(error_of(head + "fractional: {fraction: 0.5, milli: [500], gpus: 1}\n"),
            "w.yaml:6:43: fractional.gpus: unknown key; expected one of: fraction, milli");
}

TEST(WorkloadConfig, TracePathIsRelativeToTheReferringFile) {
  const WorkloadConfig w = load("source: trace\npath: ../traces/small.csv\n",
                                test::source_path("tests/data/scenarios/s.yaml"));
  const auto& t = std::get<TraceConfig>(w.source);
  EXPECT_EQ(t.path, test::normal(test::source_path("tests/data/traces/small.csv")));
  EXPECT_EQ(t.format, "native_csv");
  EXPECT_EQ(t.bad_rows, BadRows::Error);  // the default: stop at the first broken row
}

TEST(WorkloadConfig, TraceAbsolutePathIsKeptAndBadRowsSkipIsRead) {
  const WorkloadConfig w =
      load("source: trace\nformat: native_csv\npath: /data/philly.csv\nbad_rows: skip\n");
  const auto& t = std::get<TraceConfig>(w.source);
  EXPECT_EQ(t.path, "/data/philly.csv");
  EXPECT_EQ(t.bad_rows, BadRows::Skip);
}

TEST(WorkloadConfig, TraceErrors) {
  EXPECT_EQ(error_of("source: trace\npath: a.csv\nbad_rows: ignore\n"),
            "w.yaml:3:11: bad_rows: expected error or skip, got \"ignore\"");
  EXPECT_EQ(error_of("source: trace\nformat: phily\npath: a.csv\n"),
            "w.yaml:2:9: format: unknown trace format \"phily\"; expected one of: native, "
            "native_csv, gavel, itp, openb, philly, pollux, sia, tiresias");
  EXPECT_EQ(error_of("source: trace\n"), "w.yaml:1:1: path: missing required key");
  EXPECT_EQ(error_of("source: trace\npath: a.csv\njobs: 3\n"),
            "w.yaml:3:1: jobs: unknown key; expected one of: source, format, path, bad_rows, "
            "services, inflate");
}

TEST(WorkloadConfig, WorkloadFileIsRelativeToTheScenario) {
  const ConfigNode scenario =
      ConfigNode::load_string("workload: ../workloads/small_synthetic.yaml\n",
                              test::source_path("tests/data/scenarios/s.yaml"));
  const WorkloadConfig w = load_workload_config(scenario.at("workload"), catalog());
  const auto& c = std::get<SyntheticConfig>(w.source);
  EXPECT_EQ(c.jobs, 40u);
  EXPECT_EQ(c.origin.file,
            test::normal(test::source_path("tests/data/workloads/small_synthetic.yaml")));
}

}  // namespace
}  // namespace fleetsim
