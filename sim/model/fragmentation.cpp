#include "sim/model/fragmentation.hpp"

#include <algorithm>

namespace fleetsim {

void TaskMix::add(const JobSpec& job) {
  std::uint64_t types = job.allowed_types.empty() ? ~std::uint64_t{0} : 0;
  for (GpuTypeId t : job.allowed_types) {
    if (t.index() < 64) types |= std::uint64_t{1} << t.index();
  }
  const std::uint32_t demand = job.gpu_milli < 1000 ? job.gpu_milli : job.gpus * 1000;
  ++counts_[{demand, types}];
  ++total_;
  if (job.gpu_milli < 1000) ++shares_;
  stale_ = true;
}

const std::vector<TaskClass>& TaskMix::classes() const {
  if (stale_) {
    classes_.clear();
    for (const auto& [key, count] : counts_) {
      classes_.push_back({key.first, key.second,
                          static_cast<double>(count) / static_cast<double>(total_)});
    }
    stale_ = false;
  }
  return classes_;
}

double class_fragment(std::span<const std::uint32_t> room, GpuTypeId type,
                      const TaskClass& task) {
  std::uint64_t all = 0, fragment = 0;
  std::uint32_t free_gpus = 0;
  bool share_fits = false;
  const std::uint32_t usable = std::min<std::uint32_t>(task.demand_milli, 1000);
  for (std::uint32_t r : room) {
    all += r;
    if (r < usable) fragment += r;
    free_gpus += r == 1000;
    share_fits = share_fits || r >= task.demand_milli;
  }
  const bool type_ok = type.index() >= 64 || (task.types >> type.index() & 1U) != 0;
  const bool runs = type_ok && (task.demand_milli < 1000 ? share_fits
                                                         : free_gpus * 1000 >= task.demand_milli);
  return static_cast<double>(runs ? fragment : all);
}

double node_fragment(std::span<const std::uint32_t> room, GpuTypeId type,
                     const std::vector<TaskClass>& mix) {
  double f = 0;
  for (const TaskClass& task : mix) f += task.popularity * class_fragment(room, type, task);
  return f;
}

void node_room(const CapacityIndex& index, NodeId node, std::vector<std::uint32_t>& out) {
  const std::uint32_t gpus = index.topology().node(node).gpu_count;
  const std::uint64_t free = index.free_mask(node);
  const std::uint64_t shared = index.shared_mask(node) & ~index.unshareable_mask(node);
  out.clear();
  for (std::uint32_t g = 0; g < gpus; ++g) {
    if ((free >> g & 1U) != 0) {
      out.push_back(1000);
    } else if ((shared >> g & 1U) != 0) {
      out.push_back(1000 - index.share_used(node, g));
    } else {
      out.push_back(0);
    }
  }
}

}  // namespace fleetsim
