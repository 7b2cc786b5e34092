// libFuzzer target: bytes as a file of one trace or node-list format, named by the environment
// variable FLEETSIM_FUZZ_FORMAT (native_csv, a job-trace, request-trace or node-list format), read
// as fleetsim reads it: a job trace as a workload (read_trace) and by trace-stats, a request
// trace by trace-stats, a node list as a fleet (node_list:) and by trace-stats. Each input is read
// with bad_rows: skip and bad_rows: error. One binary for every format; CI runs it once per
// format, each with its own corpus (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sim/io/fleet_config.hpp"
#include "sim/workload/traces/node_list.hpp"
#include "sim/workload/traces/trace_reader.hpp"
#include "sim/workload/traces/trace_stats.hpp"
#include "tests/fuzz/fuzz_contract.hpp"

namespace fleetsim {
namespace {

// The GPU models of the excerpts in tests/data/traces/excerpts/, mapped to the test catalog
// (tests/data/fleets/catalog.yaml: H100_SXM, A100), so rows reach the mapping code.
constexpr const char* kGpuTypes =
    "{V100M16: A100, V100M32: A100, G2: H100_SXM, G3: H100_SXM, T4: A100, P100: A100, "
    "MISC: H100_SXM, A10: A100, H800: H100_SXM, GPU-series-1: A100}";

enum class Kind { JobTrace, RequestTrace, NodeList };

struct Target {
  const TraceFormat* format = nullptr;  // nullptr for native_csv
  Kind kind = Kind::JobTrace;
};

Target target_of(const std::string& name) {
  if (name == "native_csv") return {nullptr, Kind::JobTrace};
  if (const TraceFormat* f = find_trace_format(name)) return {f, Kind::JobTrace};
  if (const TraceFormat* f = find_request_trace_format(name)) return {f, Kind::RequestTrace};
  if (const TraceFormat* f = find_node_list_format(name)) return {f, Kind::NodeList};
  std::fprintf(stderr, "fuzz: FLEETSIM_FUZZ_FORMAT=%s: not native_csv, %s, %s or %s\n",
               name.c_str(), trace_format_names().c_str(), request_trace_format_names().c_str(),
               node_list_format_names().c_str());
  std::exit(2);
}

const Target& target() {
  static const Target t = [] {
    const char* name = std::getenv("FLEETSIM_FUZZ_FORMAT");
    return target_of(name == nullptr ? "" : name);
  }();
  return t;
}

// The test catalog, loaded through a one-GPU fleet (the catalog loader is the fleet loader's).
const GpuCatalog& catalog() {
  static const GpuCatalog c = [] {
    const FleetConfig fleet = load_fleet_config(ConfigNode::load_string(
        "gpu_catalog: catalog.yaml\nsites: [{name: s, clusters: [{name: c, racks: [{count: 1, "
        "nodes: 1, gpus_per_node: 1, gpu_type: A100}]}]}]\n",
        fuzz::source_path("tests/data/fleets/fuzz.yaml")));
    return GpuCatalog(fleet.gpu_types, fleet.reference_type);
  }();
  return c;
}

// What every format may need, as a workload YAML would give it.
const TraceOptions& base_options() {
  static const TraceOptions o = [] {
    TraceOptions t;
    t.format = target().format == nullptr ? "native_csv" : target().format->name;
    const ConfigNode types = ConfigNode::load_string(std::string("m: ") + kGpuTypes, "types");
    for (const std::string& model : types.at("m").keys()) {
      t.gpu_types[model] = types.at("m").at(model).as_string();
    }
    t.throughputs_path = fuzz::source_path("tests/data/traces/excerpts/gavel_throughputs.json");
    // configs/workloads/pollux_trace.yaml's work per application.
    t.gpu_s_by_application = {{"cifar10", 465}, {"ncf", 465},       {"deepspeech2", 11384},
                              {"bert", 11384},  {"yolov3", 113842}, {"imagenet", 1138420}};
    return t;
  }();
  return o;
}

void read_job_trace(const TraceOptions& o) {
  const TraceReadResult read = read_trace(o, catalog());
  fuzz::require(read.rejected <= read.rows, "more rows rejected than read");
  for (const JobSpec& job : read.jobs) {
    fuzz::require(job.gpus > 0, "a job without GPUs: " + job.name);
    fuzz::require(job.submit >= 0 && job.duration >= 0, "a job before t=0 or of negative run time");
  }
  describe_rows(read);
}

void read_stats(const TraceOptions& o) {
  format_trace_stats(compute_trace_stats(*target().format, o));
}

// A fleet built from the node list, as a fleet file's `node_list:` does.
void read_node_list_fleet(const TraceOptions& o) {
  const ConfigNode root = ConfigNode::load_string(
      fmt::format("gpu_catalog: catalog.yaml\nnode_list: {{format: {}, path: \"{}\", bad_rows: {}, "
                  "gpu_types: {}}}\n",
                  o.format, o.path, o.bad_rows == BadRows::Skip ? "skip" : "error", kGpuTypes),
      fuzz::source_path("tests/data/fleets/fuzz.yaml"));
  const FleetConfig fleet = load_fleet_config(root);
  build_fleet(fleet);
  format_node_stats(read_node_list(*target().format, o), o);
}

void read_as_fleetsim_does(const std::string& path, BadRows bad_rows) {
  TraceOptions o = base_options();
  o.path = path;
  o.display_path = path;
  o.bad_rows = bad_rows;
  switch (target().kind) {
    case Kind::JobTrace:
      read_job_trace(o);
      if (target().format != nullptr) read_stats(o);
      return;
    case Kind::RequestTrace: return read_stats(o);
    case Kind::NodeList: return read_node_list_fleet(o);
  }
}

}  // namespace
}  // namespace fleetsim

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // bad_rows: skip warns once per rejected row
  fleetsim::target();                      // an unknown format stops before the first input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using fleetsim::BadRows;
  static const fleetsim::fuzz::ScratchFile file(".csv");
  file.write(data, size);
  for (const BadRows mode : {BadRows::Skip, BadRows::Error}) {
    fleetsim::fuzz::loads_or_rejects(
        [mode] { fleetsim::read_as_fleetsim_does(file.path(), mode); });
  }
  return 0;
}
