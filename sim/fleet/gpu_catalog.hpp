// GPU types with their spec numbers, and the relative-throughput matrix job class x GPU type
// (heterogeneity, as in Gavel). Durations in workloads are at the catalog's reference type.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"

namespace fleetsim {

struct GpuType {
  std::string name;
  double bf16_tflops = 0;  // dense
  double hbm_gb = 0;
  double tdp_w = 0;
  double idle_w = 0;
  // The rest of the IT draw per GPU while its node is powered (CPUs, NICs, switches, fans):
  // rack IT power / GPUs per rack - TDP.
  double overhead_w = 0;
  // Speed relative to the reference type, per job class; "default" applies to unlisted classes.
  // When a type lists nothing, its speed is bf16_tflops / reference bf16_tflops.
  std::map<std::string, double> relative_speed;
};

class GpuCatalog {
 public:
  // Precondition: names are unique; `reference` names one of the types.
  GpuCatalog(std::vector<GpuType> types, std::string reference);
  GpuCatalog() = default;

  std::size_t size() const { return types_.size(); }
  const GpuType& type(GpuTypeId id) const { return types_[id.index()]; }
  const std::vector<GpuType>& types() const { return types_; }
  std::optional<GpuTypeId> find(const std::string& name) const;
  GpuTypeId reference() const { return reference_; }

  // How much faster a job of `job_class` runs per GPU of `type` than on the reference type.
  double speed(GpuTypeId type, const std::string& job_class) const;

 private:
  std::vector<GpuType> types_;
  GpuTypeId reference_{0};
};

}  // namespace fleetsim
