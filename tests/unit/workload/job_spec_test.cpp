// JobSpec's placement restrictions as the policies ask them: GPU types and sites.
#include "sim/workload/job.hpp"

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

TEST(JobSpec, AllowsEveryGpuTypeWhenNoneIsListedAndOnlyTheListedOnesOtherwise) {
  JobSpec any;
  EXPECT_TRUE(any.allows_type(GpuTypeId{0}));
  EXPECT_TRUE(any.allows_type(GpuTypeId{7}));

  JobSpec some;
  some.allowed_types = {GpuTypeId{2}, GpuTypeId{5}};
  EXPECT_FALSE(some.allows_type(GpuTypeId{0}));
  EXPECT_TRUE(some.allows_type(GpuTypeId{2}));
  EXPECT_FALSE(some.allows_type(GpuTypeId{3}));
  EXPECT_TRUE(some.allows_type(GpuTypeId{5}));
}

TEST(JobSpec, MayRunOnlyAtTheSitesWhoseBitIsSet) {
  JobSpec job;
  EXPECT_TRUE(job.may_run_at(SiteId{0}));
  EXPECT_TRUE(job.may_run_at(SiteId{63}));
  job.allowed_sites = 0b101;
  EXPECT_TRUE(job.may_run_at(SiteId{0}));
  EXPECT_FALSE(job.may_run_at(SiteId{1}));
  EXPECT_TRUE(job.may_run_at(SiteId{2}));
  EXPECT_FALSE(job.may_run_at(SiteId{3}));
}

}  // namespace
}  // namespace fleetsim
