#include "sim/fleet/gpu_catalog.hpp"

#include "sim/core/error.hpp"

namespace fleetsim {

GpuCatalog::GpuCatalog(std::vector<GpuType> types, std::string reference)
    : types_(std::move(types)) {
  std::optional<GpuTypeId> ref = find(reference);
  FLEETSIM_CHECK(ref.has_value(), "reference GPU type {} not in catalog", reference);
  reference_ = *ref;
}

std::optional<GpuTypeId> GpuCatalog::find(const std::string& name) const {
  for (std::size_t i = 0; i < types_.size(); ++i) {
    if (types_[i].name == name) return GpuTypeId(i);
  }
  return std::nullopt;
}

double GpuCatalog::speed(GpuTypeId type, const std::string& job_class) const {
  const GpuType& t = types_[type.index()];
  // Asked at every start: a catalog without a speed matrix skips the string lookups.
  if (!t.relative_speed.empty()) {
    if (auto it = t.relative_speed.find(job_class); it != t.relative_speed.end()) return it->second;
    if (auto it = t.relative_speed.find("default"); it != t.relative_speed.end()) return it->second;
  }
  const double ref = types_[reference_.index()].bf16_tflops;
  return ref > 0 ? t.bf16_tflops / ref : 1.0;
}

}  // namespace fleetsim
