// Reads a public job trace in any format of trace_formats() (or the native CSV) and turns its
// rows into JobSpecs: filters (time window, tenants, statuses), GPU-type mapping, time shifted so
// the first job (or the window start) is t=0. Every row read is used or counted under a reason.
#pragma once

#include <functional>
#include <string>

#include "sim/fleet/gpu_catalog.hpp"
#include "sim/workload/native_csv_trace.hpp"
#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim {

// Rows of one file as the format reader sees them, before any filter. Broken rows throw
// ConfigError ("file:line: field: reason") under BadRows::Error; under Skip they are warned
// about and counted in `counts` (reason "bad <field>") and `sink` never sees them. Besides the
// format's own checks, every format's rows keep gpu_share_problem() (a GPU share is of one GPU).
struct TraceRowCounts {
  std::uint64_t rows = 0;  // data rows (blank lines are not rows)
  std::map<std::string, std::uint64_t> rejected_by_reason;
};
void read_trace_records(const TraceFormat& format, const TraceOptions& options,
                        const std::function<void(TraceRecord&&)>& sink, TraceRowCounts& counts);

// The whole trace as jobs, in file order (the workload sorts them by submit time).
// `sites` resolves the native format's data_site and residency columns.
TraceReadResult read_trace(const TraceOptions& options, const GpuCatalog& catalog,
                           const SiteDirectory& sites = {});

// "rows read 10, used 4, rejected 6 (bad gpus: 2; no GPU requested: 4)".
std::string describe_rows(const TraceReadResult& result);

}  // namespace fleetsim
