// The native CSV trace format (documented in README.md, "Trace format"):
//   job_id,submit_time_s,gpus,duration_s[,gpu_type][,tenant][,estimate_s][,preemptible]
//   [,priority][,job_class][,data_site][,data_gb][,residency][,gpu_utilisation][,start_slack_s]
//   [,min_gpus][,max_gpus][,serial_fraction][,gpu_milli]
// One header row naming the columns (any order). gpu_type may list several allowed types
// separated by '|'. Rows are read whole, checked, and stable-sorted by submit time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/fleet/gpu_catalog.hpp"
#include "sim/workload/job.hpp"
#include "sim/workload/site_directory.hpp"
#include "sim/workload/traces/trace_options.hpp"

namespace fleetsim {

struct TraceReadResult {
  std::vector<JobSpec> jobs;  // in file order; JobSpec::source_line = line in the file
  std::uint64_t rows = 0;     // data rows seen
  std::uint64_t rejected = 0;  // rows rejected (only with BadRows::Skip)
  std::map<std::string, std::uint64_t> rejected_by_reason;  // "bad gpus" -> rows; sums to rejected
  double time_origin_s = 0;                                 // the trace-clock time that became t=0
};

// `display_path` is the name errors use. With BadRows::Error the first broken row throws
// ConfigError ("trace.csv:1042:3: gpus: \"x\" is not a positive integer"); with Skip it is
// logged as a warning, counted and left out.
// Site names (data_site) and residency places are resolved against `sites`.
TraceReadResult read_native_csv(const std::string& path, const std::string& display_path,
                                const GpuCatalog& catalog, BadRows bad_rows,
                                const SiteDirectory& sites = {});

}  // namespace fleetsim
