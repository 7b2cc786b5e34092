#include "sim/workload/traces/node_list.hpp"

#include <fmt/format.h>

#include "sim/workload/traces/trace_reader.hpp"

namespace fleetsim {

const std::vector<TraceFormat>& node_list_formats() {
  static const std::vector<TraceFormat> formats = {
      detail::openb_nodes_format(), detail::pai_machines_format(), detail::spot_nodes_format()};
  return formats;
}

const TraceFormat* find_node_list_format(const std::string& name) {
  for (const TraceFormat& f : node_list_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string node_list_format_names() {
  std::string names;
  for (const TraceFormat& f : node_list_formats()) names += (names.empty() ? "" : ", ") + f.name;
  return names;
}

NodeListResult read_node_list(const TraceFormat& format, const TraceOptions& options) {
  NodeListResult result;
  TraceRowCounts counts;
  read_trace_records(
      format, options, [&](TraceRecord&& r) { result.nodes.push_back(std::move(r)); }, counts);
  result.rows = counts.rows;
  result.rejected_by_reason = std::move(counts.rejected_by_reason);
  return result;
}

std::string format_node_stats(const NodeListResult& result, const TraceOptions& options) {
  std::map<std::string, std::uint64_t> gpus_by_model, nodes_by_model;
  std::map<std::uint32_t, std::uint64_t> nodes_by_gpus;
  std::uint64_t gpus = 0;
  for (const TraceRecord& n : result.nodes) {
    ++nodes_by_gpus[n.gpus];
    if (n.gpus == 0) continue;
    gpus += n.gpus;
    gpus_by_model[n.gpu_types.front()] += n.gpus;
    ++nodes_by_model[n.gpu_types.front()];
  }
  std::uint64_t rejected = 0;
  for (const auto& [reason, n] : result.rejected_by_reason) rejected += n;
  std::string out = fmt::format("node list {} (format {})\n", options.display_path, options.format);
  out += fmt::format("  rows              {} read, {} nodes, {} rejected\n", result.rows,
                     result.nodes.size(), rejected);
  out += fmt::format("  GPUs              {} on {} GPU nodes ({} CPU-only nodes)\n", gpus,
                     result.nodes.size() - nodes_by_gpus[0], nodes_by_gpus[0]);
  out += "  GPUs by model    ";
  for (const auto& [model, n] : gpus_by_model) {
    out += fmt::format(" {}:{} ({} nodes)", model, n, nodes_by_model[model]);
  }
  out += "\n  nodes by GPUs    ";
  for (const auto& [g, n] : nodes_by_gpus) out += fmt::format(" {}:{}", g, n);
  return out + "\n";
}

namespace detail {

std::optional<TraceRowError> node_record(const std::string& name, const std::string& gpus_field,
                                         const std::string& gpus, const std::string& model,
                                         TraceRecord& out) {
  out.name = name;
  if (auto e = parse_count(gpus_field, gpus, 0, 64, out.gpus)) return e;
  if (out.gpus > 0) {
    if (model.empty()) return TraceRowError{gpus_field, "a node with GPUs but no GPU model"};
    out.gpu_types = {model};
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace fleetsim
