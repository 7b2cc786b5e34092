// Simulated time: integer microseconds, so that no rounding accumulates over a simulated year.
// Convert to seconds or hours only at the edges (input parsing, output writing).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace fleetsim {

using SimTime = std::int64_t;   // microseconds since the scenario epoch
using Duration = std::int64_t;  // microseconds

constexpr Duration kMicrosPerSecond = 1'000'000;
constexpr Duration kMicrosPerHour = 3'600 * kMicrosPerSecond;
constexpr SimTime kTimeNever = std::numeric_limits<SimTime>::max();
// The largest number of seconds an input may give (about 3,000 years): anything larger would
// overflow microseconds once added to other times. Loaders reject larger values.
constexpr double kMaxInputSeconds = 1e11;

// Seconds (as read from a config or trace) to simulated time, rounded to the nearest microsecond.
inline Duration from_seconds(double s) { return static_cast<Duration>(std::llround(s * 1e6)); }
inline double to_seconds(Duration d) { return static_cast<double>(d) / 1e6; }
inline double to_hours(Duration d) { return static_cast<double>(d) / 3.6e9; }

}  // namespace fleetsim
