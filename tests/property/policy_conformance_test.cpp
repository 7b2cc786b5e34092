// Conformance: every registered policy x every registered placement on seeded random scenarios
// (mixed fleets, gangs of 1..32 GPUs, type restrictions, non-preemptible jobs, preemption
// overheads, horizons, inference services). The simulator's InvariantChecker watches each run
// (sim/check/invariant_checker.hpp), which is also repeated for determinism, the second time
// with an engine that drops finished jobs' records (EngineConfig::keep_finished_jobs): the
// records its observers saw must be the same. New policies are covered as soon as they register.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/check/invariant_checker.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/error.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/inference/services.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/feasibility.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/finished_records.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using Int = boost::random::uniform_int_distribution<std::uint32_t>;
using Real = boost::random::uniform_real_distribution<double>;
using Coin = boost::random::bernoulli_distribution<double>;

struct Scenario {
  Fleet fleet;
  std::vector<JobSpec> jobs;
  std::vector<ServiceSpec> services;  // inference services competing with the jobs
  EngineConfig config;
  bool has_horizon = false;
  std::string summary;
};

// A random scenario, a pure function of the seed.
Scenario make_scenario(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Scenario sc;
  // Fleet: 2-3 clusters over 1-2 sites; racks of 1-4 nodes of 4 or 8 GPUs, both types.
  const std::uint32_t clusters = Int(2, 3)(rng);
  const std::uint32_t sites = Int(1, 2)(rng);
  std::vector<test::ClusterShape> shapes;
  for (std::uint32_t c = 0; c < clusters; ++c) {
    const std::uint32_t site = (sites == 2 && c + 1 == clusters) ? 1 : 0;
    shapes.push_back({site, Int(1, 3)(rng), Int(1, 4)(rng), Coin(0.5)(rng) ? 8u : 4u,
                      Coin(0.65)(rng) ? "H100" : "A100"});
  }
  sc.fleet = test::fleet_of(shapes);
  sc.fleet.span_speed.cross_rack = Coin(0.5)(rng) ? 0.9 : 1.0;
  sc.fleet.span_speed.cross_cluster = Coin(0.5)(rng) ? 0.75 : 1.0;
  const Feasibility feasibility(sc.fleet);

  // Jobs: Poisson arrivals at about 0.7-1.6x the fleet's capacity; some arrive in bursts at the
  // same instant.
  const std::uint32_t count = Int(300, 2000)(rng);
  const double mean_duration_s = Real(600, 3600)(rng);
  const double load = Real(0.7, 1.6)(rng);
  const double mean_gpus = 6.0;  // roughly, for the sizes drawn below
  const double mean_gap_s =
      mean_gpus * mean_duration_s / (static_cast<double>(sc.fleet.topology.gpu_count()) * load);
  const bool bursts = Coin(0.3)(rng);
  boost::random::exponential_distribution<double> gap(1.0 / mean_gap_s);
  boost::random::exponential_distribution<double> duration(1.0 / mean_duration_s);
  constexpr std::uint32_t kSmall[] = {1, 2, 4, 8};
  constexpr std::uint32_t kLarge[] = {16, 32};
  const GpuTypeId h100 = *sc.fleet.catalog.find("H100");
  const GpuTypeId a100 = *sc.fleet.catalog.find("A100");
  double t = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    t += gap(rng);
    JobSpec spec;
    spec.name = fmt::format("j{}", i);
    spec.submit = bursts ? from_seconds(std::floor(t / 300) * 300) : from_seconds(t);
    const double size_kind = Real(0, 1)(rng);
    spec.gpus = size_kind < 0.6   ? kSmall[Int(0, 3)(rng)]
                : size_kind < 0.9 ? Int(1, 32)(rng)
                                  : kLarge[Int(0, 1)(rng)];
    spec.duration = std::max<Duration>(kMicrosPerSecond, from_seconds(duration(rng)));
    if (Coin(0.5)(rng)) {
      spec.estimate = from_seconds(to_seconds(spec.duration) * Real(0.5, 3.0)(rng));
    }
    const double restrict = Real(0, 1)(rng);
    if (restrict < 0.15) {
      spec.allowed_types = {h100};
    } else if (restrict < 0.25) {
      spec.allowed_types = {a100};
    } else if (restrict < 0.3) {
      spec.allowed_types = {a100, h100};
    }
    if (feasibility.largest_gang(spec) == 0) spec.allowed_types.clear();
    spec.gpus = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(spec.gpus, feasibility.largest_gang(spec)));
    spec.preemptible = Coin(0.8)(rng);
    spec.priority = static_cast<int>(Int(0, 2)(rng));
    spec.tenant = fmt::format("t{}", Int(0, 2)(rng));
    spec.job_class = Coin(0.5)(rng) ? "default" : "llm";
    sc.jobs.push_back(std::move(spec));
  }

  // A third of the jobs are elastic (half to twice their gang, serial fraction up to 0.3), drawn
  // from a stream of their own so that every other draw stays as it was. Only policies that
  // resize (elastic) run them on another count.
  std::mt19937_64 elastic_rng(seed * 6151 + 29);
  for (JobSpec& spec : sc.jobs) {
    if (!Coin(1.0 / 3)(elastic_rng)) continue;
    spec.min_gpus = std::max(1U, spec.gpus / 2);
    spec.max_gpus = 2 * spec.gpus;
    spec.serial_fraction = static_cast<float>(Real(0, 0.3)(elastic_rng));
  }

  // Half the rigid 1-GPU jobs ask for a share of their GPU (gpu_milli < 1000, as in the openb
  // trace), from a stream of their own again: fractional jobs pack onto shared GPUs, which no
  // whole-GPU job gets until their last share leaves.
  std::mt19937_64 share_rng(seed * 7001 + 41);
  constexpr std::uint16_t kMilli[] = {100, 250, 300, 500, 600, 700, 999};
  for (JobSpec& spec : sc.jobs) {
    if (spec.gpus != 1 || spec.elastic() || !Coin(0.5)(share_rng)) continue;
    spec.gpu_milli = kMilli[Int(0, 6)(share_rng)];
  }

  if (seed % 3 == 1) {
    sc.config.preempt_overhead = from_seconds(Real(0, 120)(rng));
    sc.config.resume_overhead = from_seconds(Real(0, 60)(rng));
  }
  sc.config.sample_interval = from_seconds(Real(300, 3600)(rng));
  const SimTime last_submit = sc.jobs.back().submit;
  if (seed % 4 == 3) {
    sc.config.horizon = last_submit * 6 / 10;
    sc.has_horizon = true;
  }
  // Inference services on seeds 2, 3, 7 (seed 1 stays training only), drawn from a stream of
  // their own so that the jobs above are the same with or without them.
  if (seed % 4 != 1) {
    std::mt19937_64 srng(seed * 7919 + 17);
    const std::uint32_t n = Int(1, 2)(srng);
    for (std::uint32_t i = 0; i < n; ++i) {
      ServiceSpec s;
      s.name = fmt::format("svc{}", i);
      s.throughput_rps["H100"] = Real(5, 20)(srng);
      if (Coin(0.5)(srng)) s.throughput_rps["A100"] = Real(2, 10)(srng);
      JobSpec probe;
      probe.gpus = 1;
      probe.allowed_types = {h100};
      if (s.throughput_rps.count("A100") > 0) probe.allowed_types.push_back(a100);
      constexpr std::uint32_t kSizes[] = {1, 2, 4, 8};
      s.gpus_per_replica = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(kSizes[Int(0, 3)(srng)], feasibility.largest_gang(probe)));
      if (s.gpus_per_replica == 0) continue;  // no allowed type in this fleet
      s.concurrency = Int(1, 8)(srng);
      s.min_replicas = Int(0, 2)(srng);
      s.max_replicas = s.min_replicas + Int(1, 5)(srng);
      const double span_s = to_seconds(last_submit);
      s.start = from_seconds(Real(0, 0.3)(srng) * span_s);
      s.end = s.start + from_seconds(Real(0.3, 0.8)(srng) * span_s + 1);
      s.replica_start = from_seconds(Real(0, 300)(srng));
      s.autoscaler.target_utilisation = Real(0.4, 0.9)(srng);
      s.autoscaler.interval = from_seconds(Real(30, 900)(srng));
      s.autoscaler.scale_up_delay = from_seconds(Real(0, 600)(srng));
      s.autoscaler.scale_down_delay = from_seconds(Real(0, 1800)(srng));
      s.demand.kind = DemandConfig::Kind::Diurnal;
      s.demand.mean_rps = Real(0.5, 1.5)(srng) * s.throughput_rps["H100"] * s.max_replicas / 2;
      s.demand.step = from_seconds(Real(60, 1800)(srng));
      s.demand.peak_hour = Real(0, 23)(srng);
      if (Coin(0.5)(srng)) {
        s.demand.bursts_per_day = Real(1, 24)(srng);
        s.demand.burst_multiplier = Real(1.5, 4)(srng);
        s.demand.burst_duration = from_seconds(Real(60, 1800)(srng));
      }
      s.preemptible = Coin(0.3)(srng);
      s.priority = static_cast<int>(Int(0, 2)(srng));
      s.field = fmt::format("services[{}]", i);
      sc.services.push_back(std::move(s));
    }
  }
  sc.summary = fmt::format(
      "seed {}: {} GPUs in {} clusters / {} sites, {} jobs, load {:.2f}, "
      "overheads {}/{} us, horizon {}, {} services",
      seed, sc.fleet.topology.gpu_count(), clusters, sites, count, load, sc.config.preempt_overhead,
      sc.config.resume_overhead, sc.has_horizon ? fmt::format("{}", sc.config.horizon) : "none",
      sc.services.size());
  return sc;
}

struct RunResult {
  std::vector<Job> jobs;
  RunTotals totals;
  std::vector<ServiceResult> services;
  std::string error;  // what() of an exception that ended the run
  std::optional<CheckReport> check;  // when run with the invariant checker
};

// The policy's parameters for this seed: defaults on even seeds; on odd seeds every flag
// flipped and every choice rotated, unless the policy's own validation rejects that.
PolicyParams params_for(const PolicyInfo& info, std::uint64_t seed) {
  if (seed % 2 == 0) return make_params(info, {});
  std::map<std::string, ParamValue> values;
  for (const Param& p : info.params) {
    if (const bool* flag = std::get_if<bool>(&p.default_value)) values[p.name] = !*flag;
    if (!p.choices.empty()) values[p.name] = p.choices[seed / 2 % p.choices.size()];
  }
  PolicyParams params = make_params(info, values);
  if (info.validate && !info.validate(params).empty()) return make_params(info, {});
  return params;
}

// `check`: with the InvariantChecker, keeping every job; otherwise dropping finished ones.
RunResult run_once(const Scenario& sc, const PolicyInfo& info, const PlacementInfo& placement_info,
                   std::uint64_t seed, bool check) {
  RunResult out;
  std::unique_ptr<Policy> policy = info.make(params_for(info, seed));
  std::unique_ptr<Placement> placement = placement_info.make();
  VectorSource source(sc.jobs);
  EngineConfig config = sc.config;
  config.policy_name = info.name;
  config.keep_finished_jobs = check;
  Engine engine(sc.fleet, source, *policy, *placement, config);
  test::FinishedRecords finished(engine.job_table());
  if (!check) engine.add_observer(finished);
  InferenceServices services(sc.services, sc.fleet, RngStreams(seed));
  if (!sc.services.empty()) engine.set_services(services);
  std::optional<InvariantChecker> checker;
  if (check) {
    checker.emplace(sc.fleet, config, engine.jobs(), sc.services);
    engine.add_observer(*checker);
  }
  try {
    out.totals = engine.run();
    if (checker) {
      checker->finish(out.totals);
      out.check = checker->report();
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.jobs = check ? engine.jobs() : finished.all_jobs();
  out.services = services.take_results();
  return out;
}

// "" when the two runs produced identical jobs and totals, else the first difference.
std::string first_difference(const RunResult& a, const RunResult& b) {
  if (a.jobs.size() != b.jobs.size()) return "job count";
  for (std::size_t i = 0; i < a.jobs.size(); ++i) {
    const Job& x = a.jobs[i];
    const Job& y = b.jobs[i];
    if (std::tie(x.spec.name, x.state, x.first_start, x.end, x.remaining, x.run_time,
                 x.segment_start, x.progress_start, x.rate, x.preemptions, x.epoch,
                 x.gpu_type) != std::tie(y.spec.name, y.state, y.first_start, y.end, y.remaining,
                                         y.run_time, y.segment_start, y.progress_start, y.rate,
                                         y.preemptions, y.epoch, y.gpu_type) ||
        x.allocation != y.allocation || x.span.nodes != y.span.nodes ||
        x.span.racks != y.span.racks) {
      return "job " + x.spec.name;
    }
  }
  for (std::size_t i = 0; i < a.services.size() && i < b.services.size(); ++i) {
    const ServiceResult& x = a.services[i];
    const ServiceResult& y = b.services[i];
    if (x.timeline != y.timeline || x.hours.size() != y.hours.size()) return "service " + x.name;
    for (std::size_t h = 0; h < x.hours.size(); ++h) {
      if (std::tie(x.hours[h].served, x.hours[h].within_slo, x.hours[h].gpu_s) !=
          std::tie(y.hours[h].served, y.hours[h].within_slo, y.hours[h].gpu_s)) {
        return "service " + x.name + " hour " + std::to_string(h);
      }
    }
  }
  if (a.totals.end_time != b.totals.end_time ||
      a.totals.allocated_gpu_seconds != b.totals.allocated_gpu_seconds ||
      a.totals.events != b.totals.events ||
      a.totals.scheduling_passes != b.totals.scheduling_passes) {
    return "totals";
  }
  return a.error == b.error ? "" : "error";
}

// The checker keeps its own ledger of who holds which GPU and how much reference work each job
// has done (per job: state, run time = wall time holding GPUs, drains included, preemptions,
// remaining work); here, what only the test knows: the scenario's jobs and horizon.
void check_run(const Scenario& sc, const RunResult& run) {
  ASSERT_EQ(run.error, "") << "the run threw";
  ASSERT_TRUE(run.check.has_value());
  for (const std::string& f : run.check->violations) ADD_FAILURE() << f;
  ASSERT_EQ(run.check->violation_count, 0u);
  const auto training = static_cast<std::size_t>(std::count_if(
      run.jobs.begin(), run.jobs.end(), [](const Job& j) { return !j.spec.is_replica(); }));
  EXPECT_EQ(training + run.totals.arrivals_after_horizon, sc.jobs.size())
      << "every job is either in the run or counted as arriving after the horizon";
  if (!sc.has_horizon) {
    EXPECT_EQ(run.totals.arrivals_after_horizon, 0u);
  }
  // Whole-GPU jobs' GPU-seconds; fractional jobs' shares of them, and their run times.
  double gpu_seconds = 0, replica_gpu_seconds = 0, shares_gpu_seconds = 0, shares_run_seconds = 0;
  std::size_t unfinished = 0;
  for (const Job& job : run.jobs) {
    SCOPED_TRACE("job " + job.spec.name);
    if (job.state == JobState::Done) {
      EXPECT_GE(job.first_start, job.spec.submit);
      if (job.first_start != kTimeNever) {
        EXPECT_GE(job.end, job.first_start);
      } else {
        EXPECT_TRUE(job.spec.is_replica()) << "only a replica may end without starting";
        EXPECT_GE(job.end, job.spec.submit);
      }
      EXPECT_EQ(job.remaining, 0);
      EXPECT_TRUE(job.allocation.empty());
    } else {
      ++unfinished;
      EXPECT_EQ(job.end, kTimeNever);
    }
    // An elastic job's gang may change between segments: the GPUs x time of each add up. A
    // share of a GPU used that share of its GPU-seconds.
    if (job.spec.gpu_milli < 1000) {
      const double held = job.spec.gpu_milli / 1000.0 * to_seconds(job.run_time);
      EXPECT_NEAR(job.gpu_seconds, held, 1e-9 * std::max(1.0, held));
      shares_gpu_seconds += job.gpu_seconds;
      shares_run_seconds += to_seconds(job.run_time);
    } else {
      if (!job.spec.elastic() || job.resizes == 0) {
        const double held = job.gang * to_seconds(job.run_time);
        EXPECT_NEAR(job.gpu_seconds, held, 1e-9 * std::max(1.0, held));
      }
      gpu_seconds += job.gpu_seconds;
    }
    if (job.spec.is_replica()) replica_gpu_seconds += job.gpu_seconds;
  }
  EXPECT_NEAR(run.totals.replica_gpu_seconds, replica_gpu_seconds,
              1e-9 * std::max(1.0, replica_gpu_seconds))
      << "replica GPU-seconds = sum of replica gpus x run time";
  // Every request is served or dropped; within the SLO is a part of the served; a service
  // accounts GPU time only while it lives, so at most what its replicas held.
  double service_gpu_seconds = 0;
  for (const ServiceResult& service : run.services) {
    for (const ServiceHour& h : service.hours) {
      EXPECT_NEAR(h.served + h.dropped, h.demand, 1e-6 * std::max(1.0, h.demand)) << service.name;
      EXPECT_LE(h.within_slo, h.served * (1 + 1e-12) + 1e-9) << service.name;
      EXPECT_LE(h.seconds, 3600.0 + 1e-6);
      service_gpu_seconds += h.gpu_s;
    }
  }
  EXPECT_LE(service_gpu_seconds, replica_gpu_seconds * (1 + 1e-9) + 1e-6);
  if (!sc.has_horizon) {
    EXPECT_EQ(unfinished, 0u) << "without a horizon every feasible job must finish";
  } else if (unfinished > 0) {
    EXPECT_EQ(run.totals.end_time, sc.config.horizon) << "jobs left only when the horizon hit";
  }
  // A shared GPU counts as allocated from its first share to its last (the checker follows each
  // one): at least its shares' parts of that time (they add up to at most 1000 milli-GPUs), at
  // most the sum of its holders' run times. Without fractional jobs both bounds are equal.
  const double slack = 1e-9 * std::max(1.0, gpu_seconds + shares_run_seconds);
  EXPECT_GE(run.totals.allocated_gpu_seconds, gpu_seconds + shares_gpu_seconds - slack)
      << "allocated GPU-seconds >= whole jobs' gpus x run time + shares x run time";
  EXPECT_LE(run.totals.allocated_gpu_seconds, gpu_seconds + shares_run_seconds + slack)
      << "allocated GPU-seconds <= whole jobs' gpus x run time + fractional jobs' run time";
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const PolicyInfo& info : registered_policies()) names.push_back(info.name);
  return names;
}

std::vector<std::string> placement_names() {
  std::vector<std::string> names;
  for (const PlacementInfo& info : registered_placements()) names.push_back(info.name);
  return names;
}

class PropertyPolicyConformance
    : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(PropertyPolicyConformance, RandomScenariosKeepEveryInvariantAndAreDeterministic) {
  const auto& [policy_name, placement_name] = GetParam();
  const PolicyInfo* info = find_policy(policy_name);
  const PlacementInfo* placement = find_placement(placement_name);
  ASSERT_NE(info, nullptr);
  ASSERT_NE(placement, nullptr);
  // The same seeds for every policy and placement. seed % 3 == 1 has preemption overheads,
  // seed % 4 == 3 a horizon (60% of the last submit), odd seeds non-default parameters: 1 has
  // overheads, 2 nothing special, 3 a horizon, 7 both.
  for (std::uint64_t seed : {1, 2, 3, 7}) {
    const Scenario sc = make_scenario(seed);
    SCOPED_TRACE(sc.summary);
    const RunResult first = run_once(sc, *info, *placement, seed, true);
    check_run(sc, first);
    const RunResult second = run_once(sc, *info, *placement, seed, false);
    EXPECT_EQ(first_difference(first, second), "") << "the same scenario ran differently";
    if (HasFatalFailure()) return;
  }
}

// The "Property" prefix keeps the full test names under ctest's `Property*` filter (label
// property).
INSTANTIATE_TEST_SUITE_P(
    Property, PropertyPolicyConformance,
    ::testing::Combine(::testing::ValuesIn(policy_names()), ::testing::ValuesIn(placement_names())),
    [](const ::testing::TestParamInfo<PropertyPolicyConformance::ParamType>& p) {
      return std::get<0>(p.param) + "_" + std::get<1>(p.param);
    });

TEST(PropertyServices, RandomServicesStartReplicasAndPreemptTraining) {
  // Guards the services in the suite above against passing vacuously: under inference_first
  // their replicas start, are stopped by scale-down or the end, and preempt training jobs.
  std::uint64_t starts = 0, stopped_running = 0, training_preemptions = 0, services = 0;
  for (std::uint64_t seed : {2, 3, 7}) {
    const Scenario sc = make_scenario(seed);
    services += sc.services.size();
    const RunResult run =
        run_once(sc, *find_policy("inference_first"), *find_placement("topology"), seed, false);
    ASSERT_EQ(run.error, "");
    for (const ServiceResult& s : run.services) starts += s.replica_starts;
    for (const Job& job : run.jobs) {
      if (job.spec.is_replica() && job.state == JobState::Done && job.run_time > 0) {
        ++stopped_running;
      }
      if (!job.spec.is_replica()) training_preemptions += job.preemptions;
    }
  }
  EXPECT_GE(services, 3u);
  EXPECT_GT(starts, 10u);
  EXPECT_GT(stopped_running, 5u);
  EXPECT_GT(training_preemptions, 0u);
  std::printf("services %llu, replica starts %llu, stopped while holding GPUs %llu, training "
              "preemptions %llu\n",
              static_cast<unsigned long long>(services), static_cast<unsigned long long>(starts),
              static_cast<unsigned long long>(stopped_running),
              static_cast<unsigned long long>(training_preemptions));
}

TEST(PropertyElastic, ElasticJobsAreResizedAndRunOnOtherCounts) {
  // Guards the elastic jobs in the suite above against passing vacuously: under elastic some run
  // on fewer GPUs than they asked for, some on more, and running ones are resized.
  std::uint64_t elastic = 0, below = 0, above = 0, resizes = 0;
  for (std::uint64_t seed : {2, 3, 7}) {
    const Scenario sc = make_scenario(seed);
    const RunResult run =
        run_once(sc, *find_policy("elastic"), *find_placement("best_fit"), seed, false);
    ASSERT_EQ(run.error, "");
    for (const Job& job : run.jobs) {
      if (!job.spec.elastic() || job.first_start == kTimeNever) continue;
      ++elastic;
      below += job.gang < job.spec.gpus ? 1 : 0;
      above += job.gang > job.spec.gpus ? 1 : 0;
      resizes += job.resizes;
    }
  }
  EXPECT_GT(elastic, 100u);
  EXPECT_GT(below, 0u);
  EXPECT_GT(above, 0u);
  EXPECT_GT(resizes, 0u);
  std::printf("elastic jobs %llu: last gang below request %llu, above %llu; resizes %llu\n",
              static_cast<unsigned long long>(elastic), static_cast<unsigned long long>(below),
              static_cast<unsigned long long>(above), static_cast<unsigned long long>(resizes));
}

TEST(PropertyElastic, OnRigidJobsElasticStartsWhatFifoBackfillStarts) {
  // elastic admits waiting jobs on their minimum with fifo_backfill's walk and resizes only
  // elastic jobs, so with every job made rigid the two must start the same jobs on the same GPUs
  // at the same times.
  for (std::uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    Scenario sc = make_scenario(seed);
    for (JobSpec& job : sc.jobs) job.min_gpus = job.max_gpus = 0;
    const RunResult fifo =
        run_once(sc, *find_policy("fifo_backfill"), *find_placement("first_fit"), seed, false);
    const RunResult elastic =
        run_once(sc, *find_policy("elastic"), *find_placement("first_fit"), seed, false);
    ASSERT_EQ(fifo.error, "") << sc.summary;
    ASSERT_EQ(elastic.error, "") << sc.summary;
    ASSERT_EQ(fifo.jobs.size(), elastic.jobs.size()) << sc.summary;
    for (std::size_t i = 0; i < fifo.jobs.size(); ++i) {
      const Job& a = fifo.jobs[i];
      const Job& b = elastic.jobs[i];
      ASSERT_EQ(a.spec.name, b.spec.name);
      EXPECT_EQ(a.state, b.state) << sc.summary << " job " << a.spec.name;
      EXPECT_EQ(a.first_start, b.first_start) << sc.summary << " job " << a.spec.name;
      EXPECT_EQ(a.end, b.end) << sc.summary << " job " << a.spec.name;
      EXPECT_EQ(a.preemptions, b.preemptions) << sc.summary << " job " << a.spec.name;
      EXPECT_TRUE(a.allocation == b.allocation) << sc.summary << " job " << a.spec.name;
    }
  }
}

// Counts the starts of fractional jobs on a GPU that another running fractional job holds.
class ShareCounter final : public RunObserver {
 public:
  void on_start(const Job& job, SimTime) override {
    if (job.spec.gpu_milli == 1000) return;
    const NodeSlice& s = job.allocation.slices.front();
    const auto gpu = std::make_pair(s.node.value, s.gpus);
    if (std::count(gpus_.begin(), gpus_.end(), gpu) > 0) ++joined;
    ++starts;
    gpus_.push_back(gpu);
    ids_.push_back(job.spec.name);
  }
  void on_preempt(const Job& job, SimTime) override { forget(job); }
  void on_finish(const Job& job, SimTime) override { forget(job); }
  std::uint64_t starts = 0, joined = 0;

 private:
  void forget(const Job& job) {
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] != job.spec.name) continue;
      ids_.erase(ids_.begin() + static_cast<std::ptrdiff_t>(i));
      gpus_.erase(gpus_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> gpus_;  // (node, GPU bit) of each holder
  std::vector<std::string> ids_;
};

TEST(PropertyFractional, FractionalJobsShareGpus) {
  // Guards the fractional jobs in the suite above against passing vacuously: under fifo_backfill
  // many start, and many of those join a GPU another fractional job still holds.
  std::uint64_t fractional = 0, starts = 0, joined = 0;
  for (std::uint64_t seed : {1, 2, 3, 7}) {
    const Scenario sc = make_scenario(seed);
    fractional += static_cast<std::uint64_t>(std::count_if(
        sc.jobs.begin(), sc.jobs.end(), [](const JobSpec& j) { return j.gpu_milli < 1000; }));
    const std::unique_ptr<Policy> policy =
        find_policy("fifo_backfill")->make(make_params(*find_policy("fifo_backfill"), {}));
    const std::unique_ptr<Placement> placement = find_placement("best_fit")->make();
    VectorSource source(sc.jobs);
    EngineConfig config = sc.config;
    config.policy_name = "fifo_backfill";
    Engine engine(sc.fleet, source, *policy, *placement, config);
    ShareCounter counter;
    engine.add_observer(counter);
    engine.run();
    starts += counter.starts;
    joined += counter.joined;
  }
  EXPECT_GT(fractional, 100u);
  EXPECT_GT(joined, 20u);
  std::printf("fractional jobs %llu, starts %llu, of them on a GPU already shared %llu\n",
              static_cast<unsigned long long>(fractional), static_cast<unsigned long long>(starts),
              static_cast<unsigned long long>(joined));
}

TEST(PropertyRegistry, HasPoliciesAndPlacementsToCheck) {
  // Guards the suite above against passing vacuously.
  EXPECT_FALSE(registered_policies().empty());
  EXPECT_GE(registered_placements().size(), 3u);
}

}  // namespace
}  // namespace fleetsim
