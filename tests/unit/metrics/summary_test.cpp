// summarize: job counts by outcome, JCT and queueing-delay distributions, makespan and
// utilisation, on jobs built by hand so every number can be checked with a pencil.
#include "sim/metrics/summary.hpp"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include <fmt/format.h>

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

// three_jobs, then three that did not finish by the horizon at 1,500 s.
std::vector<Job> three_finished_three_not() {
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
  return jobs;
}

RunTotals totals_at_the_horizon() {
  RunTotals t = totals_for_three_jobs();
  t.end_time = s(1500);  // the horizon
  t.arrivals_after_horizon = 9;
  return t;
}

// The figures of three_finished_three_not, whatever order the jobs were added in.
void expect_three_finished_three_not(const Summary& sum) {
  EXPECT_EQ(sum.jobs, 6u);
  EXPECT_EQ(sum.finished, 3u);
  EXPECT_EQ(sum.never_started, 1u);
  EXPECT_EQ(sum.queued_at_end, 1u);
  EXPECT_EQ(sum.running_at_end, 1u);
  EXPECT_EQ(sum.arrivals_after_horizon, 9u);
  EXPECT_EQ(sum.jct_s.count, 3u);  // finished jobs only
  EXPECT_DOUBLE_EQ(sum.jct_s.mean, 490);
  // Queue delay counts every started job: 0, 90, 380, 0 (requeued), 1,050 (running).
  EXPECT_EQ(sum.queue_delay_s.count, 5u);
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.mean, 304);  // 1,520 / 5
  EXPECT_DOUBLE_EQ(sum.queue_delay_s.max, 1050);
  EXPECT_DOUBLE_EQ(sum.makespan_s, 1500);  // not everything finished: to the end of the run
  EXPECT_DOUBLE_EQ(sum.gpu_utilisation, 4000.0 / (16 * 1500));
  EXPECT_EQ(sum.preemptions, 3u);
  EXPECT_EQ(sum.jobs_preempted, 2u);
}

TEST(Summary, UnfinishedJobsAreCountedByOutcomeAndMakespanRunsToTheEnd) {
  expect_three_finished_three_not(summarize(three_finished_three_not(), totals_at_the_horizon()));
}

// The run adds jobs as they finish, then the unfinished ones: backwards (the finished ones last)
// gives the same figures.
TEST(Summary, AccumulatorTakesJobsInAnyOrder) {
  const std::vector<Job> jobs = three_finished_three_not();
  SummaryAccumulator backwards;
  for (auto job = jobs.rbegin(); job != jobs.rend(); ++job) backwards.add(*job);
  expect_three_finished_three_not(backwards.finish(totals_at_the_horizon()));
  // finish() starts the accumulator over.
  backwards.add(jobs[0]);
  const Summary again = backwards.finish(totals_for_three_jobs());
  EXPECT_EQ(again.jobs, 1u);
  EXPECT_EQ(again.jct_s.count, 1u);
  EXPECT_DOUBLE_EQ(again.makespan_s, 100);  // a alone: submit 0, end 100
}

// Figures that are not whole seconds: a sum of doubles taken in finish order would differ from
// one in id order in the last bits. The integer ones are summed exactly and the others sorted
// first, so a shuffled order gives the same bits.
TEST(Summary, AnyOrderGivesTheSameBits) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<Duration> micros(1, 50'000'000'000);  // up to ~14 h, in us
  std::vector<Job> jobs;
  for (int i = 0; i < 300; ++i) {
    Job j = finished(fmt::format("j{}", i), i, i + 1.5, i + 90'000.25, 1 + i % 9);
    j.spec.duration = micros(rng);
    j.lost_time = micros(rng);
    j.staging_time = micros(rng);
    j.checkpoint_time = micros(rng);
    j.restart_time = micros(rng);
    j.recovery_time = micros(rng);
    j.held = i % 3 == 0 ? micros(rng) : 0;
    j.run_time = from_seconds(90'000);
    j.spec.duration += from_seconds(i % 2 == 0 ? 86'400 : 0);  // half are long jobs
    j.interruptions = 1;
    if (i % 4 == 0) {  // elastic
      j.spec.min_gpus = 1;
      j.spec.max_gpus = 16;
      j.gpu_seconds = static_cast<double>(micros(rng)) / 7.0;
    }
    jobs.push_back(j);
  }
  RunTotals t = totals_for_three_jobs();
  t.end_time = from_seconds(100'000);
  const Summary in_order = summarize(jobs, t);
  std::shuffle(jobs.begin(), jobs.end(), rng);
  const Summary shuffled = summarize(jobs, t);
  EXPECT_GT(in_order.long_jobs, 0u);
  EXPECT_GT(in_order.held_jobs, 0u);
  EXPECT_GT(in_order.elastic_jobs, 0u);
  for (const auto& [name, field] : std::vector<std::pair<const char*, double Summary::*>>{
           {"lost", &Summary::lost_gpu_hours},
           {"staging", &Summary::staging_gpu_hours},
           {"checkpoint", &Summary::checkpoint_gpu_hours},
           {"restart", &Summary::restart_gpu_hours},
           {"goodput", &Summary::goodput},
           {"held work", &Summary::held_work_gpu_hours},
           {"mean hold", &Summary::mean_hold_s},
           {"mean recovery", &Summary::mean_recovery_s},
           {"ettr", &Summary::long_job_ettr},
           {"elastic", &Summary::elastic_gpu_hours}}) {
    EXPECT_EQ(in_order.*field, shuffled.*field) << name;  // bit for bit
  }
  EXPECT_EQ(in_order.jct_s.mean, shuffled.jct_s.mean);
  EXPECT_EQ(in_order.queue_delay_s.mean, shuffled.queue_delay_s.mean);
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
