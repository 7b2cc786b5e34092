// The workload entry of a scenario: a synthetic generator's parameters or a trace file, loaded
// and validated, and turned into a streaming WorkloadSource.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "sim/core/rng_streams.hpp"
#include "sim/fleet/gpu_catalog.hpp"
#include "sim/inference/service_spec.hpp"
#include "sim/io/config_node.hpp"
#include "sim/workload/inflation.hpp"
#include "sim/workload/native_csv_trace.hpp"
#include "sim/workload/site_directory.hpp"
#include "sim/workload/synthetic_config.hpp"
#include "sim/workload/traces/trace_reader.hpp"
#include "sim/workload/workload_source.hpp"

namespace fleetsim {

struct TraceConfig {
  std::string format = "native_csv";
  std::string path;          // resolved (relative to the referring file, or absolute)
  BadRows bad_rows = BadRows::Error;
  // The per-format options (window, tenants, statuses, gpu_types, ...); its format, path and
  // bad_rows are unused: trace_options_of() fills them from the fields above.
  TraceOptions options;
  // `inflate:`: replay jobs drawn from the trace instead of the trace itself.
  std::optional<InflationConfig> inflate;
};

// What read_trace() takes for this workload entry.
TraceOptions trace_options_of(const TraceConfig& trace);

struct WorkloadConfig {
  std::variant<SyntheticConfig, TraceConfig> source;
  std::vector<ServiceSpec> services;  // inference services beside the jobs (`services:`)
};

// `node` is the scenario's `workload:` entry: a file path or a map. GPU type names are checked
// against `catalog`, site names and residency places against `sites`.
WorkloadConfig load_workload_config(const ConfigNode& node, const GpuCatalog& catalog,
                                    const SiteDirectory& sites = {});

// A ready source. For traces, reads and checks the whole file now (rejected rows are counted in
// `rejected_rows`); generators stream. `fleet_gpus` sizes an inflated trace.
struct LoadedWorkload {
  std::unique_ptr<WorkloadSource> source;
  std::uint64_t rejected_rows = 0;
  std::uint64_t trace_rows = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
};
LoadedWorkload open_workload(const WorkloadConfig& config, const GpuCatalog& catalog,
                             const RngStreams& rng, std::uint64_t fleet_gpus,
                             const SiteDirectory& sites = {});

}  // namespace fleetsim
