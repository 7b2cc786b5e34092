// SyntheticGenerator: a pure function of (config, seed); Poisson arrivals at the configured
// rate; sizes and durations with the configured distributions; and one RNG stream per
// attribute, so changing one attribute's distribution leaves the others' draws alone.
// The statistical checks use 100,000 draws with a fixed seed; each tolerance is several
// standard errors wide (worked out in the comment), and tight enough that a wrong formula fails.
#include "sim/workload/synthetic_generator.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_fleet.hpp"

namespace fleetsim {
namespace {

const GpuCatalog& catalog() {
  static const GpuCatalog c = test::test_catalog();
  return c;
}

SyntheticConfig base_config(std::uint64_t jobs) {
  SyntheticConfig c;
  c.jobs = jobs;
  c.rate_per_hour = 3600;  // one job per second on average
  c.gpu_values = {1, 2, 4, 8};
  c.gpu_weights = {5, 3, 1.5, 0.5};
  c.duration.kind = DurationDistribution::Kind::Lognormal;
  c.duration.median_s = 600;
  c.duration.sigma = 1.0;
  c.tenants = 4;
  c.preemptible_fraction = 0.25;
  return c;
}

std::vector<JobSpec> generate(const SyntheticConfig& config, std::uint64_t seed) {
  SyntheticGenerator gen(config, catalog(), RngStreams(seed));
  std::vector<JobSpec> jobs;
  while (std::optional<JobSpec> job = gen.next()) jobs.push_back(std::move(*job));
  return jobs;
}

std::vector<double> durations_s(const std::vector<JobSpec>& jobs) {
  std::vector<double> d;
  for (const JobSpec& j : jobs) d.push_back(to_seconds(j.duration));
  std::sort(d.begin(), d.end());
  return d;
}

// Empirical quantile of sorted values (nearest rank is enough at n = 100,000).
double quantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

TEST(SyntheticGenerator, MakesExactlyTheConfiguredNumberOfJobs) {
  const std::vector<JobSpec> jobs = generate(base_config(250), 1);
  ASSERT_EQ(jobs.size(), 250u);
  EXPECT_EQ(jobs.front().name, "job-0");
  EXPECT_EQ(jobs.back().name, "job-249");
}

TEST(SyntheticGenerator, SameSeedGivesTheSameJobs) {
  const std::vector<JobSpec> a = generate(base_config(2000), 42);
  const std::vector<JobSpec> b = generate(base_config(2000), 42);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].submit, b[i].submit);
    EXPECT_EQ(a[i].gpus, b[i].gpus);
    EXPECT_EQ(a[i].duration, b[i].duration);
    EXPECT_EQ(a[i].tenant, b[i].tenant);
    EXPECT_EQ(a[i].preemptible, b[i].preemptible);
  }
}

TEST(SyntheticGenerator, DifferentSeedGivesDifferentJobs) {
  const std::vector<JobSpec> a = generate(base_config(200), 1);
  const std::vector<JobSpec> b = generate(base_config(200), 2);
  int same_submit = 0, same_duration = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    same_submit += a[i].submit == b[i].submit;
    same_duration += a[i].duration == b[i].duration;
  }
  EXPECT_EQ(same_submit, 0);  // microsecond times of continuous draws: equal only by a bug
  EXPECT_EQ(same_duration, 0);
}

TEST(SyntheticGenerator, SubmitTimesAscend) {
  const std::vector<JobSpec> jobs = generate(base_config(10000), 3);
  for (std::size_t i = 1; i < jobs.size(); ++i) ASSERT_LE(jobs[i - 1].submit, jobs[i].submit);
  EXPECT_GT(jobs.front().submit, 0);  // the first arrival is one gap after time 0
}

TEST(SyntheticGenerator, PoissonArrivalsHaveTheConfiguredMeanGap) {
  // rate 3,600/h = 1 job/s: exponential gaps of mean 1 s and sd 1 s. The mean of 100,000 gaps
  // (= last submit / n) has standard error 1 / sqrt(100,000) = 0.0032 s; 1.5 % is 4.7 of them.
  const std::vector<JobSpec> jobs = generate(base_config(100000), 5);
  const double mean_gap_s = to_seconds(jobs.back().submit) / static_cast<double>(jobs.size());
  EXPECT_NEAR(mean_gap_s, 1.0, 0.015);
  // Exponential gaps: the share of gaps shorter than the mean is 1 - 1/e = 0.632 (se 0.0015).
  int short_gaps = 0;
  SimTime previous = 0;
  for (const JobSpec& j : jobs) {
    short_gaps += (j.submit - previous) < kMicrosPerSecond;
    previous = j.submit;
  }
  EXPECT_NEAR(short_gaps / 100000.0, 1.0 - std::exp(-1.0), 0.008);
}

TEST(SyntheticGenerator, ArrivalRateScalesTheGaps) {
  // 36,000/h = one job every 0.1 s.
  SyntheticConfig c = base_config(100000);
  c.rate_per_hour = 36000;
  const std::vector<JobSpec> jobs = generate(c, 5);
  EXPECT_NEAR(to_seconds(jobs.back().submit) / 100000.0, 0.1, 0.0015);
}

TEST(SyntheticGenerator, CategoricalSizesFollowTheNormalisedWeights) {
  // Weights 5 : 3 : 1.5 : 0.5 of 10 -> 0.50, 0.30, 0.15, 0.05. The share of p over 100,000
  // draws has sd sqrt(p(1-p)/n) <= 0.0016; 0.008 is at least 5 of them.
  const std::vector<JobSpec> jobs = generate(base_config(100000), 11);
  std::map<std::uint32_t, int> counts;
  for (const JobSpec& j : jobs) ++counts[j.gpus];
  ASSERT_EQ(counts.size(), 4u);  // no size outside the values
  EXPECT_NEAR(counts[1] / 100000.0, 0.50, 0.008);
  EXPECT_NEAR(counts[2] / 100000.0, 0.30, 0.008);
  EXPECT_NEAR(counts[4] / 100000.0, 0.15, 0.008);
  EXPECT_NEAR(counts[8] / 100000.0, 0.05, 0.008);
}

TEST(SyntheticGenerator, ZeroWeightSizeIsNeverDrawn) {
  SyntheticConfig c = base_config(20000);
  c.gpu_weights = {1, 0, 1, 0};
  for (const JobSpec& j : generate(c, 2)) ASSERT_TRUE(j.gpus == 1 || j.gpus == 4) << j.gpus;
}

TEST(SyntheticGenerator, EmpiricalDurationsHitTheConfiguredQuantiles) {
  // Points (0, 1 s), (0.5, 100 s), (0.9, 1,000 s), (1, 10,000 s), log-linear in between.
  // p50 -> 100 s and p90 -> 1,000 s. Between 0.5 and 0.9, ln(seconds) rises ln(10) over 0.4, so
  // p70 = exp(ln 100 + 0.5 ln 10) = 316.2 s (a linear interpolation would give 550 s).
  // The sample quantile's sd in q is sqrt(q(1-q)/n) <= 0.0016; times the steepest slope of
  // ln(seconds), ln(100)/0.5 = 9.2, that is 1.5 % in seconds; 5 % is over 3 of them.
  SyntheticConfig c = base_config(100000);
  c.duration = {};
  c.duration.kind = DurationDistribution::Kind::Empirical;
  c.duration.points = {{0, 1}, {0.5, 100}, {0.9, 1000}, {1, 10000}};
  const std::vector<double> d = durations_s(generate(c, 13));
  EXPECT_NEAR(quantile(d, 0.5), 100, 5);
  EXPECT_NEAR(quantile(d, 0.9), 1000, 50);
  EXPECT_NEAR(quantile(d, 0.7), 316.2, 316.2 * 0.05);
  EXPECT_GE(d.front(), 1.0);
  EXPECT_LE(d.back(), 10000.0);
}

TEST(SyntheticGenerator, LognormalMedianIsTheConfiguredMedian) {
  // median_s = 600, sigma = 1: the sample median of ln(d) has sd 1.2533 sigma / sqrt(n) = 0.004,
  // i.e. 0.4 % in seconds; 2 % is 5 of them. Reading median_s as the mean would put the median
  // at 600 / exp(0.5) = 364 s.
  const std::vector<double> d = durations_s(generate(base_config(100000), 17));
  EXPECT_NEAR(quantile(d, 0.5), 600, 12);
  // sigma: the 84.13th percentile of a lognormal is median x e^sigma = 1,631 s (within 3 %).
  EXPECT_NEAR(quantile(d, 0.8413), 600 * std::exp(1.0), 600 * std::exp(1.0) * 0.03);
}

TEST(SyntheticGenerator, ExponentialDurationsHaveTheConfiguredMean) {
  // mean 3,600 s, sd 3,600 s: standard error of the mean over 100,000 = 11.4 s; 60 s is 5 of them.
  SyntheticConfig c = base_config(100000);
  c.duration = {};
  c.duration.kind = DurationDistribution::Kind::Exponential;
  c.duration.mean_s = 3600;
  const std::vector<double> d = durations_s(generate(c, 19));
  double sum = 0;
  for (double x : d) sum += x;
  EXPECT_NEAR(sum / static_cast<double>(d.size()), 3600, 60);
}

TEST(SyntheticGenerator, ConstantDurationIsExact) {
  SyntheticConfig c = base_config(100);
  c.duration = {};
  c.duration.kind = DurationDistribution::Kind::Constant;
  c.duration.value_s = 90.5;
  for (const JobSpec& j : generate(c, 1)) ASSERT_EQ(j.duration, 90'500'000);
}

TEST(SyntheticGenerator, ChangingTheSizeMixDoesNotMoveArrivalsOrDurations) {
  SyntheticConfig other = base_config(5000);
  other.gpu_values = {16, 32};
  other.gpu_weights = {1, 1};
  const std::vector<JobSpec> a = generate(base_config(5000), 23);
  const std::vector<JobSpec> b = generate(other, 23);
  ASSERT_EQ(a.size(), b.size());
  int sizes_differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].submit, b[i].submit) << i;
    ASSERT_EQ(a[i].duration, b[i].duration) << i;
    ASSERT_EQ(a[i].tenant, b[i].tenant) << i;
    ASSERT_EQ(a[i].preemptible, b[i].preemptible) << i;
    sizes_differ += a[i].gpus != b[i].gpus;
  }
  EXPECT_EQ(sizes_differ, 5000);  // no overlap between {1, 2, 4, 8} and {16, 32}
}

TEST(SyntheticGenerator, ChangingTheDurationsDoesNotMoveArrivalsOrSizes) {
  SyntheticConfig other = base_config(5000);
  other.duration.kind = DurationDistribution::Kind::Exponential;
  other.duration.mean_s = 10;
  const std::vector<JobSpec> a = generate(base_config(5000), 29);
  const std::vector<JobSpec> b = generate(other, 29);
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].submit, b[i].submit) << i;
    ASSERT_EQ(a[i].gpus, b[i].gpus) << i;
  }
}

TEST(SyntheticGenerator, ChangingTheRateKeepsSizesAndDurations) {
  SyntheticConfig fast = base_config(1000);
  fast.rate_per_hour = 7200;
  const std::vector<JobSpec> a = generate(base_config(1000), 31);
  const std::vector<JobSpec> b = generate(fast, 31);
  EXPECT_LT(b.back().submit, a.back().submit);
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].gpus, b[i].gpus) << i;
    ASSERT_EQ(a[i].duration, b[i].duration) << i;
  }
}

TEST(SyntheticGenerator, TenantsArePickedUniformlyFromTZeroToTNMinusOne) {
  // 4 tenants: each share 0.25 with sd 0.0014 over 100,000; 0.008 is over 5 of them.
  const std::vector<JobSpec> jobs = generate(base_config(100000), 37);
  std::map<std::string, int> counts;
  for (const JobSpec& j : jobs) ++counts[j.tenant];
  ASSERT_EQ(counts.size(), 4u);
  for (const char* t : {"t0", "t1", "t2", "t3"})
    EXPECT_NEAR(counts[t] / 100000.0, 0.25, 0.008) << t;
}

TEST(SyntheticGenerator, PreemptibleFractionIsTheShareOfPreemptibleJobs) {
  const std::vector<JobSpec> jobs = generate(base_config(100000), 41);
  const auto preemptible =
      std::count_if(jobs.begin(), jobs.end(), [](const JobSpec& j) { return j.preemptible; });
  EXPECT_NEAR(static_cast<double>(preemptible) / 100000.0, 0.25, 0.008);
}

TEST(SyntheticGenerator, AllowedTypesAndJobClassAreCopiedToEveryJob) {
  SyntheticConfig c = base_config(10);
  c.allowed_gpu_types = {"A100"};
  c.job_class = "llm_training";
  for (const JobSpec& j : generate(c, 1)) {
    ASSERT_EQ(j.allowed_types, (std::vector<GpuTypeId>{*catalog().find("A100")}));
    ASSERT_EQ(j.job_class, "llm_training");
    ASSERT_EQ(j.source_line, 0u);
  }
}

TEST(SyntheticGenerator, FlexibleFractionIsTheShareOfJobsWithTheSlack) {
  SyntheticConfig c = base_config(100000);
  c.flexible = {0.3, 12};
  const std::vector<JobSpec> jobs = generate(c, 43);
  const auto flexible = std::count_if(jobs.begin(), jobs.end(), [](const JobSpec& j) {
    return j.start_slack == 12 * kMicrosPerHour;
  });
  const auto any_slack =
      std::count_if(jobs.begin(), jobs.end(), [](const JobSpec& j) { return j.start_slack != 0; });
  EXPECT_EQ(flexible, any_slack);
  // Binomial(100000, 0.3): sd = sqrt(0.3 x 0.7 / 100000) = 0.00145; 0.006 is 4 sd.
  EXPECT_NEAR(static_cast<double>(flexible) / 100000.0, 0.3, 0.006);
}

TEST(SyntheticGenerator, TurningFlexibleJobsOnChangesNoOtherDraw) {
  SyntheticConfig off = base_config(5000);
  off.tenants = 7;
  SyntheticConfig on = off;
  on.flexible = {0.5, 6};
  const std::vector<JobSpec> a = generate(off, 9);
  const std::vector<JobSpec> b = generate(on, 9);
  ASSERT_EQ(a.size(), b.size());
  std::size_t flexible = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].submit, b[i].submit) << i;
    ASSERT_EQ(a[i].gpus, b[i].gpus) << i;
    ASSERT_EQ(a[i].duration, b[i].duration) << i;
    ASSERT_EQ(a[i].tenant, b[i].tenant) << i;
    ASSERT_EQ(a[i].preemptible, b[i].preemptible) << i;
    ASSERT_EQ(a[i].start_slack, 0) << i;
    flexible += b[i].start_slack > 0;
  }
  EXPECT_GT(flexible, 2000u);
  EXPECT_LT(flexible, 3000u);
}

TEST(SyntheticGenerator, FractionalSharesGoToThatShareOfOneGpuJobsOnly) {
  // Sizes 1/2/4/8 at 0.50/0.30/0.15/0.05: ~50,000 1-GPU jobs, 40 % of them fractional. That
  // share has sd sqrt(0.4 x 0.6 / 50,000) = 0.0022; 0.01 is 4.5 sd. Each of the two shares is
  // half of the ~20,000 fractional jobs, sd sqrt(0.25 / 20,000) = 0.0035; 0.015 is 4.2 sd.
  SyntheticConfig c = base_config(100000);
  c.fractional = {0.4, {250, 500}};
  std::map<std::uint16_t, int> shares;
  int one_gpu = 0;
  for (const JobSpec& j : generate(c, 47)) {
    one_gpu += j.gpus == 1;
    if (j.gpu_milli == 1000) continue;
    ASSERT_EQ(j.gpus, 1u) << j.name;  // a share is of one GPU
    ++shares[j.gpu_milli];
  }
  ASSERT_EQ(shares.size(), 2u);  // only the listed shares
  const int fractional = shares[250] + shares[500];
  EXPECT_NEAR(static_cast<double>(fractional) / one_gpu, 0.4, 0.01);
  EXPECT_NEAR(static_cast<double>(shares[250]) / fractional, 0.5, 0.015);
}

TEST(SyntheticGenerator, FractionOneGivesEveryOneGpuJobItsShare) {
  SyntheticConfig c = base_config(1000);
  c.gpu_values = {1};
  c.gpu_weights = {1};
  c.fractional = {1.0, {300}};
  for (const JobSpec& j : generate(c, 3)) ASSERT_EQ(j.gpu_milli, 300) << j.name;
}

TEST(SyntheticGenerator, TurningFractionalJobsOnChangesNoOtherDraw) {
  SyntheticConfig off = base_config(5000);
  off.flexible = {0.3, 6};
  off.elastic.fraction = 0.3;
  SyntheticConfig on = off;
  on.fractional = {0.5, {100, 900}};
  const std::vector<JobSpec> a = generate(off, 9);
  const std::vector<JobSpec> b = generate(on, 9);
  ASSERT_EQ(a.size(), b.size());
  std::size_t fractional = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].submit, b[i].submit) << i;
    ASSERT_EQ(a[i].gpus, b[i].gpus) << i;
    ASSERT_EQ(a[i].duration, b[i].duration) << i;
    ASSERT_EQ(a[i].tenant, b[i].tenant) << i;
    ASSERT_EQ(a[i].preemptible, b[i].preemptible) << i;
    ASSERT_EQ(a[i].start_slack, b[i].start_slack) << i;
    ASSERT_EQ(a[i].min_gpus, b[i].min_gpus) << i;
    ASSERT_EQ(a[i].max_gpus, b[i].max_gpus) << i;
    ASSERT_EQ(a[i].gpu_milli, 1000) << i;
    fractional += b[i].gpu_milli < 1000;
  }
  // 5,000 x 0.5 (1 GPU) x 0.7 (not elastic: a 1-GPU elastic job ranges 1..2) x 0.5 = 875,
  // sd sqrt(5,000 x 0.175 x 0.825) = 27; 750..1,000 is over 4.5 sd either way.
  EXPECT_GT(fractional, 750u);
  EXPECT_LT(fractional, 1000u);
}

TEST(SyntheticGenerator, ElasticJobsNeverTakeAShareAndTheOthersKeepTheirs) {
  // Every job draws its share whether it may take one or not, so making some jobs elastic only
  // takes the share from those: job n's share never depends on another job's draws.
  SyntheticConfig rigid = base_config(5000);
  rigid.fractional = {0.5, {100, 200, 300}};
  SyntheticConfig elastic = rigid;
  elastic.elastic.fraction = 0.5;  // a 1-GPU job becomes 1..2
  const std::vector<JobSpec> a = generate(rigid, 11);
  const std::vector<JobSpec> b = generate(elastic, 11);
  std::size_t lost = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (b[i].elastic()) {
      ASSERT_EQ(b[i].gpu_milli, 1000) << i;
      lost += a[i].gpu_milli < 1000;
    } else {
      ASSERT_EQ(b[i].gpu_milli, a[i].gpu_milli) << i;
    }
  }
  EXPECT_GT(lost, 0u);  // ~5,000 x 0.5 x 0.5 x 0.5 = 625
}

TEST(SyntheticGenerator, OriginOfEveryJobIsTheGpusEntry) {
  SyntheticConfig c = base_config(1);
  c.gpus_origin = {"w.yaml", 7, 3};
  SyntheticGenerator gen(c, catalog(), RngStreams(1));
  const JobSpec job = *gen.next();
  EXPECT_EQ(gen.origin(job).str(), "w.yaml:7:3");
  EXPECT_FALSE(gen.next().has_value());
}

}  // namespace
}  // namespace fleetsim
