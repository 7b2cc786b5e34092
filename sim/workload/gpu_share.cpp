#include "sim/workload/gpu_share.hpp"

#include <fmt/format.h>

namespace fleetsim {

std::optional<std::string> gpu_share_problem(std::uint32_t gpu_milli, std::uint32_t gpus,
                                             std::uint32_t min_gpus, std::uint32_t max_gpus) {
  if (gpu_milli >= kMilliPerGpu) return std::nullopt;
  if (gpus != 1) return fmt::format("a GPU share is of one GPU; gpus is {}", gpus);
  const std::uint32_t low = min_gpus == 0 ? gpus : min_gpus;
  const std::uint32_t high = max_gpus == 0 ? gpus : max_gpus;
  if (low != high) {
    return fmt::format("a GPU share is of one GPU; the job is elastic (min_gpus {}, max_gpus {})",
                       low, high);
  }
  return std::nullopt;
}

}  // namespace fleetsim
