#include "sim/workload/site_directory.hpp"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace fleetsim {

std::optional<SiteId> SiteDirectory::find(const std::string& name) const {
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    if (sites_[s].name == name) return SiteId{s};
  }
  return std::nullopt;
}

std::uint64_t SiteDirectory::mask_of(const std::string& place) const {
  std::uint64_t mask = 0;
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    if (sites_[s].country == place || sites_[s].region == place) mask |= std::uint64_t{1} << s;
  }
  return mask;
}

std::uint64_t SiteDirectory::same_country(SiteId site) const {
  return mask_of(sites_[site.index()].country);
}

std::string SiteDirectory::names() const {
  std::vector<std::string> out;
  for (const SiteName& s : sites_) out.push_back(s.name);
  return fmt::format("{}", fmt::join(out, ", "));
}

std::string SiteDirectory::places() const {
  std::set<std::string> out;
  for (const SiteName& s : sites_) {
    if (!s.country.empty()) out.insert(s.country);
    if (!s.region.empty()) out.insert(s.region);
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace fleetsim
