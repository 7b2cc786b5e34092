#include "sim/io/residency_config.hpp"

namespace fleetsim {

std::uint64_t load_residency(const ConfigNode& list, const SiteDirectory& sites,
                             std::vector<std::string>& names) {
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string place = list[i].as_string();
    const std::uint64_t m = sites.mask_of(place);
    if (m == 0) {
      throw list[i].error("no site of the fleet is in \"{}\"; its countries and regions: {}",
                          place, sites.places());
    }
    mask |= m;
    names.push_back(place);
  }
  if (names.empty()) throw list.error("expected at least one country or region");
  return mask;
}

}  // namespace fleetsim
