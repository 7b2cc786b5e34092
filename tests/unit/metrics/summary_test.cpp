// summarize: job counts by outcome, JCT and queueing-delay distributions, makespan and
// utilisation, on jobs built by hand so every number can be checked with a pencil.
#include "sim/metrics/summary.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

SimTime s(double seconds) { return from_seconds(seconds); }

Job finished(const std::string& name, double submit, double start, double end, std::uint32_t gpus) {
  Job j;
  j.spec = test::job(name, submit, gpus, end - start);
  j.state = JobState::Done;
  j.first_start = s(start);
  j.end = s(end);
  j.run_time = s(end - start);
  return j;
}

// Three jobs on 16 GPUs, all finished:
//   a: submit 0,  start 0,   end 100,  4 GPUs -> JCT 100, delay 0,   400 GPU-s
//   b: submit 10, start 100, end 400,  8 GPUs -> JCT 390, delay 90,  2,400 GPU-s
//   c: submit 20, start 400, end 1000, 2 GPUs -> JCT 980, delay 380, 1,200 GPU-s
// Allocated GPU-s = 4,000 (as the engine would integrate it).
std::vector<Job> three_jobs() {
  return {finished("a", 0, 0, 100, 4), finished("b", 10, 100, 400, 8),
          finished("c", 20, 400, 1000, 2)};
}

RunTotals totals_for_three_jobs() {
  RunTotals t;
  t.end_time = s(1200);  // a sample after the last finish: not part of the makespan
  t.allocated_gpu_seconds = 4000;
  t.last_arrival = s(20);                        // c
  t.allocated_gpu_seconds_at_last_arrival = 80;  // a alone, 4 GPUs x 20 s
  t.total_gpus = 16;
  t.events = 17;
  t.scheduling_passes = 6;
  return t;
}

TEST(Summary, ThreeFinishedJobsByHand) {
  const Summary sum = summarize(three_jobs(), totals_for_three_jobs());
  EXPECT_EQ(sum.jobs, 3u);
  EXPECT_EQ(sum.finished, 3u);
  EXPECT_EQ(sum.never_started + sum.queued_at_end + sum.running_at_end, 0u);

  // JCTs 100, 390, 980.
  EXPECT_EQ(sum.jct_s.count, 3u);
  EXPECT_DOUBLE_EQ(sum.jct_s.mean, 490);  // 1,470 / 3
  EXPECT_DOUBLE_EQ(sum.jct_s.p50, 390);
  EXPECT_DOUBLE_EQ(sum.jct_s.p95, 921);    // rank 1.9: 390 + 0.9 x 590
  EXPECT_DOUBLE_EQ(sum.jct_s.p99, 968.2);  // rank 1.98: 390 + 0.98 x 590
  EXPECT_DOUBLE_EQ(sum.jct_s.max, 980);

  // Queueing delays 0, 90, 380.
  EXPECT_EQ(sum.queue_delay_s.count, 3u);
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.mean, 470.0 / 3);
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.p50, 90);
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.p95, 351);    // 90 + 0.9 x 290
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.p99, 374.2);  // 90 + 0.98 x 290
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.max, 380);

  // Makespan: first submit (0) to last finish (1,000), not to the last event (1,200).
  EXPECT_DOUBLE_EQ(sum.makespan_s, 1000);
  // Utilisation = 4,000 GPU-s / (16 GPUs x 1,000 s) = 0.25.
  EXPECT_DOUBLE_EQ(sum.gpu_utilisation, 0.25);
  // While jobs arrive (0 to 20 s): 80 GPU-s / (16 GPUs x 20 s) = 0.25.
  EXPECT_DOUBLE_EQ(sum.gpu_utilisation_during_arrivals, 0.25);
  EXPECT_DOUBLE_EQ(sum.allocated_gpu_hours, 4000.0 / 3600);
  EXPECT_EQ(sum.total_gpus, 16u);
  EXPECT_EQ(sum.events, 17u);
  EXPECT_EQ(sum.scheduling_passes, 6u);
  EXPECT_EQ(sum.preemptions, 0u);
  EXPECT_EQ(sum.jobs_preempted, 0u);
}

TEST(Summary, MakespanStartsAtTheFirstSubmitNotAtZero) {
  std::vector<Job> jobs = {finished("a", 50, 60, 250, 1), finished("b", 100, 100, 150, 1)};
  RunTotals t;
  t.total_gpus = 2;
  t.allocated_gpu_seconds = 190 + 50;
  t.end_time = s(250);
  const Summary sum = summarize(jobs, t);
  EXPECT_DOUBLE_EQ(sum.makespan_s, 200);               // 250 - 50
  EXPECT_DOUBLE_EQ(sum.gpu_utilisation, 240.0 / 400);  // 240 GPU-s / (2 x 200 s)
  t.last_arrival = s(100);
  t.allocated_gpu_seconds_at_last_arrival = 40;  // a from 60 to 100 s on 1 GPU
  EXPECT_DOUBLE_EQ(summarize(jobs, t).gpu_utilisation_during_arrivals, 40.0 / (2 * 50));
}

TEST(Summary, UnfinishedJobsAreCountedByOutcomeAndMakespanRunsToTheEnd) {
  std::vector<Job> jobs = three_jobs();
  Job never;  // arrived at 30, never got GPUs
  never.spec = test::job("never", 30, 16, 60);
  Job requeued;  // ran from 40 to 70, was preempted twice, is waiting again
  requeued.spec = test::job("requeued", 40, 1, 600);
  requeued.first_start = s(40);
  requeued.preemptions = 2;
  Job running;  // started at 1,100 and still holds GPUs at the horizon
  running.spec = test::job("running", 50, 2, 5000);
  running.state = JobState::Running;
  running.first_start = s(1100);
  running.preemptions = 1;
  jobs.push_back(never);
  jobs.push_back(requeued);
  jobs.push_back(running);
  RunTotals t = totals_for_three_jobs();
  t.end_time = s(1500);  // the horizon
  t.arrivals_after_horizon = 9;

  const Summary sum = summarize(jobs, t);
  EXPECT_EQ(sum.jobs, 6u);
  EXPECT_EQ(sum.finished, 3u);
  EXPECT_EQ(sum.never_started, 1u);
  EXPECT_EQ(sum.queued_at_end, 1u);
  EXPECT_EQ(sum.running_at_end, 1u);
  EXPECT_EQ(sum.arrivals_after_horizon, 9u);
  EXPECT_EQ(sum.jct_s.count, 3u);  // finished jobs only
  // Queue delay counts every started job: 0, 90, 380, 0 (requeued), 1,050 (running).
  EXPECT_EQ(sum.queue_delay_s.count, 5u);
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.max, 1050);
  EXPECT_DOUBLE_EQ(sum.makespan_s, 1500);  // not everything finished: to the end of the run
  EXPECT_DOUBLE_EQ(sum.gpu_utilisation, 4000.0 / (16 * 1500));
  EXPECT_EQ(sum.preemptions, 3u);
  EXPECT_EQ(sum.jobs_preempted, 2u);
}

TEST(Summary, NoJobsIsAllZeros) {
  RunTotals t;
  t.total_gpus = 16;
  const Summary sum = summarize({}, t);
  EXPECT_EQ(sum.jobs, 0u);
  EXPECT_EQ(sum.makespan_s, 0);
  EXPECT_EQ(sum.gpu_utilisation, 0);
  EXPECT_EQ(sum.gpu_utilisation_during_arrivals, 0);
  EXPECT_EQ(sum.jct_s.count, 0u);
}

}  // namespace
}  // namespace fleetsim
