// Alibaba spot-GPU cluster node list, 2026 (traces README section 4):
// gpu_model,gpu_capacity_num,cpu_num,node_name.
#include "sim/workload/traces/node_list.hpp"

namespace fleetsim::detail {
namespace {

class Parser final : public TraceRowParser {
 public:
  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    return node_record(cells[3], "gpu_capacity_num", cells[1], cells[0], out);
  }
};

}  // namespace

TraceFormat spot_nodes_format() {
  return {
      .name = "spot_nodes",
      .summary = "Alibaba spot-GPU 2026 node list: gpu_model, gpu_capacity_num, cpu_num, node_name",
      .separator = ',',
      .header = {"gpu_model", "gpu_capacity_num", "cpu_num", "node_name"},
      .fields = 4,
      .has_status = false,
      .extra_options = {},
      .make = [](const TraceOptions&) { return std::make_unique<Parser>(); }};
}

}  // namespace fleetsim::detail
