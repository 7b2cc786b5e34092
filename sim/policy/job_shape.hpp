// What decides whether a job fits in the free capacity of a pass, apart from the power it draws:
// its gang size (and share of a GPU), GPU types, allowed sites and, when it stages data, its data site. Two queued jobs
// of one shape either both fit or both do not; and while a pass only takes capacity, a shape that
// failed keeps failing. FreeCapacity remembers failed shapes with it, and the FIFO walk skips the
// rest of a failed shape's jobs (queued_by_shape.hpp).
#pragma once

#include <cstdint>
#include <optional>

#include "sim/workload/job.hpp"

namespace fleetsim {

struct JobShape {
  std::uint64_t sites = 0;
  std::uint64_t types = 0;  // bit t = GPU type t allowed (all bits: any type)
  std::uint32_t gpus = 0;
  std::uint32_t data_site = ~std::uint32_t{0};  // only when the job stages data
  std::uint32_t gpu_milli = 1000;               // a fractional job's share of its one GPU
  auto operator<=>(const JobShape&) const = default;

  // Nullopt when the job's types do not fit the 64-bit mask: such a job shares no shape.
  static std::optional<JobShape> of(const JobSpec& job) {
    JobShape s{job.allowed_sites, job.allowed_types.empty() ? ~std::uint64_t{0} : 0, job.gpus};
    for (GpuTypeId t : job.allowed_types) {
      if (t.index() >= 64) return std::nullopt;
      s.types |= std::uint64_t{1} << t.index();
    }
    if (job.stages_data()) s.data_site = static_cast<std::uint32_t>(job.data_site.index());
    s.gpu_milli = job.gpu_milli;
    return s;
  }
};

// What a queue index buckets waiting jobs by: their shape (with the gang the policy starts them
// on) and GPU utilisation, which decides the power they need. A job without a shape gets a
// bucket of its own (`own` valid).
struct ShapeKey {
  JobShape shape;
  float gpu_utilisation = 0;
  JobId own;
  auto operator<=>(const ShapeKey&) const = default;

  // `gpus`: the gang the policy starts the job on (elastic admission: its minimum).
  static ShapeKey of(const JobSpec& job, JobId id) { return of(job, id, job.gpus); }
  static ShapeKey of(const JobSpec& job, JobId id, std::uint32_t gpus) {
    if (std::optional<JobShape> shape = JobShape::of(job)) {
      shape->gpus = gpus;
      return {*shape, job.gpu_utilisation, JobId{}};
    }
    return {JobShape{.gpus = gpus}, job.gpu_utilisation, id};
  }
};

}  // namespace fleetsim
