#include "sim/metrics/fragmentation_meter.hpp"

namespace fleetsim {

void FragmentationMeter::on_arrival(const Job& job, SimTime /*now*/) {
  if (!job.spec.is_replica()) mix_.add(job.spec);
}

void FragmentationMeter::on_sample(const SampleState& /*state*/) {
  if (!mix_.has_shares()) return;
  const Topology& topo = index_->topology();
  const std::vector<TaskClass>& mix = mix_.classes();
  for (std::size_t n = 0; n < topo.nodes().size(); ++n) {
    const NodeId node{n};
    node_room(*index_, node, room_);
    for (std::uint32_t r : room_) unallocated_milli_ += r;
    fragmented_milli_ += node_fragment(room_, topo.node(node).type, mix);
  }
  ++samples_;
}

FragmentationSummary FragmentationMeter::summary() const {
  FragmentationSummary s;
  s.samples = samples_;
  if (samples_ == 0) return s;
  const auto n = static_cast<double>(samples_);
  s.mean_fragmented_gpus = fragmented_milli_ / 1000.0 / n;
  s.mean_unallocated_gpus = unallocated_milli_ / 1000.0 / n;
  s.fragment_rate = unallocated_milli_ > 0 ? fragmented_milli_ / unallocated_milli_ : 0.0;
  return s;
}

}  // namespace fleetsim
