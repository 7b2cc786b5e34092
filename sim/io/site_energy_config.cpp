#include "sim/io/site_energy_config.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <boost/tokenizer.hpp>
#include <fmt/format.h>

#include "sim/io/path_resolution.hpp"
#include "sim/io/utc_time.hpp"
#include "sim/workload/traces/line_reader.hpp"

namespace fleetsim {
namespace {

std::int64_t as_utc(const ConfigNode& node) {
  const std::optional<std::int64_t> t = parse_utc(node.as_string());
  if (!t) {
    throw node.error("expected a UTC date such as 2026-03-01 or 2026-03-01T06:00, got \"{}\"",
                     node.as_string());
  }
  return *t;
}

// A CSV of `utc,value` rows (header first), values >= 0 (> 0 if `positive`), times strictly
// ascending.
void load_profile_csv(const ConfigNode& path_node, bool positive, ProfileConfig& out) {
  out.csv_path = resolve_relative(path_node.file(), path_node.as_string());
  std::optional<LineReader> in;  // bounded lines, plain or gzip
  try {
    in.emplace(out.csv_path, out.csv_path);
  } catch (const ConfigError&) {
    throw path_node.error("cannot open profile file {}", out.csv_path);
  }
  using Tokenizer = boost::tokenizer<boost::escaped_list_separator<char>>;
  std::string line;
  int line_no = 0;
  const auto row_error = [&](const std::string& field, const std::string& message) {
    return ConfigError({out.csv_path, line_no, 0}, field, message);
  };
  while (in->next(line)) {
    line_no = static_cast<int>(in->line_number());
    if (line.empty()) continue;
    std::vector<std::string> cells;
    try {
      Tokenizer tokens(line);
      cells.assign(tokens.begin(), tokens.end());
    } catch (const boost::escaped_list_error& e) {
      throw row_error("", fmt::format("malformed CSV: {}", e.what()));
    }
    if (line_no == 1) {
      if (cells != std::vector<std::string>{"utc", "value"}) {
        throw row_error("", "expected the header \"utc,value\"");
      }
      continue;
    }
    if (cells.size() != 2) {
      throw row_error("", fmt::format("expected 2 cells (utc,value), got {}", cells.size()));
    }
    const std::optional<std::int64_t> t = parse_utc(cells[0]);
    if (!t) throw row_error("utc", fmt::format("\"{}\" is not a UTC date and time", cells[0]));
    if (!out.series_unix_s.empty() && *t <= out.series_unix_s.back()) {
      throw row_error("utc", fmt::format("{} is not after the previous row", cells[0]));
    }
    char* end = nullptr;
    const double v = std::strtod(cells[1].c_str(), &end);
    if (cells[1].empty() || *end != '\0' || !(positive ? v > 0 : v >= 0) || !std::isfinite(v)) {
      throw row_error("value",
                      fmt::format("\"{}\" is not a number {} 0", cells[1], positive ? ">" : ">="));
    }
    out.series_unix_s.push_back(*t);
    out.series_values.push_back(v);
    out.series_lines.push_back(line_no);
  }
  if (out.series_values.empty()) throw path_node.error("profile file {} has no rows", out.csv_path);
}

// `350`, `{daily: [24 values]}` or `{csv: file}`; every value >= 0, or > 0 if `positive`.
ProfileConfig load_profile(const ConfigNode& node, bool positive = false) {
  const auto value_of = [positive](const ConfigNode& n) {
    return positive ? n.as_positive_double() : n.as_non_negative_double();
  };
  ProfileConfig out;
  if (node.is_scalar()) {
    out.value = value_of(node);
    return out;
  }
  if (!node.is_map()) throw node.error("expected a number, {{daily: [24 values]}} or {{csv: file}}");
  node.check_keys({"daily", "csv"});
  if (node.has("daily") == node.has("csv")) {
    throw node.error("expected exactly one of daily or csv");
  }
  if (auto daily = node.find("daily")) {
    if (daily->size() != 24) {
      throw daily->error("expected 24 hourly values (local time), got {}", daily->size());
    }
    out.kind = ProfileConfig::Kind::Daily;
    for (std::size_t h = 0; h < 24; ++h) out.hourly[h] = value_of((*daily)[h]);
  } else {
    out.kind = ProfileConfig::Kind::Series;
    load_profile_csv(node.at("csv"), positive, out);
  }
  return out;
}

std::uint64_t rack_count(const ClusterConfig& c) {
  std::uint64_t n = 0;
  for (const RackGroupConfig& g : c.racks) n += g.count;
  return n;
}

const ClusterConfig& find_cluster(const ConfigNode& node, const SiteConfig& site) {
  const std::string name = node.as_string();
  for (const ClusterConfig& c : site.clusters) {
    if (c.name == name) return c;
  }
  throw node.error("site {} has no cluster \"{}\"", site.name, name);
}

StepProfile build_profile(const ProfileConfig& p, double utc_offset_h, std::int64_t start_unix_s) {
  switch (p.kind) {
    case ProfileConfig::Kind::Constant: return StepProfile::constant(p.value);
    case ProfileConfig::Kind::Daily: {
      const auto local_s = static_cast<std::int64_t>(
          std::llround(static_cast<double>(start_unix_s) + utc_offset_h * 3600));
      const std::int64_t of_day = ((local_s % 86400) + 86400) % 86400;
      return StepProfile::daily(p.hourly, of_day * kMicrosPerSecond);
    }
    case ProfileConfig::Kind::Series: {
      std::vector<SimTime> times;
      for (std::int64_t t : p.series_unix_s) times.push_back((t - start_unix_s) * kMicrosPerSecond);
      return StepProfile::series(std::move(times), p.series_values);
    }
  }
  return {};
}

SimTime to_sim_time(std::int64_t unix_s, std::int64_t start_unix_s) {
  return std::max<std::int64_t>(0, unix_s - start_unix_s) * kMicrosPerSecond;
}

}  // namespace

void load_site_energy(const ConfigNode& site, SiteConfig& out) {
  if (auto cap = site.find("power_cap_mw")) out.power_cap_mw = load_profile(*cap, true);
  if (auto pue = site.find("pue")) {
    out.pue = pue->as_positive_double();
    if (out.pue < 1) throw pue->error("a PUE is at least 1, got {}", out.pue);
  }
  if (auto offset = site.find("utc_offset_h")) {
    out.utc_offset_h = offset->as_double();
    if (std::abs(out.utc_offset_h) > 14) {
      throw offset->error("expected an offset in [-14, 14] hours, got {}", out.utc_offset_h);
    }
  }
  if (auto carbon = site.find("carbon_g_per_kwh")) out.carbon_g_per_kwh = load_profile(*carbon);
  if (auto price = site.find("price_usd_per_mwh")) out.price_usd_per_mwh = load_profile(*price);

  if (auto list = site.find("build_out")) {
    std::map<std::string, std::uint64_t> brought;  // racks per cluster so far
    std::map<std::string, std::int64_t> last_date;
    std::map<std::string, bool> closed;  // an entry without `racks` brought the rest
    for (std::size_t i = 0; i < list->size(); ++i) {
      const ConfigNode e = (*list)[i];
      e.check_keys({"cluster", "racks", "online"});
      const ClusterConfig& cluster = find_cluster(e.at("cluster"), out);
      BuildOutConfig b{cluster.name, 0, e.at("online").as_string(), as_utc(e.at("online"))};
      const std::uint64_t total = rack_count(cluster);
      if (closed[b.cluster]) {
        throw e.error("cluster {} is fully built by an earlier entry", b.cluster);
      }
      if (last_date.contains(b.cluster) && b.online_unix_s < last_date[b.cluster]) {
        throw e.at("online").error("build-out entries of cluster {} must be in date order",
                                   b.cluster);
      }
      last_date[b.cluster] = b.online_unix_s;
      if (auto racks = e.find("racks")) {
        b.racks = static_cast<std::uint32_t>(std::min<std::uint64_t>(racks->as_positive_int(), 1u << 30));
        if (brought[b.cluster] + b.racks > total) {
          throw racks->error("cluster {} has {} racks; its build-out entries bring {}", b.cluster,
                             total, brought[b.cluster] + b.racks);
        }
      } else {
        b.racks = static_cast<std::uint32_t>(total - brought[b.cluster]);
        closed[b.cluster] = true;
      }
      brought[b.cluster] += b.racks;
      out.build_out.push_back(std::move(b));
    }
    for (const auto& [cluster, racks] : brought) {
      if (!closed[cluster]) {
        const ClusterConfig* c = nullptr;
        for (const ClusterConfig& cc : out.clusters) if (cc.name == cluster) c = &cc;
        if (racks < rack_count(*c)) {
          throw list->error("build-out of cluster {} brings {} of its {} racks online; end with "
                            "an entry without racks for the rest",
                            cluster, racks, rack_count(*c));
        }
      }
    }
  }
  if (auto list = site.find("maintenance")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const ConfigNode e = (*list)[i];
      e.check_keys({"cluster", "racks", "start", "hours"});
      const ClusterConfig& cluster = find_cluster(e.at("cluster"), out);
      MaintenanceConfig m{cluster.name, 0, e.at("start").as_string(), as_utc(e.at("start")),
                          e.at("hours").as_positive_double()};
      if (auto racks = e.find("racks")) {
        m.racks = static_cast<std::uint32_t>(std::min<std::uint64_t>(racks->as_positive_int(), 1u << 30));
        if (m.racks > rack_count(cluster)) {
          throw racks->error("cluster {} has {} racks, not {}", m.cluster, rack_count(cluster),
                             m.racks);
        }
      }
      out.maintenance.push_back(std::move(m));
    }
  }
}

void load_wan(const ConfigNode& root, FleetConfig& out) {
  std::set<std::string> names;
  for (const SiteConfig& s : out.sites) names.insert(s.name);
  if (auto wan = root.find("wan")) {
    wan->check_keys({"links"});
    const ConfigNode links = wan->at("links");
    for (std::size_t i = 0; i < links.size(); ++i) {
      const ConfigNode l = links[i];
      l.check_keys({"a", "b", "rtt_ms", "bandwidth_gbps"});
      WanLinkConfig link{l.at("a").as_string(), l.at("b").as_string(),
                         l.at("rtt_ms").as_non_negative_double(),
                         l.at("bandwidth_gbps").as_positive_double()};
      for (const char* end : {"a", "b"}) {
        const std::string& name = std::string_view(end) == "a" ? link.a : link.b;
        if (!names.contains(name)) {
          throw l.at(end).error("unknown site \"{}\"; the fleet has: {}", name,
                                fmt::join(names, ", "));
        }
      }
      if (link.a == link.b) throw l.at("b").error("a link joins two different sites");
      out.wan.push_back(std::move(link));
    }
  }
  if (auto cross = root.find("cross_site_gangs")) {
    cross->check_keys({"allowed", "max_rtt_ms", "half_speed_rtt_ms", "split"});
    out.cross_site.allowed = cross->at("allowed").as_bool();
    if (out.cross_site.allowed) {
      out.cross_site.max_rtt_ms = cross->at("max_rtt_ms").as_positive_double();
      out.cross_site.half_speed_rtt_ms = cross->at("half_speed_rtt_ms").as_positive_double();
      if (auto split = cross->find("split")) {
        const std::string when = split->as_string();
        if (when == "when_blocked") {
          out.cross_site.split = CrossSiteGangs::Split::WhenBlocked;
        } else if (when != "oversized") {
          throw split->error("expected one of oversized, when_blocked, got \"{}\"", when);
        }
      }
    }
  }
}

void build_site_energy(const FleetConfig& config, std::int64_t start_unix_s, Fleet& fleet) {
  const Topology& topo = fleet.topology;
  std::map<std::string, SiteId> site_ids;
  std::map<std::string, ClusterId> cluster_ids;
  for (std::size_t s = 0; s < topo.sites().size(); ++s) site_ids[topo.site(SiteId{s}).name] = SiteId{s};
  for (std::size_t c = 0; c < topo.clusters().size(); ++c) {
    cluster_ids[topo.cluster(ClusterId{c}).name] = ClusterId{c};
  }
  for (const SiteConfig& sc : config.sites) {
    SiteEnergy e;
    if (sc.power_cap_mw) {
      e.it_cap_mw = build_profile(*sc.power_cap_mw, sc.utc_offset_h, start_unix_s);
    }
    e.pue = sc.pue;
    e.carbon_g_per_kwh = build_profile(sc.carbon_g_per_kwh, sc.utc_offset_h, start_unix_s);
    e.price_usd_per_mwh = build_profile(sc.price_usd_per_mwh, sc.utc_offset_h, start_unix_s);
    fleet.site_energy.push_back(std::move(e));

    std::map<std::string, std::uint32_t> built;  // racks of each cluster already listed
    for (const BuildOutConfig& b : sc.build_out) {
      const Cluster& cluster = topo.cluster(cluster_ids.at(b.cluster));
      const SimTime at = to_sim_time(b.online_unix_s, start_unix_s);
      if (at > 0) {
        fleet.capacity_windows.push_back({CapacityWindow::Cause::BuildOut, 0, at,
                                          RackId{cluster.first_rack.value + built[b.cluster]},
                                          b.racks});
      }
      built[b.cluster] += b.racks;
    }
    for (const MaintenanceConfig& m : sc.maintenance) {
      const Cluster& cluster = topo.cluster(cluster_ids.at(m.cluster));
      const std::int64_t end_unix_s = m.start_unix_s + std::llround(m.hours * 3600);
      if (end_unix_s <= start_unix_s) continue;  // over before the run starts
      fleet.capacity_windows.push_back({CapacityWindow::Cause::Maintenance,
                                        to_sim_time(m.start_unix_s, start_unix_s),
                                        to_sim_time(end_unix_s, start_unix_s), cluster.first_rack,
                                        m.racks == 0 ? cluster.rack_count : m.racks});
    }
  }
  std::vector<WanLink> links;
  for (const WanLinkConfig& l : config.wan) {
    links.push_back({site_ids.at(l.a), site_ids.at(l.b), l.rtt_ms, l.bandwidth_gbps});
  }
  fleet.wan = WanGraph(topo.sites().size(), std::move(links));
  fleet.cross_site = config.cross_site;
}

}  // namespace fleetsim
