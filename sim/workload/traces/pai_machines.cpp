// Alibaba PAI 2020 machine spec (traces README section 2): no header; the columns are
// machine,gpu_type,cap_cpu,cap_mem,cap_gpu (pai_machine_spec.header). CPU machines have cap_gpu 0.
#include "sim/workload/traces/node_list.hpp"

namespace fleetsim::detail {
namespace {

class Parser final : public TraceRowParser {
 public:
  std::optional<TraceRowError> parse(const std::vector<std::string>& cells,
                                     TraceRecord& out) const override {
    return node_record(cells[0], "cap_gpu", cells[4], cells[1], out);
  }
};

}  // namespace

TraceFormat pai_machines_format() {
  return {
      .name = "pai_machines",
      .summary =
          "Alibaba PAI 2020 machine spec (no header): machine, gpu_type, cap_cpu, cap_mem, cap_gpu",
      .separator = ',',
      .header = {},
      .fields = 5,
      .has_status = false,
      .extra_options = {},
      .make = [](const TraceOptions&) { return std::make_unique<Parser>(); }};
}

}  // namespace fleetsim::detail
