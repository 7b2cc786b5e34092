#include "sim/fleet/wan_graph.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include "sim/core/error.hpp"

namespace fleetsim {
namespace {

struct LinkProps {
  double rtt_ms = 0;
  double gbps = 0;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                    boost::no_property, LinkProps>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

WanGraph::WanGraph(std::size_t site_count, std::vector<WanLink> links)
    : sites_(site_count),
      links_(std::move(links)),
      rtt_ms_(site_count * site_count, kInf),
      widest_gbps_(site_count * site_count, 0),
      widest_rtt_ms_(site_count * site_count, kInf) {
  Graph g(site_count);
  for (const WanLink& l : links_) {
    FLEETSIM_CHECK(l.a.index() < site_count && l.b.index() < site_count && l.rtt_ms >= 0 &&
                       l.bandwidth_gbps > 0,
                   "bad WAN link {}-{}", l.a.value, l.b.value);
    boost::add_edge(l.a.index(), l.b.index(), LinkProps{l.rtt_ms, l.bandwidth_gbps}, g);
  }
  std::vector<double> dist(site_count);
  std::vector<Vertex> pred(site_count);
  for (std::size_t s = 0; s < site_count; ++s) {
    boost::dijkstra_shortest_paths(
        g, s,
        boost::weight_map(boost::get(&LinkProps::rtt_ms, g)).distance_map(dist.data()).distance_inf(kInf));
    std::copy(dist.begin(), dist.end(), rtt_ms_.begin() + static_cast<std::ptrdiff_t>(s * sites_));

    // Widest path: a path's "length" is its narrowest link, and wider is better. Dijkstra holds
    // for this (min, >) algebra: the unreached value is 0 bandwidth, the source's is infinite.
    boost::dijkstra_shortest_paths(
        g, s,
        boost::weight_map(boost::get(&LinkProps::gbps, g))
            .distance_map(dist.data())
            .predecessor_map(pred.data())
            .distance_compare(std::greater<double>())
            .distance_combine([](double a, double b) { return std::min(a, b); })
            .distance_inf(0.0)
            .distance_zero(kInf));
    for (std::size_t t = 0; t < site_count; ++t) {
      if (t == s) {
        widest_gbps_[s * sites_ + t] = kInf;
        widest_rtt_ms_[s * sites_ + t] = 0;
        continue;
      }
      if (dist[t] <= 0) continue;  // unreachable
      widest_gbps_[s * sites_ + t] = dist[t];
      // Walk the path back; between two sites take the link the path's width allows with the
      // lowest RTT (parallel links).
      double rtt = 0;
      for (Vertex v = t; v != s; v = pred[v]) {
        double best = kInf;
        for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
          if (boost::target(*e, g) == pred[v] && g[*e].gbps >= dist[t]) {
            best = std::min(best, g[*e].rtt_ms);
          }
        }
        rtt += best;
      }
      widest_rtt_ms_[s * sites_ + t] = rtt;
    }
  }
}

bool WanGraph::reachable(SiteId from, SiteId to) const {
  return from == to || std::isfinite(rtt_ms(from, to));
}

Duration WanGraph::staging_time(SiteId from, SiteId to, double gigabytes) const {
  if (from == to || gigabytes <= 0) return 0;
  if (!reachable(from, to)) return kTimeNever;
  const double seconds =
      widest_path_rtt_ms(from, to) / 1e3 + gigabytes * 8.0 / bottleneck_gbps(from, to);
  return static_cast<Duration>(std::ceil(seconds * 1e6));
}

}  // namespace fleetsim
