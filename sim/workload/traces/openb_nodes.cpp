// Alibaba openb 2023 node inventory (traces README section 1): sn,cpu_milli,memory_mib,gpu,model.
// gpu is GPUs per node (0 for CPU nodes, whose model is empty).
#include "sim/workload/traces/node_list.hpp"

namespace fleetsim::detail {
namespace {

class Parser final : public TraceRowParser {
 public:
  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    return node_record(cells[0], "gpu", cells[3], cells[4], out);
  }
};

}  // namespace

TraceFormat openb_nodes_format() {
  return {.name = "openb_nodes",
          .summary = "Alibaba openb 2023 node list: sn, cpu_milli, memory_mib, gpu (count), model",
          .separator = ',',
          .header = {"sn", "cpu_milli", "memory_mib", "gpu", "model"},
          .fields = 5,
          .has_status = false,
          .extra_options = {},
          .make = [](const TraceOptions&) { return std::make_unique<Parser>(); }};
}

}  // namespace fleetsim::detail
