// JobTable: a kept table is the jobs by id; one that drops finished jobs gives a retired job's
// slot to the next job and refuses reads of the retired id.
#include "sim/core/job_table.hpp"

#include <gtest/gtest.h>

#include "sim/core/error.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

Job done(Job job) {
  job.state = JobState::Done;
  return job;
}

TEST(JobTable, AKeptTableHoldsEveryJobAtItsIdAndRetiresNothing) {
  JobTable table;
  table.emplace_back(test::job("a", 0, 1, 10));
  table.emplace_back(done(Job(test::job("b", 0, 1, 10))));
  table.retire(JobId{1u});
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[JobId{1u}].spec.name, "b");
  EXPECT_EQ(table.find(JobId{1u}), &table.all()[1]);
  EXPECT_EQ(table.find(JobId{2u}), nullptr);
  EXPECT_EQ(table.id_of(table.all()[1]), JobId{1u});
  EXPECT_NE(table.find(JobId{1u}), nullptr);  // done, and kept
}

TEST(JobTable, ADroppingTableGivesARetiredJobsSlotToTheNextJob) {
  JobTable table(false);
  table.emplace_back(test::job("a", 0, 1, 10));
  table.emplace_back(test::job("b", 0, 1, 10));
  table[JobId{0u}].state = JobState::Done;
  table.retire(JobId{0u});
  Job& c = table.emplace_back(test::job("c", 0, 1, 10));
  // Three ids, two slots: c took a's.
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.slots().size(), 2u);
  EXPECT_EQ(&c, &table.slots()[0]);
  EXPECT_EQ(table.id_of(c), JobId{2u});
  EXPECT_EQ(table[JobId{2u}].spec.name, "c");
  EXPECT_EQ(table[JobId{1u}].spec.name, "b");
  EXPECT_EQ(table.find(JobId{0u}), nullptr);
  EXPECT_THROW((void)table[JobId{0u}], InternalError);
  EXPECT_THROW((void)table.all(), InternalError);
}

TEST(JobTable, OnlyADoneJobIsRetiredAndOnlyOnce) {
  JobTable table(false);
  table.emplace_back(test::job("a", 0, 1, 10));
  EXPECT_THROW(table.retire(JobId{0u}), InternalError);
  table[JobId{0u}].state = JobState::Done;
  table.retire(JobId{0u});
  EXPECT_THROW(table.retire(JobId{0u}), InternalError);
}

}  // namespace
}  // namespace fleetsim
