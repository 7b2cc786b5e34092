// Demand curves: the diurnal shape at hand-computed hours, weekends and time zones, steps, and
// bursts drawn from the service's own RNG stream.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "sim/inference/demand_curve.hpp"

namespace fleetsim {
namespace {

SimTime hours(double h) { return from_seconds(h * 3600); }

DemandConfig diurnal(double mean_rps) {
  DemandConfig d;
  d.kind = DemandConfig::Kind::Diurnal;
  d.mean_rps = mean_rps;  // amplitude 0.45, peak at 20 h, weekends x 0.75 by default
  d.step = from_seconds(3600);
  return d;
}

TEST(DemandCurve, DiurnalShapeIsTheReferenceFormula) {
  // reference-data.yaml workload.inference_arrivals.diurnal_default:
  // lambda(t) = mean (1 + 0.45 sin(2 pi (t - 14 h) / 24 h)): mean at 14 h, peak 1.45 x mean at
  // 20 h, trough 0.55 x mean at 8 h. Sim time 0 is Monday 00:00 UTC.
  DemandCurve c(diurnal(100), 0, RngStreams(1), "chat");
  EXPECT_NEAR(c.rate_at(hours(14)), 100, 1e-9);
  EXPECT_NEAR(c.rate_at(hours(20)), 145, 1e-9);
  EXPECT_NEAR(c.rate_at(hours(8)), 55, 1e-9);
  for (double h = 0; h < 24; h += 1) {
    EXPECT_NEAR(c.rate_at(hours(h)), 100 * (1 + 0.45 * std::sin(2 * std::numbers::pi * (h - 14) / 24)), 1e-9)
        << h;
  }
  // Steps of an hour: 20:30 still has 20:00's rate; the next change is at 21:00.
  EXPECT_NEAR(c.rate_at(hours(20.5)), 145, 1e-9);
  EXPECT_EQ(c.next_change(hours(20.5)), hours(21));
  // Saturday (day 5) and Sunday (day 6) at 20 h: x 0.75; the next Monday is back to 145.
  EXPECT_NEAR(c.rate_at(hours(5 * 24 + 20)), 108.75, 1e-9);
  EXPECT_NEAR(c.rate_at(hours(6 * 24 + 20)), 108.75, 1e-9);
  EXPECT_NEAR(c.rate_at(hours(7 * 24 + 20)), 145, 1e-9);
}

TEST(DemandCurve, UsersInAnotherTimeZoneSeeTheirLocalHours) {
  DemandConfig d = diurnal(100);
  d.utc_offset_h = -5;  // US east: 01:00 UTC Tuesday is 20:00 Monday there
  DemandCurve c(d, 0, RngStreams(1), "chat");
  EXPECT_NEAR(c.rate_at(hours(25)), 145, 1e-9);
  // Saturday 03:00 UTC is still Friday 22:00 local: no weekend factor.
  EXPECT_NEAR(c.rate_at(hours(5 * 24 + 3)),
              100 * (1 + 0.45 * std::cos(2 * std::numbers::pi * (22.0 - 20) / 24)), 1e-9);
}

TEST(DemandCurve, StepsCountFromTheServiceStart) {
  DemandConfig d;
  d.kind = DemandConfig::Kind::Steps;
  d.points = {{0, 10}, {1000, 40}};
  DemandCurve c(d, from_seconds(500), RngStreams(1), "chat");
  EXPECT_DOUBLE_EQ(c.rate_at(from_seconds(1499)), 10);
  EXPECT_DOUBLE_EQ(c.rate_at(from_seconds(1500)), 40);
  EXPECT_EQ(c.next_change(from_seconds(600)), from_seconds(1500));
  EXPECT_EQ(c.next_change(from_seconds(1500)), kTimeNever);
}

TEST(DemandCurve, BurstsArePoissonFromTheServicesOwnStream) {
  // 2 bursts a day of 10 minutes at x3, over 1000 days: 2000 expected, sd sqrt(2000) = 45;
  // the count must be within 3.29 sd. A rate inside a burst is 3 x the base rate.
  DemandConfig d;
  d.kind = DemandConfig::Kind::Diurnal;
  d.mean_rps = 10;
  d.amplitude = 0;
  d.weekend_factor = 1;
  d.step = from_seconds(86400);  // a flat curve: only the bursts change it
  d.bursts_per_day = 2;
  d.burst_multiplier = 3;
  d.burst_duration = from_seconds(600);
  const auto count_bursts = [&](std::uint64_t seed, const char* name) {
    DemandCurve c(d, 0, RngStreams(seed), name);
    std::uint64_t bursts = 0;
    double previous = 10;
    for (SimTime t = 0; t < hours(24 * 1000); t = c.next_change(t)) {
      const double rate = c.rate_at(t);
      EXPECT_TRUE(rate == 10 || rate == 30) << rate;
      if (rate == 30 && previous == 10) ++bursts;
      previous = rate;
    }
    return bursts;
  };
  const std::uint64_t n = count_bursts(1, "chat");
  EXPECT_NEAR(static_cast<double>(n), 2000, 3.29 * std::sqrt(2000.0));
  EXPECT_EQ(count_bursts(1, "chat"), n);     // a pure function of (seed, service)
  EXPECT_NE(count_bursts(1, "search"), n);   // another service, another stream
  EXPECT_NE(count_bursts(2, "chat"), n);
}

}  // namespace
}  // namespace fleetsim
