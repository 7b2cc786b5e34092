// Inference services in the engine on fleets of 8 GPUs, where every replica count, preemption
// and end time can be worked out by hand: the autoscaler's step response, the serving account
// of a step in demand, and each sharing policy against a training job.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "sim/failure/failure_model.hpp"
#include "sim/model/queueing.hpp"
#include "sim/policy/placement.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::job;
using test::seconds;

DemandConfig constant_demand(double rps) {
  DemandConfig d;
  d.kind = DemandConfig::Kind::Constant;
  d.rps = rps;
  return d;
}

DemandConfig step_demand(std::vector<std::pair<double, double>> points) {
  DemandConfig d;
  d.kind = DemandConfig::Kind::Steps;
  d.points = std::move(points);
  return d;
}

// One service on H100s at 10 req/s per replica, autoscaling at 50 % utilisation every 60 s
// with no delays (tests set their own).
ServiceSpec service(double start_s, double end_s, std::uint32_t gpus_per_replica,
                    std::uint32_t min_replicas, std::uint32_t max_replicas, DemandConfig demand) {
  ServiceSpec s;
  s.name = "chat";
  s.gpus_per_replica = gpus_per_replica;
  s.throughput_rps = {{"H100", 10.0}};
  s.slo_ms = 500;
  s.min_replicas = min_replicas;
  s.max_replicas = max_replicas;
  s.start = from_seconds(start_s);
  s.end = from_seconds(end_s);
  s.autoscaler.target_utilisation = 0.5;
  s.autoscaler.interval = from_seconds(60);
  s.autoscaler.scale_up_delay = 0;
  s.autoscaler.scale_down_delay = 0;
  s.demand = std::move(demand);
  s.field = "services[0]";
  return s;
}

ReplicaCounts counts(double t, std::uint32_t target, std::uint32_t requested, std::uint32_t held,
                     std::uint32_t serving) {
  return {from_seconds(t), target, requested, held, serving};
}

// 8 GPUs, 1-GPU replicas at 10 req/s, target 50 %, no training; demand 10 -> 40 req/s at
// 1000 s -> 10 at 2000 s; evaluations every 60 s, scale-up delay 120 s, scale-down delay 300 s,
// replicas serve 30 s after they start; the service lives 0..3000 s.
test::RunOutput step_in_demand() {
  ServiceSpec s = service(0, 3000, 1, 1, 8, step_demand({{0, 10}, {1000, 40}, {2000, 10}}));
  s.autoscaler.scale_up_delay = from_seconds(120);
  s.autoscaler.scale_down_delay = from_seconds(300);
  s.replica_start = from_seconds(30);
  return test::run_with_services(test::single_cluster_fleet(1, 1, 8), {}, {s}, "fifo_backfill");
}

TEST(InferenceAutoscaling, StepInDemandGivesHandComputedReplicaCountsOverTime) {
  // 8 GPUs, 1-GPU replicas at 10 req/s, target 50 %: 10 req/s needs ceil(10 / 5) = 2 replicas,
  // 40 req/s needs 8. Demand 10 -> 40 at 1000 s -> 10 at 2000 s; evaluations every 60 s;
  // scale-up delay 120 s, scale-down delay 300 s; a replica serves 30 s after it starts.
  //   0     first evaluation: target 2, both start at once, serve from 30
  //   1020  first evaluation to see 40 req/s (recommends 8); the window [900, 1020] still
  //         holds 960's 2, and [960, 1080] too; at 1140 [1020, 1140] is all 8: 6 more start,
  //         serving from 1170
  //   2040  first to see 10 req/s again; [t - 300, t] holds an 8 until 2340: 6 stop at 2340
  //   3000  the service ends: every replica stops
  const test::RunOutput out = step_in_demand();
  ASSERT_EQ(out.services.size(), 1u);
  const std::vector<ReplicaCounts> want = {counts(0, 2, 2, 2, 0),    counts(30, 2, 2, 2, 2),
                                           counts(1140, 8, 8, 8, 2), counts(1170, 8, 8, 8, 8),
                                           counts(2340, 2, 2, 2, 2), counts(3000, 0, 0, 0, 0)};
  EXPECT_EQ(out.services[0].timeline, want);
  EXPECT_EQ(out.services[0].replicas_created, 8u);
  EXPECT_EQ(out.services[0].replica_starts, 8u);
  EXPECT_DOUBLE_EQ(seconds(out.totals.end_time), 3000);
  // GPU time: r1, r2 for 3000 s, r3..r8 from 1140 to 2340: 6000 + 6 x 1200.
  EXPECT_DOUBLE_EQ(out.totals.replica_gpu_seconds, 13200);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 13200);
  // The replicas that were stopped end when they were stopped, newest first at 2340.
  for (int r = 3; r <= 8; ++r) {
    EXPECT_DOUBLE_EQ(seconds(out[fmt::format("chat/r{}", r)].end), 2340) << r;
  }
  EXPECT_DOUBLE_EQ(seconds(out["chat/r1"].end), 3000);
}

TEST(InferenceServing, AStepInDemandIsDroppedUntilTheNewReplicasServe) {
  // The same run. Requests: 10/s for 1000 s, 40/s for 1000 s, 10/s for 1000 s = 60,000, all
  // in hour 0. Dropped: nothing serves in [0, 30) (300 requests); in [1000, 1170) two replicas
  // serve 20/s of the 40/s (3,400 dropped). Served while overloaded (3,400) never meets the
  // SLO. Latency of the rest from the M/M/c model: [30, 1000) 2 replicas at 10/s, [1170, 2000)
  // 8 at 40/s, [2000, 2340) 8 at 10/s, [2340, 3000) 2 at 10/s.
  const test::RunOutput out = step_in_demand();
  ASSERT_EQ(out.services[0].hours.size(), 1u);
  const ServiceHour& h = out.services[0].hours[0];
  EXPECT_DOUBLE_EQ(h.seconds, 3000);
  EXPECT_NEAR(h.demand, 60000, 1e-9);
  EXPECT_NEAR(h.dropped, 3700, 1e-9);
  EXPECT_NEAR(h.served, 56300, 1e-9);
  EXPECT_NEAR(h.stable_served, 56300 - 3400, 1e-9);
  EXPECT_NEAR(h.gpu_s, 13200, 1e-9);
  EXPECT_NEAR(h.serving_replica_s, 2 * 970 + 8 * 1170 + 2 * 660 + 2 * 170, 1e-9);
  struct Period {
    double requests, lambda;
    std::uint64_t replicas;
  };
  const Period periods[] = {{9700, 10, 2}, {33200, 40, 8}, {3400, 10, 8}, {6600, 10, 2}};
  double within = 0, latency = 0;
  for (const Period& p : periods) {
    const MmcQueue q(p.lambda, 10.0, p.replicas);
    within += p.requests * (1 - q.response_tail(0.5));
    latency += p.requests * q.mean_response_s();
  }
  EXPECT_NEAR(h.within_slo, within, 1e-6);
  EXPECT_NEAR(h.latency_sum_s, latency, 1e-6);
  // [30, 1000): M/M/2 at rho 0.5 by hand: B = 1/5, C = (1/5) / (1 - 0.5 x 4/5) = 1/3,
  // Wq = (1/3) / (20 - 10) = 1/30 s, T = 1/30 + 1/10 s.
  EXPECT_NEAR(MmcQueue(10, 10, 2).mean_response_s(), 1.0 / 30 + 0.1, 1e-15);
  // p99 is unbounded: 3,400 of 56,300 served requests (6 %) were served in overload.
  EXPECT_TRUE(std::isinf(h.p99_s));
}

// 8 GPUs as two 4-GPU nodes; a service of one 4-GPU replica from 100 s to 500 s.
const Fleet kTwoNodes = test::single_cluster_fleet(1, 2, 4);
ServiceSpec one_replica() { return service(100, 500, 4, 1, 1, constant_demand(5)); }

TEST(InferenceFirst, AReplicaPreemptsTheTrainingJobHoldingEveryGpu) {
  // A holds all 8 GPUs from 0 (1000 s of work). At 100 the replica does not fit: A is
  // preempted, the replica starts on 4 GPUs; A (8 GPUs) waits. At 500 the service ends, the
  // replica stops, A resumes with 900 s left: ends at 1400.
  const test::RunOutput out = test::run_with_services(kTwoNodes, {job("A", 0, 8, 1000)},
                                                      {one_replica()}, "inference_first");
  EXPECT_EQ(out["A"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 1400);
  EXPECT_DOUBLE_EQ(seconds(out["chat/r1"].first_start), 100);
  EXPECT_DOUBLE_EQ(seconds(out["chat/r1"].end), 500);
  EXPECT_NEAR(out.services[0].hours[0].dropped, 0, 1e-9);
  EXPECT_NEAR(out.services[0].hours[0].served, 5 * 400, 1e-9);
}

TEST(InferenceFirst, ANonPreemptibleTrainingJobIsNeverAVictim) {
  JobSpec a = job("A", 0, 8, 1000);
  a.preemptible = false;
  const test::RunOutput out =
      test::run_with_services(kTwoNodes, {a}, {one_replica()}, "inference_first");
  EXPECT_EQ(out["A"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 1000);
  EXPECT_EQ(out["chat/r1"].first_start, kTimeNever);  // withdrawn at 500, never started
  EXPECT_NEAR(out.services[0].hours[0].dropped, 5 * 400, 1e-9);
}

TEST(InferenceFifoBackfill, AReplicaQueuesBehindTrainingLikeAnyJob) {
  // No special treatment: the replica waits for A, which outlives the service.
  const test::RunOutput out =
      test::run_with_services(kTwoNodes, {job("A", 0, 8, 1000)}, {one_replica()}, "fifo_backfill");
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 1000);
  EXPECT_EQ(out["chat/r1"].state, JobState::Done);
  EXPECT_EQ(out["chat/r1"].first_start, kTimeNever);
  EXPECT_NEAR(out.services[0].hours[0].served, 0, 1e-9);
  EXPECT_NEAR(out.services[0].hours[0].dropped, 2000, 1e-9);
}

TEST(Reserved, TrainingStaysOffTheReservedNodeAndNothingIsPreempted) {
  // share 0.5: node 0 (GPUs 0-3) for inference, node 1 for training. A and B (4 GPUs, 1000 s)
  // both arrive at 0: A runs on node 1, B waits for it although node 0 idles until 100;
  // the replica gets node 0 at 100. B runs 1000..2000.
  const test::RunOutput out =
      test::run_with_services(kTwoNodes, {job("A", 0, 4, 1000), job("B", 0, 4, 1000)},
                              {one_replica()}, "reserved", {{"share", 0.5}});
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 1000);
  EXPECT_DOUBLE_EQ(seconds(out["B"].first_start), 1000);
  EXPECT_DOUBLE_EQ(seconds(out["B"].end), 2000);
  EXPECT_DOUBLE_EQ(seconds(out["chat/r1"].first_start), 100);
  EXPECT_EQ(out["chat/r1"].allocation.slices.size(), 0u);  // stopped
  EXPECT_EQ(out["A"].preemptions + out["B"].preemptions, 0u);
}

TEST(Reserved, ATrainingJobLargerThanTheTrainingSideMayUseTheWholeFleet) {
  // An 8-GPU job can never fit on node 1 alone: it runs on both nodes rather than never.
  const test::RunOutput out =
      test::run_with_services(kTwoNodes, {job("A", 0, 8, 1000)}, {}, "reserved", {{"share", 0.5}});
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 1000);
}

TEST(Lend, IdleInferenceGpusAreLentAndReclaimedWhenAReplicaNeedsThem) {
  // As the reserved case, but B borrows node 0 at 0. At 100 the replica reclaims it (B is
  // preempted with 900 s left); at 500 the service ends and B borrows node 0 again: it ends
  // at 500 + 900 = 1400, 600 s before it would under `reserved`.
  const test::RunOutput out =
      test::run_with_services(kTwoNodes, {job("A", 0, 4, 1000), job("B", 0, 4, 1000)},
                              {one_replica()}, "lend", {{"share", 0.5}});
  EXPECT_DOUBLE_EQ(seconds(out["A"].end), 1000);
  EXPECT_DOUBLE_EQ(seconds(out["B"].first_start), 0);
  EXPECT_EQ(out["B"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(out["B"].end), 1400);
  EXPECT_DOUBLE_EQ(seconds(out["chat/r1"].first_start), 100);
  EXPECT_NEAR(out.services[0].hours[0].dropped, 0, 1e-9);
}

TEST(Lend, NonPreemptibleTrainingNeverBorrows) {
  JobSpec b = job("B", 0, 4, 1000);
  b.preemptible = false;
  const test::RunOutput out = test::run_with_services(kTwoNodes, {job("A", 0, 4, 1000), b},
                                                      {one_replica()}, "lend", {{"share", 0.5}});
  EXPECT_DOUBLE_EQ(seconds(out["B"].first_start), 1000);
  EXPECT_DOUBLE_EQ(seconds(out["B"].end), 2000);
}

TEST(Lend, WithoutReclaimAReplicaWaitsForTheBorrowerToFinish) {
  // B borrows node 0 from 0 to 1000; the replica (100..500) never gets it.
  const test::RunOutput out =
      test::run_with_services(kTwoNodes, {job("A", 0, 4, 1000), job("B", 0, 4, 1000)},
                              {one_replica()}, "lend", {{"share", 0.5}, {"reclaim", false}});
  EXPECT_EQ(out["B"].preemptions, 0u);
  EXPECT_DOUBLE_EQ(seconds(out["B"].end), 1000);
  EXPECT_EQ(out["chat/r1"].first_start, kTimeNever);
}

TEST(InferenceEngine, ADrainingReplicaStopsWhenItsGpusAreReleased) {
  // Preemption overhead 50 s. A preemptible replica (priority 0) under `priority` with a
  // priority-1 training job C arriving at 200 on the full node: the replica is preempted and
  // drains until 250; the service ends at 220 meanwhile, so at 250 the replica stops instead of
  // going back to the queue, and C starts then.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 4);
  ServiceSpec s = service(100, 220, 4, 1, 1, constant_demand(5));
  s.preemptible = true;
  JobSpec c = job("C", 200, 4, 100);
  c.priority = 1;
  EngineConfig config;
  config.preempt_overhead = from_seconds(50);
  const test::RunOutput out =
      test::run_with_services(fleet, {c}, {s}, "priority", {}, "first_fit", config);
  EXPECT_EQ(out["chat/r1"].state, JobState::Done);
  EXPECT_DOUBLE_EQ(seconds(out["chat/r1"].end), 250);
  EXPECT_EQ(out["chat/r1"].preemptions, 1u);
  EXPECT_DOUBLE_EQ(seconds(out["C"].first_start), 250);
  EXPECT_DOUBLE_EQ(seconds(out["C"].end), 350);
  EXPECT_EQ(out.services[0].replica_preemptions, 1u);
  // GPU time: the replica held 4 GPUs 100..250, C 250..350.
  EXPECT_DOUBLE_EQ(out.totals.replica_gpu_seconds, 4 * 150);
  EXPECT_DOUBLE_EQ(out.totals.allocated_gpu_seconds, 4 * 150 + 4 * 100);
}

TEST(InferenceEngine, AFailedReplicaRestartsElsewhereAndServesAgainAfterItsStartTime) {
  // One 4-GPU replica on two 4-GPU nodes, 10 s start time, 5 req/s, 0..1000 s. It starts on
  // node 0 and serves from 10; node 0 fails at 100 (repaired after an hour): the replica is
  // interrupted, restarts on node 1 at once and serves again from 110. Dropped: [0, 10) and
  // [100, 110), 5 x 20 = 100 requests.
  ServiceSpec s = service(0, 1000, 4, 1, 1, constant_demand(5));
  s.replica_start = from_seconds(10);
  FailureConfig failures;
  ScriptedFailure& node_failure = failures.scripted.emplace_back();  // field by field: see
  node_failure.at = from_seconds(100);                                 // failure_engine_test.cpp
  node_failure.level = FailureLevel::Node;
  node_failure.index = 0;
  node_failure.repair = from_seconds(3600);
  const PolicyInfo* info = find_policy("fifo_backfill");
  std::unique_ptr<Policy> policy = info->make(make_params(*info, {}));
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source({});
  EngineConfig config;
  config.policy_name = "fifo_backfill";
  Engine engine(kTwoNodes, source, *policy, *placement, config);
  FailureModel model(std::move(failures), kTwoNodes.topology, RngStreams(1));
  engine.set_failure_model(model);
  InferenceServices services({s}, kTwoNodes, RngStreams(1));
  engine.set_services(services);
  const RunTotals totals = engine.run();
  const std::vector<ServiceResult> results = services.take_results();
  const std::vector<ReplicaCounts> want = {counts(0, 1, 1, 1, 0), counts(10, 1, 1, 1, 1),
                                           counts(100, 1, 1, 1, 0), counts(110, 1, 1, 1, 1),
                                           counts(1000, 0, 0, 0, 0)};
  EXPECT_EQ(results[0].timeline, want);
  EXPECT_EQ(results[0].replica_interruptions, 1u);
  EXPECT_EQ(results[0].replica_starts, 2u);
  EXPECT_NEAR(results[0].hours[0].dropped, 100, 1e-9);
  EXPECT_DOUBLE_EQ(totals.replica_gpu_seconds, 4 * 1000);
  EXPECT_EQ(engine.jobs()[0].allocation.slices.size(), 0u);
  EXPECT_EQ(engine.jobs()[0].state, JobState::Done);
}

TEST(InferenceServing, RequestsSeeTheRoundTripToTheSiteOfTheirReplica) {
  // Two sites of one 4-GPU node: us-east (the users' region: no delay) and eu-west (100 ms).
  // Two 4-GPU replicas, one per site, serve 10 req/s at 10 req/s each: an M/M/2 pool with half
  // of its capacity 100 ms away. SLO 150 ms: within = (P(T <= 0.15) + P(T <= 0.05)) / 2.
  Fleet fleet{test::test_catalog(), Topology(2), {}, {}, {}, {}, {}};
  for (const char* region : {"us-east", "eu-west"}) {
    const SiteId site = fleet.topology.add_site({region, "XX", region, "own", {}, 0, 0});
    fleet.topology.add_racks(fleet.topology.add_cluster(site, "c"), 1, 1, 4,
                             *fleet.catalog.find("H100"));
  }
  ServiceSpec s = service(0, 1000, 4, 2, 2, constant_demand(10));
  s.slo_ms = 150;
  s.user_region = "us-east";
  s.rtt_ms = {{"eu-west", 100}};
  const test::RunOutput out = test::run_with_services(fleet, {}, {s}, "fifo_backfill");
  const ServiceHour& h = out.services[0].hours[0];
  const MmcQueue q(10, 10, 2);
  EXPECT_NEAR(h.within_slo, 10000 * (2 - q.response_tail(0.15) - q.response_tail(0.05)) / 2, 1e-6);
  EXPECT_NEAR(h.latency_sum_s, 10000 * (q.mean_response_s() + 0.05), 1e-6);
  // The users' p50: half the requests take the 100 ms detour, so it lies above 100 ms.
  EXPECT_GT(h.p50_s, 0.1);
  // A site region without a round trip is an error once the fleet is known.
  s.rtt_ms = {{"ap-south", 100}};
  EXPECT_THROW(test::run_with_services(fleet, {}, {s}, "fifo_backfill"), ConfigError);
}

// One site per region, each of one 4-GPU node, joined by 100 ms WAN links.
Fleet regional_fleet(const std::vector<const char*>& regions, std::vector<WanLink> links) {
  Fleet fleet{test::test_catalog(), Topology(2), {}, {}, {}, {}, {}};
  for (const char* region : regions) {
    const SiteId site = fleet.topology.add_site({region, "XX", region, "own", {}, 0, 0});
    fleet.topology.add_racks(fleet.topology.add_cluster(site, "c"), 1, 1, 4,
                             *fleet.catalog.find("H100"));
  }
  fleet.wan = WanGraph(regions.size(), std::move(links));
  return fleet;
}

TEST(InferenceServing, WithoutATableTheRoundTripComesFromTheWan) {
  // The case above with rtt_ms empty: the WAN's 100 ms link gives the same delays and numbers.
  const Fleet fleet = regional_fleet({"us-east", "eu-west"}, {{SiteId{0}, SiteId{1}, 100, 10}});
  ServiceSpec s = service(0, 1000, 4, 2, 2, constant_demand(10));
  s.slo_ms = 150;
  s.user_region = "us-east";
  const test::RunOutput out = test::run_with_services(fleet, {}, {s}, "fifo_backfill");
  const ServiceHour& h = out.services[0].hours[0];
  const MmcQueue q(10, 10, 2);
  EXPECT_NEAR(h.within_slo, 10000 * (2 - q.response_tail(0.15) - q.response_tail(0.05)) / 2, 1e-6);
  EXPECT_NEAR(h.latency_sum_s, 10000 * (q.mean_response_s() + 0.05), 1e-6);
}

TEST(InferenceServing, ReplicasRunOnlyWhereResidencyAndTheWanAllow) {
  // Sites ap-south (0), us-east (1, the users), eu-west (2); the WAN joins us-east and eu-west
  // only. One 4-GPU replica at 5 req/s of 10: M/M/1. first_fit would take site 0 first.
  const Fleet fleet =
      regional_fleet({"ap-south", "us-east", "eu-west"}, {{SiteId{1}, SiteId{2}, 100, 10}});
  ServiceSpec s = service(0, 1000, 4, 1, 1, constant_demand(5));
  s.user_region = "us-east";
  const MmcQueue q(5, 10, 1);
  const auto latency = [&](const ServiceSpec& spec) {
    return test::run_with_services(fleet, {}, {spec}, "fifo_backfill")
        .services[0]
        .hours[0]
        .latency_sum_s;
  };
  // Any site: ap-south cannot reach the users, so the replica lands in us-east, no delay.
  EXPECT_NEAR(latency(s), 5000 * q.mean_response_s(), 1e-6);
  // Residency eu-west: 100 ms from the users although us-east is free.
  s.allowed_sites = 0b100;
  EXPECT_NEAR(latency(s), 5000 * (q.mean_response_s() + 0.1), 1e-6);
  // Residency ap-south only: no site left, an error once the fleet is known.
  s.allowed_sites = 0b001;
  EXPECT_THROW(latency(s), ConfigError);
}

}  // namespace
}  // namespace fleetsim
