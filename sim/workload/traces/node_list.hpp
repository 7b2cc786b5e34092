// Public GPU node inventories (openb 2023 nodes, PAI 2020 machine spec, spot-GPU 2026 nodes) read
// as fleets: each row is one node with a GPU model and a GPU count. The row readers are
// TraceFormats whose records carry name, gpus and gpu_types = {model}; fleet_config.cpp groups
// the nodes into rack groups (one node per NVLink domain, as the inventories give no racks).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/workload/traces/trace_format.hpp"

namespace fleetsim {

struct NodeListResult {
  std::vector<TraceRecord> nodes;  // GPU and CPU-only nodes, in file order
  std::uint64_t rows = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
};

// Every node-list format, in name order.
const std::vector<TraceFormat>& node_list_formats();
const TraceFormat* find_node_list_format(const std::string& name);
std::string node_list_format_names();

NodeListResult read_node_list(const TraceFormat& format, const TraceOptions& options);

// The report `fleetsim trace-stats` prints for a node list: nodes, GPUs by model, nodes by GPU
// count.
std::string format_node_stats(const NodeListResult& result, const TraceOptions& options);

namespace detail {
TraceFormat openb_nodes_format();
TraceFormat pai_machines_format();
TraceFormat spot_nodes_format();
// Fills a node record: name, GPU count in [0, 64], model (ignored when the node has no GPU).
std::optional<TraceRowError> node_record(const std::string& name, const std::string& gpus_field,
                                         const std::string& gpus, const std::string& model,
                                         TraceRecord& out);
}  // namespace detail

}  // namespace fleetsim
