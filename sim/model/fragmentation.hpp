// The fragmentation measure of FGD: Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC 2023, section 3.
//
// A task asks for d milli-GPUs: d < 1000 is a share of one GPU, d >= 1000 is d / 1000 whole GPUs.
// A node's GPUs have r_i milli-GPUs unallocated (1000 free, 1000 - used when shared, 0 when held
// whole or unusable). For a task of demand d, the node's fragment F_n(d) is the GPU capacity the
// task cannot use:
//   - all of it, sum r_i, when the task cannot run on the node (too few free GPUs, no GPU with
//     room for its share, or a GPU type it may not use);
//   - else the GPUs with r_i < min(d, 1000): partly used GPUs for a whole-GPU task, GPUs with
//     less room than its share for a fractional one.
// For a target workload M of task classes with popularity p_m, F_n(M) = sum_m p_m F_n(d_m); a
// fleet's fragmentation is the sum over its nodes. FGD places each task where F grows least.
// Not modelled: the paper's CPU dimension (a task that cannot get its CPUs on a node) and
// CPU-only tasks; our jobs ask for GPUs only.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/fleet/capacity_index.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

struct TaskClass {
  std::uint32_t demand_milli = 1000;  // < 1000: a share of one GPU; else whole GPUs x 1000
  std::uint64_t types = ~std::uint64_t{0};  // bit t = GPU type t allowed
  double popularity = 0;  // share of the workload's tasks, summing to 1 over the mix
};

// The target workload M: task classes counted as jobs arrive, popularity = count / total.
class TaskMix {
 public:
  void add(const JobSpec& job);
  bool empty() const { return total_ == 0; }
  bool has_shares() const { return shares_ > 0; }
  // Classes in (demand, types) order, popularity normalised. Rebuilt after an add().
  const std::vector<TaskClass>& classes() const;

 private:
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t shares_ = 0;
  mutable std::vector<TaskClass> classes_;
  mutable bool stale_ = true;
};

// F_n(d) for one task class on GPUs with `room` milli-GPUs unallocated each, of GPU type
// `type`. In milli-GPUs.
double class_fragment(std::span<const std::uint32_t> room, GpuTypeId type, const TaskClass& task);
// F_n(M) = sum over classes of popularity x class_fragment. In milli-GPUs.
double node_fragment(std::span<const std::uint32_t> room, GpuTypeId type,
                     const std::vector<TaskClass>& mix);
// The node's r_i as the capacity index has them (free 1000, shared 1000 - used, else 0; a
// GPU no share may go on, when shared, 0). Appends to `out` after clearing it.
void node_room(const CapacityIndex& index, NodeId node, std::vector<std::uint32_t>& out);

}  // namespace fleetsim
