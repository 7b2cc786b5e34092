// An engine that does not keep finished jobs (EngineConfig::keep_finished_jobs = false): the
// same finishes as one that does, each retired job's slot reused, and a policy that reads a
// job after the pass told of its finish stopped with the job's id.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/core/error.hpp"
#include "sim/policy/registry.hpp"
#include "sim/workload/vector_source.hpp"
#include "tests/support/finished_records.hpp"
#include "tests/support/scripted.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

using test::job;
using test::seconds;

EngineConfig dropping() {
  EngineConfig config;
  config.sample_interval = 0;
  config.keep_finished_jobs = false;
  config.policy_name = "scripted";
  return config;
}

// Runs `jobs` under `policy` on an engine that drops finished jobs, with first_fit placement.
void run_dropping(const Fleet& fleet, Policy& policy, std::vector<JobSpec> jobs) {
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(std::move(jobs));
  Engine engine(fleet, source, policy, *placement, dropping());
  engine.run();
}

TEST(EngineDroppingFinishedJobs, FinishesAtTheSameTimesAndReusesTheFinishedJobsSlots) {
  // 1 node x 8, fifo. A: t=0, 8 GPUs, 100 s -> 0..100. B: t=150, 8 GPUs, 100 s -> 150..250.
  // C and D: t=300, 4 GPUs, 50 s each -> 300..350 side by side. A is retired at the pass at
  // t=100, so B takes its slot; B's goes to C at t=300, D needs a second slot. Allocated:
  // 800 + 800 + 200 + 200 = 2000 GPU-s.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  const std::unique_ptr<Policy> fifo = find_policy("fifo")->make({});
  const std::unique_ptr<Placement> placement = find_placement("first_fit")->make();
  VectorSource source(
      {job("A", 0, 8, 100), job("B", 150, 8, 100), job("C", 300, 4, 50), job("D", 300, 4, 50)});
  Engine engine(fleet, source, *fifo, *placement, dropping());
  test::FinishedRecords finished(engine.job_table());
  engine.add_observer(finished);
  const RunTotals totals = engine.run();

  const std::vector<Job> jobs = finished.all_jobs();
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(seconds(jobs[0].end), 100);
  EXPECT_EQ(seconds(jobs[1].first_start), 150);
  EXPECT_EQ(seconds(jobs[1].end), 250);
  EXPECT_EQ(seconds(jobs[2].end), 350);
  EXPECT_EQ(seconds(jobs[3].end), 350);
  EXPECT_DOUBLE_EQ(totals.allocated_gpu_seconds, 2000.0);
  const JobTable& table = engine.job_table();
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.slots().size(), 2u);
  for (std::size_t id = 0; id < 4; ++id) EXPECT_EQ(table.find(JobId{id}), nullptr) << id;
  EXPECT_THROW((void)engine.jobs(), InternalError);
}

TEST(EngineDroppingFinishedJobs, APolicyTheFinishIsPassedToReadsTheJobInThatPassOnly) {
  // A: t=0, 100 s; B: t=0, 300 s (4 GPUs each on 8). The pass at t=100 is told of A's finish
  // and reads it; the pass at t=300 reads A again, which is gone by then.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  std::optional<JobId> a;
  bool finished_when_told = false;
  test::Scripted policy([&](const SchedulerView& view, Decisions& d) {
    FreeCapacity free = view.free_capacity();
    for (JobId id : view.queued_jobs()) {
      if (view.job(id).spec.name == "A") a = id;
      d.start(id, *free.take(view.job(id).spec));
    }
    for (const JobChange& change : view.changes()) {
      if (change.kind == JobChangeKind::Finished && change.job == *a) {
        finished_when_told = view.job(change.job).state == JobState::Done;
      }
    }
    if (view.now() == from_seconds(300)) (void)view.job(*a);
  });
  EXPECT_THAT([&] { run_dropping(fleet, policy, {job("A", 0, 4, 100), job("B", 0, 4, 300)}); },
              ::testing::ThrowsMessage<InternalError>(::testing::HasSubstr(
                  "job id 0 was read after its finish was passed to the policy, and the engine "
                  "does not keep finished jobs")));
  EXPECT_TRUE(finished_when_told);
}

TEST(EngineDroppingFinishedJobs, PreemptingAFinishedJobIsThePolicysErrorNamingTheJob) {
  // A: t=0, 100 s, finishes; at t=200 (B's arrival) the policy preempts A's id.
  const Fleet fleet = test::single_cluster_fleet(1, 1, 8);
  test::Scripted policy([&](const SchedulerView& view, Decisions& d) {
    FreeCapacity free = view.free_capacity();
    for (JobId id : view.queued_jobs()) d.start(id, *free.take(view.job(id).spec));
    if (view.now() == from_seconds(200)) d.preempt(JobId{0u});
  });
  EXPECT_THAT([&] { run_dropping(fleet, policy, {job("A", 0, 4, 100), job("B", 200, 4, 100)}); },
              ::testing::ThrowsMessage<PolicyError>(::testing::StrEq(
                  "policy scripted: t=200.000000s: preempts job id 0, which finished and was "
                  "dropped after the pass told of it (the engine does not keep finished jobs)")));
}

}  // namespace
}  // namespace fleetsim
