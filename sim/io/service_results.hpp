// The inference part of a results folder: services.csv (one row per service per clock hour)
// and the `services` block of summary.json. Written only when the workload has services, so
// runs without them keep their exact bytes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/io/run_scenario.hpp"

namespace fleetsim {

// Columns: service, hour_start_s, seconds (of the hour the service was live), demand_rps,
// served_rps, dropped_rps, slo_attainment, latency_mean_ms, latency_p50_ms, latency_p99_ms,
// replicas_target, replicas_serving, replicas_held, gpus (time averages over the live seconds).
// Empty cell: undefined (no demand, nothing served); "inf": unbounded (overload).
std::string services_csv(const RunResult& result);

// Per service totals (sim/metrics/service_summary.hpp) plus the fleet-wide figures.
nlohmann::ordered_json services_json(const RunResult& result);

}  // namespace fleetsim
