// The wide-area network between sites: links with a round-trip time and a bandwidth. All-pairs
// paths are computed once, with Boost.Graph's Dijkstra: the lowest-RTT path (what a cross-site
// gang or a user request pays) and the widest path, the one with the largest bottleneck bandwidth
// (what a bulk data transfer uses).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/time.hpp"

namespace fleetsim {

struct WanLink {
  SiteId a, b;  // undirected
  double rtt_ms = 0;
  double bandwidth_gbps = 0;
};

class WanGraph {
 public:
  WanGraph() = default;  // no sites, no links
  // Precondition: link endpoints < site_count, rtt_ms >= 0, bandwidth_gbps > 0.
  WanGraph(std::size_t site_count, std::vector<WanLink> links);

  const std::vector<WanLink>& links() const { return links_; }
  bool reachable(SiteId from, SiteId to) const;
  // Sum of RTTs on the lowest-RTT path; 0 from a site to itself. Precondition: reachable.
  double rtt_ms(SiteId from, SiteId to) const { return at(rtt_ms_, from, to); }
  // Bottleneck bandwidth of the widest path. Precondition: reachable and from != to.
  double bottleneck_gbps(SiteId from, SiteId to) const { return at(widest_gbps_, from, to); }
  // Sum of RTTs along that widest path.
  double widest_path_rtt_ms(SiteId from, SiteId to) const { return at(widest_rtt_ms_, from, to); }
  // Time to move `gigabytes` from one site to another over the widest path: one round trip to
  // set the transfer up, then size / bottleneck bandwidth. 0 within a site or for no data;
  // kTimeNever when no path connects the sites.
  Duration staging_time(SiteId from, SiteId to, double gigabytes) const;

 private:
  double at(const std::vector<double>& m, SiteId from, SiteId to) const {
    return m[from.index() * sites_ + to.index()];
  }

  std::size_t sites_ = 0;
  std::vector<WanLink> links_;
  std::vector<double> rtt_ms_;         // [from * sites + to]; infinity when unreachable
  std::vector<double> widest_gbps_;    // 0 when unreachable
  std::vector<double> widest_rtt_ms_;
};

}  // namespace fleetsim
