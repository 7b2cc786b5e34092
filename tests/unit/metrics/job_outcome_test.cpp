// Every job ends with exactly one outcome, named as in jobs.csv.
#include "sim/metrics/job_outcome.hpp"

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

TEST(JobOutcome, DoneIsFinished) {
  Job j;
  j.state = JobState::Done;
  j.first_start = 0;
  EXPECT_EQ(outcome_of(j), JobOutcome::Finished);
}

TEST(JobOutcome, QueuedWithoutAStartIsNeverStarted) {
  Job j;
  EXPECT_EQ(outcome_of(j), JobOutcome::NeverStarted);
}

TEST(JobOutcome, QueuedAfterHavingRunIsQueuedAtEnd) {
  Job j;
  j.first_start = 5;
  j.preemptions = 1;
  EXPECT_EQ(outcome_of(j), JobOutcome::QueuedAtEnd);
}

TEST(JobOutcome, RunningOrDrainingIsRunningAtEnd) {
  Job j;
  j.first_start = 5;
  j.state = JobState::Running;
  EXPECT_EQ(outcome_of(j), JobOutcome::RunningAtEnd);
  j.state = JobState::Draining;  // still holds its GPUs while it checkpoints
  EXPECT_EQ(outcome_of(j), JobOutcome::RunningAtEnd);
}

TEST(JobOutcome, NamesAreTheJobsCsvWords) {
  EXPECT_EQ(outcome_name(JobOutcome::Finished), "finished");
  EXPECT_EQ(outcome_name(JobOutcome::NeverStarted), "never_started");
  EXPECT_EQ(outcome_name(JobOutcome::QueuedAtEnd), "queued_at_end");
  EXPECT_EQ(outcome_name(JobOutcome::RunningAtEnd), "running_at_end");
}

}  // namespace
}  // namespace fleetsim
