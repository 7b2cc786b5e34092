// The public-trace keys of a workload entry (format, window, tenants, statuses, gpu_types and
// the per-format ones), what they load into, and their errors with file:line:column.
#include <string>

#include <gtest/gtest.h>

#include "sim/io/workload_config.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

const GpuCatalog& catalog() {
  static const GpuCatalog c = test::test_catalog();  // H100, A100
  return c;
}

TraceConfig load(const std::string& text) {
  const WorkloadConfig w = load_workload_config(
      ConfigNode::load_string("source: trace\n" + text, "/data/w.yaml"), catalog());
  return std::get<TraceConfig>(w.source);
}

std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

TEST(TraceWorkloadConfig, CommonKeysLoadAndDateTimesAreUtcSeconds) {
  const TraceConfig t = load(
      "format: openb\npath: pods.csv\nwindow: {start: \"2017-10-01 00:00:00\", end: 1507507200}\n"
      "tenants: [LS, BE]\nstatuses: [Running]\ngpu_types: {V100M16: A100}\n"
      "duration_from: creation\n");
  EXPECT_EQ(t.format, "openb");
  EXPECT_EQ(t.path, "/data/pods.csv");
  EXPECT_EQ(t.options.window_start_s, 1506816000.0);
  EXPECT_EQ(t.options.window_end_s, 1507507200.0);
  EXPECT_EQ(t.options.tenants, (std::set<std::string>{"BE", "LS"}));
  EXPECT_EQ(t.options.statuses, (std::set<std::string>{"Running"}));
  EXPECT_EQ(t.options.gpu_types.at("V100M16"), "A100");
  EXPECT_EQ(t.options.duration_from, DurationFrom::Creation);
  const TraceOptions o = trace_options_of(t);
  EXPECT_EQ(o.format, "openb");
  EXPECT_EQ(o.path, "/data/pods.csv");
  EXPECT_EQ(o.bad_rows, BadRows::Error);
}

TEST(TraceWorkloadConfig, GavelAndPolluxInputs) {
  const TraceConfig g =
      load("format: gavel\npath: vc.trace.gz\nthroughputs: t.json.gz\nthroughput_gpu: k80\n");
  EXPECT_EQ(g.options.throughputs_path, "/data/t.json.gz");  // relative to the workload file
  EXPECT_EQ(g.options.throughput_gpu, "k80");
  const TraceConfig p =
      load("format: pollux\npath: w.csv\ngpu_s_by_application: {cifar10: 465, bert: 11384}\n");
  EXPECT_EQ(p.options.gpu_s_by_application,
            (std::map<std::string, double>{{"bert", 11384}, {"cifar10", 465}}));
}

TEST(TraceWorkloadConfig, Inflate) {
  const TraceConfig t = load(
      "format: openb\npath: p.csv\ninflate: {demand: 1.2, interval_s: 0.5, departures: false}\n");
  ASSERT_TRUE(t.inflate.has_value());
  EXPECT_DOUBLE_EQ(t.inflate->demand, 1.2);
  EXPECT_EQ(t.inflate->interval, 500'000);
  EXPECT_FALSE(t.inflate->departures);
  const TraceConfig d = load("path: jobs.csv\ninflate: {demand: 2}\n");  // native CSV too
  EXPECT_EQ(d.inflate->interval, kMicrosPerSecond);
  EXPECT_TRUE(d.inflate->departures);
  EXPECT_FALSE(load("path: jobs.csv\n").inflate.has_value());
  EXPECT_EQ(
      error_of("path: jobs.csv\ninflate: {demand: 11}\n"),
      "/data/w.yaml:3:19: inflate.demand: expected at most 10 times the fleet's GPUs, got 11");
  EXPECT_EQ(error_of("path: jobs.csv\ninflate: {demand: 0}\n"),
            "/data/w.yaml:3:19: inflate.demand: expected a positive number, got \"0\"");
  EXPECT_EQ(error_of("path: jobs.csv\ninflate: {interval_s: 1}\n"),
            "/data/w.yaml:3:10: inflate.demand: missing required key");
  EXPECT_EQ(error_of("path: jobs.csv\ninflate: {demand: 1, jobs: 5}\n"),
            "/data/w.yaml:3:22: inflate.jobs: unknown key; expected one of: demand, interval_s, "
            "departures");
}

TEST(TraceWorkloadConfig, Errors) {
  EXPECT_EQ(error_of("format: philly\npath: p.csv\nstatuses: [Pass]\n"),
            "/data/w.yaml:4:1: statuses: unknown key; expected one of: source, format, path, "
            "bad_rows, window, tenants, gpu_types, services, inflate");
  EXPECT_EQ(error_of("format: itp\npath: c.csv\nwindow: {start: 10, end: 5}\n"),
            "/data/w.yaml:4:26: window.end: expected an end after the start");
  EXPECT_EQ(error_of("format: itp\npath: c.csv\nwindow: {start: soon}\n"),
            "/data/w.yaml:4:17: window.start: expected a number, got \"soon\"");
  EXPECT_EQ(error_of("format: openb\npath: p.csv\ngpu_types: {G2: V100}\n"),
            "/data/w.yaml:4:17: gpu_types.G2: unknown GPU type \"V100\"");
  EXPECT_EQ(error_of("format: openb\npath: p.csv\nduration_from: deletion\n"),
            "/data/w.yaml:4:16: duration_from: expected scheduled or creation, got \"deletion\"");
  EXPECT_EQ(error_of("format: gavel\npath: vc.trace.gz\n"),
            "/data/w.yaml:1:1: throughputs: missing required key");
  EXPECT_EQ(error_of("format: sia\npath: w.csv\n"),
            "/data/w.yaml:1:1: gpu_s_by_application: missing required key");
  EXPECT_EQ(error_of("format: sia\npath: w.csv\ngpu_s_by_application: {cifar10: -1}\n"),
            "/data/w.yaml:4:33: gpu_s_by_application.cifar10: expected a positive number, got "
            "\"-1\"");
  EXPECT_EQ(error_of("format: tiresias\npath: t.csv\ntenants: []\n"),
            "/data/w.yaml:4:10: tenants: expected at least one name");
}

}  // namespace
}  // namespace fleetsim
