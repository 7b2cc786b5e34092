// Reads an excerpt from tests/data/traces/excerpts/ with read_trace() against the test catalog
// (H100_SXM reference, A100), so each format test states only options and hand-computed jobs.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "sim/core/error.hpp"
#include "sim/workload/traces/trace_reader.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/test_fleet.hpp"

namespace fleetsim::test {

inline std::string excerpt(const std::string& name) {
  return source_path("tests/data/traces/excerpts/" + name);
}

inline TraceOptions excerpt_options(const std::string& format, const std::string& file) {
  TraceOptions o;
  o.format = format;
  o.path = excerpt(file);
  o.display_path = file;
  return o;
}

inline const GpuCatalog& trace_test_catalog() {
  static const GpuCatalog c = test_catalog();
  return c;
}

inline TraceReadResult read_excerpt(const TraceOptions& o) {
  return read_trace(o, trace_test_catalog());
}

// The ConfigError message read_trace() throws, or "no ConfigError".
inline std::string read_error(const TraceOptions& o) {
  try {
    read_excerpt(o);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

}  // namespace fleetsim::test
