#include "sim/io/fleet_config.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "sim/io/path_resolution.hpp"
#include "sim/io/site_energy_config.hpp"
#include "sim/workload/traces/node_list.hpp"

namespace fleetsim {
namespace {

// Either the map itself, or the file a string names (relative to the referring file).
ConfigNode inline_or_file(const ConfigNode& node) {
  if (node.is_scalar()) return ConfigNode::load_file(resolve_relative(node.file(), node.as_string()));
  if (!node.is_map()) throw node.error("expected a file name or a map");
  return node;
}

std::uint32_t as_u32(const ConfigNode& node, std::uint64_t max) {
  const std::uint64_t v = node.as_positive_int();
  if (v > max) throw node.error("expected at most {}, got {}", max, v);
  return static_cast<std::uint32_t>(v);
}

void load_catalog(const ConfigNode& root, FleetConfig& out) {
  root.check_keys({"reference", "types"});
  const ConfigNode types = root.at("types");
  std::set<std::string> names;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const ConfigNode t = types[i];
    t.check_keys({"name", "bf16_tflops", "hbm_gb", "tdp_w", "idle_w", "overhead_w",
                  "relative_speed"});
    GpuType type;
    type.name = t.at("name").as_string();
    if (!names.insert(type.name).second) {
      throw t.at("name").error("GPU type \"{}\" is listed twice", type.name);
    }
    type.bf16_tflops = t.at("bf16_tflops").as_positive_double();
    type.hbm_gb = t.at("hbm_gb").as_positive_double();
    type.tdp_w = t.at("tdp_w").as_positive_double();
    type.idle_w = t.at("idle_w").as_non_negative_double();
    if (type.idle_w > type.tdp_w) {
      throw t.at("idle_w").error("idle power {} W is above the TDP {} W", type.idle_w, type.tdp_w);
    }
    type.overhead_w = t.get_non_negative("overhead_w", 0);
    if (auto speeds = t.find("relative_speed")) {
      for (const std::string& job_class : speeds->keys()) {
        type.relative_speed[job_class] = speeds->at(job_class).as_positive_double();
      }
    }
    out.gpu_types.push_back(std::move(type));
  }
  if (out.gpu_types.empty()) throw types.error("expected at least one GPU type");
  const ConfigNode ref = root.at("reference");
  out.reference_type = ref.as_string();
  if (!names.contains(out.reference_type)) {
    throw ref.error("unknown GPU type \"{}\"; the catalog lists: {}", out.reference_type,
                    fmt::join(names, ", "));
  }
}

// A site built from a public node inventory (node_list: {format, path, site, cluster, ...}):
// nodes with the same GPU type and count become one rack group, each node its own rack (the
// inventories give no NVLink domains beyond the node), in order of first appearance.
SiteConfig load_node_list_site(const ConfigNode& list, const std::set<std::string>& type_names) {
  list.check_keys({"format", "path", "bad_rows", "gpu_types", "site", "cluster", "country",
                   "region", "provider"});
  const ConfigNode format_node = list.at("format");
  const TraceFormat* format = find_node_list_format(format_node.as_string());
  if (format == nullptr) {
    throw format_node.error("unknown node-list format \"{}\"; expected one of: {}",
                            format_node.as_string(), node_list_format_names());
  }
  TraceOptions options;
  options.format = format->name;
  options.path = resolve_relative(list.file(), list.at("path").as_string());
  options.display_path = options.path;
  if (auto bad = list.find("bad_rows")) {
    if (bad->as_string() != "error" && bad->as_string() != "skip") {
      throw bad->error("expected error or skip, got \"{}\"", bad->as_string());
    }
    options.bad_rows = bad->as_string() == "skip" ? BadRows::Skip : BadRows::Error;
  }
  std::map<std::string, std::string> mapping;
  if (auto types = list.find("gpu_types")) {
    for (const std::string& model : types->keys()) {
      const ConfigNode t = types->at(model);
      if (!type_names.contains(t.as_string())) {
        throw t.error("unknown GPU type \"{}\"; the catalog lists: {}", t.as_string(),
                      fmt::join(type_names, ", "));
      }
      mapping[model] = t.as_string();
    }
  }
  const NodeListResult read = read_node_list(*format, options);
  SiteConfig site;
  site.name = list.get_string("site", "site0");
  site.country = list.get_string("country", "");
  site.region = list.get_string("region", "");
  site.provider = list.get_string("provider", "own");
  ClusterConfig cluster{list.get_string("cluster", "cluster0"), {}};
  std::uint64_t cpu_only = 0;
  for (const TraceRecord& node : read.nodes) {
    if (node.gpus == 0) {
      ++cpu_only;
      continue;
    }
    const std::string& model = node.gpu_types.front();
    const auto mapped = mapping.find(model);
    const std::string type = mapped == mapping.end() ? model : mapped->second;
    if (!type_names.contains(type)) {
      throw ConfigError::at({options.display_path, static_cast<int>(node.line), 0}, "gpu_type",
                            "GPU model \"{}\" is neither mapped (gpu_types:) nor a catalog type",
                            model);
    }
    auto group = std::find_if(cluster.racks.begin(), cluster.racks.end(), [&](const auto& g) {
      return g.gpu_type == type && g.gpus_per_node == node.gpus;
    });
    if (group == cluster.racks.end()) {
      cluster.racks.push_back({0, 1, node.gpus, type});
      group = std::prev(cluster.racks.end());
    }
    ++group->count;
  }
  if (cluster.racks.empty()) throw list.at("path").error("the node list has no GPU node");
  spdlog::info("node list {}: rows read {}, GPU nodes {}, CPU-only nodes left out {}, rejected {}",
               options.display_path, read.rows, read.nodes.size() - cpu_only, cpu_only,
               read.rows - read.nodes.size());
  site.clusters.push_back(std::move(cluster));
  return site;
}

// A cap below what the site's GPUs draw idle could never be met: bad input, not a run where
// nothing starts. A cap profile is checked at every value (the error names the hour or CSV row),
// so that shedding every job always brings a site under its cap.
void check_idle_draw_under_cap(const ConfigNode& site, const SiteConfig& sc,
                               const std::vector<GpuType>& types) {
  if (!sc.power_cap_mw) return;
  double idle_w = 0;
  for (const ClusterConfig& c : sc.clusters) {
    for (const RackGroupConfig& g : c.racks) {
      const auto type = std::find_if(types.begin(), types.end(),
                                     [&](const GpuType& t) { return t.name == g.gpu_type; });
      idle_w += static_cast<double>(g.count) * g.nodes * g.gpus_per_node *
                (type->idle_w + type->overhead_w);
    }
  }
  const double idle_mw = idle_w / 1e6;
  const auto message = [&](double cap_mw) {
    // Six significant digits: three decimals printed a 0.001152 MW draw as 0.001, "above" a
    // cap of 0.001 MW.
    return fmt::format(
        "site {}: its GPUs draw {:.6g} MW idle (idle_w + overhead_w), above its cap of {} MW",
        sc.name, idle_mw, cap_mw);
  };
  const ProfileConfig& cap = *sc.power_cap_mw;
  switch (cap.kind) {
    case ProfileConfig::Kind::Constant:
      if (idle_mw > cap.value) throw site.at("power_cap_mw").error("{}", message(cap.value));
      break;
    case ProfileConfig::Kind::Daily:
      for (std::size_t h = 0; h < 24; ++h) {
        if (idle_mw > cap.hourly[h]) {
          throw site.at("power_cap_mw").at("daily")[h].error("{} at local hour {}",
                                                             message(cap.hourly[h]), h);
        }
      }
      break;
    case ProfileConfig::Kind::Series:
      for (std::size_t i = 0; i < cap.series_values.size(); ++i) {
        if (idle_mw > cap.series_values[i]) {
          throw ConfigError({cap.csv_path, cap.series_lines[i], 0}, "value",
                            message(cap.series_values[i]));
        }
      }
      break;
  }
}

}  // namespace

FleetConfig load_fleet_config(const ConfigNode& node) {
  const ConfigNode root = inline_or_file(node);
  root.check_keys({"gpu_catalog", "span_speed", "sites", "node_list", "wan", "cross_site_gangs"});
  FleetConfig out;
  load_catalog(inline_or_file(root.at("gpu_catalog")), out);
  std::set<std::string> type_names;
  for (const GpuType& t : out.gpu_types) type_names.insert(t.name);

  if (auto span = root.find("span_speed")) {
    span->check_keys({"cross_rack", "cross_cluster"});
    for (const char* key : {"cross_rack", "cross_cluster"}) {
      if (!span->has(key)) continue;
      const ConfigNode v = span->at(key);
      const double f = v.as_positive_double();
      if (f > 1) throw v.error("expected a slowdown factor in (0, 1], got {}", f);
      (std::string_view(key) == "cross_rack" ? out.span_speed.cross_rack
                                              : out.span_speed.cross_cluster) = f;
    }
  }

  std::set<std::string> site_names, cluster_names;
  std::uint64_t fleet_gpus = 0;
  const auto add_gpus = [&](const ConfigNode& where, std::uint64_t gpus) {
    fleet_gpus += gpus;
    if (fleet_gpus > kMaxFleetGpus) {
      throw where.error("the fleet would have {} GPUs; at most {} are supported", fleet_gpus,
                        kMaxFleetGpus);
    }
  };
  if (auto list = root.find("node_list")) {
    out.sites.push_back(load_node_list_site(*list, type_names));
    for (const RackGroupConfig& g : out.sites.back().clusters.front().racks) {
      add_gpus(list->at("path"), std::uint64_t{g.count} * g.nodes * g.gpus_per_node);
    }
    site_names.insert(out.sites.back().name);
    cluster_names.insert(out.sites.back().clusters.front().name);
    if (!root.has("sites")) {
      load_wan(root, out);
      return out;
    }
  }
  const ConfigNode sites = root.at("sites");
  for (std::size_t s = 0; s < sites.size(); ++s) {
    const ConfigNode site = sites[s];
    site.check_keys({"name", "country", "region", "provider", "clusters", "power_cap_mw", "pue",
                     "utc_offset_h", "carbon_g_per_kwh", "price_usd_per_mwh", "build_out",
                     "maintenance"});
    SiteConfig sc;
    sc.name = site.at("name").as_string();
    if (!site_names.insert(sc.name).second) {
      throw site.at("name").error("site \"{}\" is listed twice", sc.name);
    }
    sc.country = site.get_string("country", "");
    sc.region = site.get_string("region", "");
    sc.provider = site.get_string("provider", "own");
    const ConfigNode clusters = site.at("clusters");
    for (std::size_t c = 0; c < clusters.size(); ++c) {
      const ConfigNode cluster = clusters[c];
      cluster.check_keys({"name", "racks"});
      ClusterConfig cc;
      cc.name = cluster.at("name").as_string();
      if (!cluster_names.insert(cc.name).second) {
        throw cluster.at("name").error("cluster \"{}\" is listed twice", cc.name);
      }
      const ConfigNode racks = cluster.at("racks");
      for (std::size_t r = 0; r < racks.size(); ++r) {
        const ConfigNode group = racks[r];
        group.check_keys({"count", "nodes", "gpus_per_node", "gpu_type"});
        RackGroupConfig rg;
        rg.count = as_u32(group.at("count"), 1u << 24);
        rg.nodes = as_u32(group.at("nodes"), 1024);
        rg.gpus_per_node = as_u32(group.at("gpus_per_node"), kMaxGpusPerNode);
        add_gpus(group.at("count"), std::uint64_t{rg.count} * rg.nodes * rg.gpus_per_node);
        const ConfigNode type = group.at("gpu_type");
        rg.gpu_type = type.as_string();
        if (!type_names.contains(rg.gpu_type)) {
          throw type.error("unknown GPU type \"{}\"; the catalog lists: {}", rg.gpu_type,
                           fmt::join(type_names, ", "));
        }
        cc.racks.push_back(std::move(rg));
      }
      if (cc.racks.empty()) throw racks.error("expected at least one rack group");
      sc.clusters.push_back(std::move(cc));
    }
    if (sc.clusters.empty()) throw clusters.error("expected at least one cluster");
    load_site_energy(site, sc);
    check_idle_draw_under_cap(site, sc, out.gpu_types);
    out.sites.push_back(std::move(sc));
  }
  if (out.sites.empty()) throw sites.error("expected at least one site");
  if (out.sites.size() > kMaxSites) {
    throw sites.error("at most {} sites are supported, got {}", kMaxSites, out.sites.size());
  }
  load_wan(root, out);
  return out;
}

Fleet build_fleet(const FleetConfig& config, std::int64_t start_unix_s) {
  Fleet fleet;
  fleet.catalog = GpuCatalog(config.gpu_types, config.reference_type);
  fleet.topology = Topology(config.gpu_types.size());
  fleet.span_speed = config.span_speed;
  for (const SiteConfig& sc : config.sites) {
    const SiteId site = fleet.topology.add_site({sc.name, sc.country, sc.region, sc.provider, {}, 0, 0});
    for (const ClusterConfig& cc : sc.clusters) {
      const ClusterId cluster = fleet.topology.add_cluster(site, cc.name);
      for (const RackGroupConfig& rg : cc.racks) {
        fleet.topology.add_racks(cluster, rg.count, rg.nodes, rg.gpus_per_node,
                                 *fleet.catalog.find(rg.gpu_type));
      }
    }
  }
  build_site_energy(config, start_unix_s, fleet);
  return fleet;
}

}  // namespace fleetsim
