// trace-stats on every shipped trace (traces/ at the repo top) must reproduce the statistics the
// traces README (traces/README.md points to it; numbers copied here) prints: job counts,
// GPU-count distributions, duration percentiles (nearest rank), statuses, node inventories.
#include "sim/workload/traces/trace_stats.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "sim/workload/traces/node_list.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

using Counts = std::map<std::uint32_t, std::uint64_t>;

TraceOptions shipped(const std::string& format, const std::string& file) {
  TraceOptions o;
  o.format = format;
  o.path = test::source_path("traces/" + file);
  o.display_path = file;
  return o;
}

TraceStats stats(const TraceOptions& o) {
  return compute_trace_stats(*find_trace_format(o.format), o);
}

// Every file of a folder (sorted), for the per-VC / per-workload sets.
std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(test::source_path("traces/" + folder))) {
    files.push_back(folder + "/" + e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TraceStatsReadme, PhillyJobsGpusDurationsAndVcs) {
  const TraceStats s = stats(shipped("philly", "philly-pollux/philly.csv"));
  EXPECT_EQ(s.jobs, 82'247u);
  EXPECT_EQ(s.gpus, (Counts{{1, 76'627},
                            {2, 1'818},
                            {4, 1'870},
                            {8, 1'643},
                            {12, 7},
                            {16, 199},
                            {24, 7},
                            {32, 67},
                            {64, 6},
                            {128, 3}}));
  EXPECT_EQ(nearest_rank(s.durations_s, 50), 1'144);
  EXPECT_EQ(nearest_rank(s.durations_s, 90), 11'264);
  EXPECT_EQ(nearest_rank(s.durations_s, 99), 254'884);
  EXPECT_EQ(s.durations_s.back(), 4'628'226);
  EXPECT_EQ(s.first_submit_s, *detail::parse_date_time("2017-09-04 10:30:41"));
  EXPECT_EQ(s.last_submit_s, *detail::parse_date_time("2017-12-22 08:02:11"));
  EXPECT_NEAR(s.gpu_hours, 978'079, 1);  // 978,078.47 summed here; the README rounds up
  EXPECT_EQ(s.tenants.size(), 15u);
  EXPECT_EQ(s.tenants.at("6214e9"), 41'226u);
  EXPECT_EQ(s.tenants.at("11cb48"), 16'091u);
  EXPECT_EQ(s.tenants.at("6c71a0"), 9'953u);
  EXPECT_EQ(s.tenants.at("b436b2"), 7'423u);
  EXPECT_TRUE(s.statuses.empty());
}

TEST(TraceStatsReadme, ItpEachClusterAsTabulated) {
  struct Row {
    const char* file;
    std::uint64_t jobs;
    long gpu_hours;
    Counts gpus;
  };
  const Row rows[] = {
      {"cluster01",
       1'595,
       22'740,
       {{1, 1530}, {2, 11}, {4, 6}, {8, 5}, {16, 6}, {32, 11}, {64, 26}}},
      {"cluster02",
       5'778,
       123'748,
       {{1, 4937}, {2, 102}, {4, 301}, {8, 352}, {16, 36}, {32, 36}, {64, 14}}},
      {"cluster03", 3'011, 165'443, {{1, 1014}, {2, 85}, {8, 1777}, {16, 94}, {32, 24}, {64, 17}}},
      {"cluster04",
       15'802,
       705'683,
       {{1, 11924}, {2, 125}, {4, 532}, {8, 2779}, {16, 182}, {32, 254}, {64, 6}}},
      {"cluster05", 3'629, 14'303, {{1, 3465}, {2, 50}, {4, 37}, {8, 77}}},
      {"cluster06",
       2'396,
       123'879,
       {{1, 1073}, {2, 6}, {4, 148}, {8, 1082}, {16, 59}, {32, 20}, {64, 8}}},
      {"cluster07", 12'699, 366'800, {{1, 9854}, {2, 836}, {4, 1071}, {8, 936}, {16, 2}}},
      {"cluster08", 13'047, 67'100, {{1, 12558}, {2, 217}, {4, 262}, {8, 1}, {32, 9}}},
      {"cluster09", 11'134, 39'001, {{1, 11134}}},
      {"cluster10", 260, 4'024, {{1, 193}, {2, 51}, {4, 14}, {16, 2}}},
  };
  std::uint64_t jobs = 0;
  double last_submit = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.file);
    const TraceStats s =
        stats(shipped("itp", std::string("microsoft-itp-elasticflow/") + row.file + ".csv"));
    EXPECT_EQ(s.jobs, row.jobs);
    EXPECT_NEAR(s.gpu_hours, static_cast<double>(row.gpu_hours), 1);  // the README rounds
    EXPECT_EQ(s.gpus, row.gpus);
    // Jobs under 10 min were filtered out upstream. (The README says the minimum is 600 s in
    // every cluster; it is 600-668 s.)
    EXPECT_GE(s.durations_s.front(), 600);
    EXPECT_EQ(s.tenants.at(row.file), row.jobs);
    jobs += s.jobs;
    last_submit = std::max(last_submit, s.last_submit_s);
  }
  EXPECT_EQ(jobs, 69'351u);
  EXPECT_NEAR(last_submit, 5'175'336, 3'600);  // "span ≈ 0 → 5,175,336 s"
}

TEST(TraceStatsReadme, GavelFifteenVcsTogether) {
  std::uint64_t jobs = 0;
  Counts gpus;
  double last = 0;
  const std::vector<std::string> files = files_in("gavel-philly-vc/seed=0");
  ASSERT_EQ(files.size(), 15u);
  for (const std::string& file : files) {
    const TraceStats s = stats(shipped("gavel", file));
    jobs += s.jobs;
    for (const auto& [g, n] : s.gpus) gpus[g] += n;
    last = std::max(last, s.last_submit_s);
    EXPECT_LE(s.jobs, 2'000u) << file;  // large VCs are capped at 2,000
  }
  EXPECT_EQ(jobs, 15'264u);
  EXPECT_EQ(gpus[1], 10'480u);
  EXPECT_EQ(gpus[2], 463u);
  EXPECT_EQ(gpus[4], 2'044u);
  EXPECT_EQ(gpus[8], 1'916u);
  EXPECT_EQ(gpus[16], 255u);
  EXPECT_EQ(gpus[32], 91u);
  for (const auto& [g, n] : gpus) {
    if (g != 1 && g != 2 && g != 4 && g != 8 && g != 16 && g != 32) {
      EXPECT_LE(n, 6u) << g;
    }
  }
  EXPECT_EQ(last, 10'817'570);
}

TEST(TraceStatsReadme, PolluxEightWorkloadsOf160) {
  Counts gpus;
  const std::vector<std::string> files = files_in("pollux-workloads/workloads");
  ASSERT_EQ(files.size(), 8u);
  for (const std::string& file : files) {
    const TraceStats s = stats(shipped("pollux", file));
    EXPECT_EQ(s.jobs, 160u) << file;
    EXPECT_GE(s.first_submit_s, 0) << file;
    EXPECT_LT(s.last_submit_s, 28'800) << file;  // an 8-hour window
    for (const auto& [g, n] : s.gpus) gpus[g] += n;
  }
  EXPECT_EQ(
      gpus,
      (Counts{
          {1, 503}, {4, 59}, {6, 191}, {8, 171}, {12, 196}, {16, 134}, {24, 9}, {32, 9}, {48, 8}}));
}

TEST(TraceStatsReadme, SiaSaturnPhillyAndNewtraceSets) {
  const std::pair<const char*, std::pair<std::size_t, std::uint64_t>> sets[] = {
      {"sia-workloads/saturn", {10, 160}},
      {"sia-workloads/philly", {8, 160}},
      {"sia-workloads/newtrace", {10, 960}}};
  for (const auto& [folder, shape] : sets) {
    const std::vector<std::string> files = files_in(folder);
    EXPECT_EQ(files.size(), shape.first) << folder;
    for (const std::string& file : files) {
      const TraceStats s = stats(shipped("sia", file));
      EXPECT_EQ(s.jobs, shape.second) << file;
      EXPECT_GE(s.gpus.begin()->first, 4u) << file;  // num_replicas are 4-16
      EXPECT_LE(s.gpus.rbegin()->first, 16u) << file;
    }
  }
}

TEST(TraceStatsReadme, TiresiasSixtyJobs) {
  const TraceStats s = stats(shipped("tiresias", "tiresias/60_job.csv"));
  EXPECT_EQ(s.jobs, 60u);
  EXPECT_EQ(s.first_submit_s, 0);
  EXPECT_EQ(s.last_submit_s, 1'779);
  EXPECT_EQ(s.gpus, (Counts{{1, 30}, {2, 10}, {4, 10}, {8, 10}}));
  EXPECT_EQ(nearest_rank(s.durations_s, 50), 125);
  EXPECT_EQ(s.durations_s.back(), 1'800);
}

TEST(TraceStatsReadme, OpenbPodsPhasesQosAndLifetimes) {
  TraceOptions o = shipped("openb", "alibaba-gpu-v2023-openb/openb_pod_list_default.csv");
  o.duration_from = DurationFrom::Creation;  // the README's "lifetime (deletion - creation)"
  const TraceStats s = stats(o);
  EXPECT_EQ(s.jobs, 8'152u);
  EXPECT_EQ(s.gpus, (Counts{{0, 1'088}, {1, 6'989}, {2, 16}, {4, 15}, {8, 44}}));
  EXPECT_EQ(s.shared_gpu_jobs, 3'078u);
  EXPECT_EQ(s.statuses,
            (std::map<std::string, std::uint64_t>{
                {"Running", 5'193}, {"Failed", 1'870}, {"Pending", 897}, {"Succeeded", 192}}));
  EXPECT_EQ(s.tenants, (std::map<std::string, std::uint64_t>{
                           {"LS", 4'647}, {"BE", 3'398}, {"Burstable", 100}, {"Guaranteed", 7}}));
  EXPECT_EQ(s.first_submit_s, 0);
  EXPECT_EQ(s.last_submit_s, 12'901'761);
  EXPECT_EQ(nearest_rank(s.durations_s, 50), 540);
  EXPECT_EQ(nearest_rank(s.durations_s, 90), 6'574);
  EXPECT_EQ(nearest_rank(s.durations_s, 99), 93'426);
  EXPECT_EQ(s.durations_s.back(), 12'537'496);
}

// GPUs by model and nodes by GPU count of a node list.
struct Inventory {
  std::map<std::string, std::uint64_t> gpus_by_model;
  Counts nodes_by_gpus;
  std::size_t nodes = 0;
};

Inventory inventory(const std::string& format, const std::string& file) {
  const NodeListResult r = read_node_list(*find_node_list_format(format), shipped(format, file));
  Inventory inv;
  inv.nodes = r.nodes.size();
  for (const TraceRecord& n : r.nodes) {
    ++inv.nodes_by_gpus[n.gpus];
    if (n.gpus > 0) inv.gpus_by_model[n.gpu_types.front()] += n.gpus;
  }
  return inv;
}

TEST(TraceStatsReadme, OpenbNodeList) {
  const Inventory inv =
      inventory("openb_nodes", "alibaba-gpu-v2023-openb/openb_node_list_all_node.csv");
  EXPECT_EQ(inv.nodes, 1'523u);
  EXPECT_EQ(inv.gpus_by_model, (std::map<std::string, std::uint64_t>{{"G2", 4'392},
                                                                     {"T4", 842},
                                                                     {"G3", 312},
                                                                     {"P100", 265},
                                                                     {"V100M32", 204},
                                                                     {"V100M16", 195},
                                                                     {"A10", 2}}));
  EXPECT_EQ(inv.nodes_by_gpus, (Counts{{0, 310}, {1, 24}, {2, 518}, {4, 54}, {8, 617}}));
}

TEST(TraceStatsReadme, PaiMachineSpec) {
  const Inventory inv = inventory("pai_machines", "alibaba-gpu-v2020-pai/pai_machine_spec.csv");
  EXPECT_EQ(inv.nodes, 1'897u);
  EXPECT_EQ(inv.gpus_by_model,
            (std::map<std::string, std::uint64_t>{
                {"MISC", 2'240}, {"P100", 1'596}, {"V100M32", 1'080}, {"T4", 994}, {"V100", 832}}));
  EXPECT_EQ(inv.nodes_by_gpus, (Counts{{0, 83}, {2, 1'295}, {8, 519}}));
}

TEST(TraceStatsReadme, SpotGpuNodeList) {
  const Inventory inv = inventory("spot_nodes", "alibaba-spot-gpu-v2026/node_info_df.csv");
  EXPECT_EQ(inv.nodes, 4'278u);
  EXPECT_EQ(inv.gpus_by_model, (std::map<std::string, std::uint64_t>{{"A100-SXM4-80GB", 3'456},
                                                                     {"A10", 2'494},
                                                                     {"H800", 1'752},
                                                                     {"GPU-series-1", 1'558},
                                                                     {"GPU-series-2", 976},
                                                                     {"A800-SXM4-80GB", 176}}));
  EXPECT_EQ(inv.nodes_by_gpus, (Counts{{1, 3'396}, {4, 10}, {8, 872}}));
}

}  // namespace
}  // namespace fleetsim
