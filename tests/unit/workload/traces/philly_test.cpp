// The philly reader on four real rows of philly.csv (tests/data/traces/excerpts/philly.csv,
// ending with the blank line the real file ends with): date-times to seconds, time zero at the
// earliest submit, VC filter, time window.
#include <gtest/gtest.h>

#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

using test::excerpt_options;
using test::read_excerpt;

TEST(PhillyTrace, RowsBecomeJobsWithSubmitRelativeToTheEarliestRow) {
  const TraceReadResult r = read_excerpt(excerpt_options("philly", "philly.csv"));
  ASSERT_EQ(r.jobs.size(), 4u);
  EXPECT_EQ(r.rows, 4u);  // the trailing blank line is not a row
  EXPECT_EQ(r.rejected, 0u);
  // Earliest: 2017-09-29 07:58:32 UTC = 1483228800 (2017-01-01) + 271 d x 86400 + 28712 s.
  EXPECT_EQ(r.time_origin_s, 1506671912.0);
  // Line 2, 2017-10-09 07:01:55: 10 d (864000 s) - 56 min 37 s (3397 s) = 860603 s.
  EXPECT_EQ(r.jobs[0].name, "philly-2");
  EXPECT_EQ(r.jobs[0].submit, 860'603'000'000);
  EXPECT_EQ(r.jobs[0].duration, 66'000'000);
  EXPECT_EQ(r.jobs[0].gpus, 1u);
  EXPECT_EQ(r.jobs[0].tenant, "11cb48");
  // Line 3, 2017-10-09 06:13:03: 864000 - 1 h 45 min 29 s (6329 s) = 857671 s.
  EXPECT_EQ(r.jobs[1].submit, 857'671'000'000);
  EXPECT_EQ(r.jobs[1].duration, 2'951'000'000);
  EXPECT_EQ(r.jobs[1].tenant, "6214e9");
  // Line 4 is the earliest.
  EXPECT_EQ(r.jobs[2].submit, 0);
  EXPECT_EQ(r.jobs[2].duration, 860'662'000'000);
  // Line 5, 2017-10-07 01:11:39, 8 GPUs: 8 d (691200 s) - 6 h 46 min 53 s (24413 s) = 666787 s.
  EXPECT_EQ(r.jobs[3].name, "philly-5");
  EXPECT_EQ(r.jobs[3].submit, 666'787'000'000);
  EXPECT_EQ(r.jobs[3].gpus, 8u);
  EXPECT_EQ(r.jobs[3].duration, 193'256'000'000);
  EXPECT_EQ(r.jobs[3].tenant, "ee9e8c");
  EXPECT_TRUE(r.jobs[3].allowed_types.empty());
  EXPECT_EQ(r.jobs[3].source_line, 5u);
}

TEST(PhillyTrace, VcFilterCountsTheOtherRowsUnderOneReason) {
  TraceOptions o = excerpt_options("philly", "philly.csv");
  o.tenants = {"6214e9"};
  const TraceReadResult r = read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].name, "philly-3");
  EXPECT_EQ(r.jobs[0].submit, 0);  // the only job is the earliest
  EXPECT_EQ(r.rejected, 3u);
  EXPECT_EQ(r.rejected_by_reason,
            (std::map<std::string, std::uint64_t>{{"tenant not selected", 3}}));
  EXPECT_EQ(describe_rows(r), "rows read 4, used 1, rejected 3 (tenant not selected: 3)");
}

TEST(PhillyTrace, WindowStartBecomesTimeZero) {
  TraceOptions o = excerpt_options("philly", "philly.csv");
  o.window_start_s = 1506816000;  // 2017-10-01 00:00:00 = 1506671912 - 28712 + 2 d x 86400
  o.window_end_s = 1507507200;    // 2017-10-09 00:00:00: leaves out both 2017-10-09 rows
  const TraceReadResult r = read_excerpt(o);
  ASSERT_EQ(r.jobs.size(), 1u);
  // 2017-10-07 01:11:39 - 2017-10-01 00:00:00 = 6 d (518400 s) + 4299 s.
  EXPECT_EQ(r.jobs[0].submit, 522'699'000'000);
  EXPECT_EQ(r.rejected_by_reason.at("outside the time window"), 3u);
}

TEST(PhillyTrace, DateTimesAreReadAsUtc) {
  EXPECT_EQ(detail::parse_date_time("1970-01-01 00:00:00"), 0.0);
  EXPECT_EQ(detail::parse_date_time("2000-03-01 00:00:01"), 951868801.0);  // after a leap day
  EXPECT_DOUBLE_EQ(*detail::parse_date_time("2023-11-16 18:17:03.9800000"), 1700158623.98);
  EXPECT_FALSE(detail::parse_date_time("2017-13-01 00:00:00"));
  EXPECT_FALSE(detail::parse_date_time("2017-10-01"));
  EXPECT_FALSE(detail::parse_date_time("2017-10-01 00:00:00x"));
  // sscanf alone would read these as 23:00 the day before, 01:00 and 10 s.
  EXPECT_FALSE(detail::parse_date_time("2017-10-09 -1:00:00"));
  EXPECT_FALSE(detail::parse_date_time("2017-10-09 +1:00:00"));
  EXPECT_FALSE(detail::parse_date_time("2017-10-09 00:00:1e1"));
  EXPECT_FALSE(detail::parse_date_time("2017-10-09 00:00:00."));
}

}  // namespace
}  // namespace fleetsim
