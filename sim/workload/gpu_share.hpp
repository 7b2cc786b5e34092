// The rule every workload keeps for a fractional GPU request (JobSpec::gpu_milli < 1000: the
// openb trace's GPU sharing, as in the FGD paper): a share is of ONE GPU, so the job is a rigid
// gang of one. Trace readers reject a row that breaks it; the generator never makes one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fleetsim {

constexpr std::uint32_t kMilliPerGpu = 1000;  // gpu_milli of a whole GPU

// Why a job of `gpus` GPUs, elastic over min_gpus..max_gpus (0: `gpus`), may not ask for
// `gpu_milli` thousandths of a GPU; nullopt when it may (whole GPUs always may).
std::optional<std::string> gpu_share_problem(std::uint32_t gpu_milli, std::uint32_t gpus,
                                             std::uint32_t min_gpus = 0,
                                             std::uint32_t max_gpus = 0);

}  // namespace fleetsim
