// One row of a public job trace, as its format reader understood it, before the workload's
// filters and mappings turn it into a JobSpec. trace-stats reads these too, so it sees every row
// (CPU-only pods, statuses) that a replay may leave out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct TraceRecord {
  std::string name;                  // the trace's job id, or "<file stem>-<line>" when it has none
  double submit_s = 0;               // on the trace's own clock (Unix seconds for date-time traces)
  std::uint32_t gpus = 0;            // 0 = the row asks for no GPU (CPU-only pod)
  std::uint32_t gpu_milli = 1000;    // share of each GPU, 1..1000 (openb GPU sharing)
  std::optional<double> duration_s;  // run time as the reader derived it; nullopt = unknown
  std::string tenant;                // VC, cluster or QoS class, whatever the trace groups jobs by
  std::string status;                // final status; empty when the trace has none
  std::vector<std::string> gpu_types;  // GPU models the row allows, as the trace names them
  std::string job_class;               // model or application name, when the trace gives one
  // Request traces (LLM serving): prompt and output tokens; nullopt for job traces.
  std::optional<double> input_tokens;
  std::optional<double> output_tokens;
  std::uint32_t line = 0;              // line in the file
  // Why a well-formed row cannot become a job (e.g. Gavel has no throughput for its job type and
  // GPU count); empty when it can. Counted under this reason, never an error.
  std::string unusable;
};

}  // namespace fleetsim
