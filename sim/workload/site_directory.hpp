// The fleet's sites by name, country and region, for workloads that name them: a job's data
// site, and its residency (countries or regions) resolved to a mask of allowed sites.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"

namespace fleetsim {

struct SiteName {
  std::string name;
  std::string country;
  std::string region;
};

class SiteDirectory {
 public:
  SiteDirectory() = default;
  explicit SiteDirectory(std::vector<SiteName> sites) : sites_(std::move(sites)) {}

  std::size_t size() const { return sites_.size(); }
  std::optional<SiteId> find(const std::string& name) const;
  // Sites whose country or region is `place` (0 if none).
  std::uint64_t mask_of(const std::string& place) const;
  // Sites in the same country as `site`.
  std::uint64_t same_country(SiteId site) const;
  std::string names() const;   // "a, b, c" for error messages
  std::string places() const;  // every country and region, for error messages

 private:
  std::vector<SiteName> sites_;
};

}  // namespace fleetsim
