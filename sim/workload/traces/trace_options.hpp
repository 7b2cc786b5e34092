// What a workload YAML says about a public trace: which file, which format, and how to turn its
// rows into jobs (time window, tenant and status filters, GPU-type mapping, duration rule and
// the per-format inputs such as Gavel's throughput table). Loaded by sim/io/workload_config.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

namespace fleetsim {

enum class BadRows { Error, Skip };

// How openb-style traces (creation, scheduled and deletion times) give a duration.
enum class DurationFrom {
  Scheduled,  // deletion - scheduled: the service time (deletion - creation if never scheduled)
  Creation,   // deletion - creation: the whole residency, queueing included
};

struct TraceOptions {
  std::string format;        // a name from trace_formats() or "native"
  std::string path;          // file to open
  std::string display_path;  // name used in messages
  BadRows bad_rows = BadRows::Error;
  // Rows submitted outside [window_start_s, window_end_s) on the trace clock are left out.
  std::optional<double> window_start_s;
  std::optional<double> window_end_s;
  std::set<std::string> tenants;   // empty = every tenant (VC, cluster, QoS class)
  std::set<std::string> statuses;  // empty = every status
  // Trace GPU model -> catalog type name; a model not listed must be a catalog name itself.
  std::map<std::string, std::string> gpu_types;
  DurationFrom duration_from = DurationFrom::Scheduled;
  // Gavel: the throughput table (JSON, may be .gz) and which GPU type's column gives durations.
  std::string throughputs_path;
  std::string throughput_gpu = "v100";
  // Pollux / Sia: GPU-seconds of work per application (the workloads give no run time).
  std::map<std::string, double> gpu_s_by_application;
};

}  // namespace fleetsim
