// The three run-ending errors: ConfigError's one-line "file:line:col: field: message" format,
// and FLEETSIM_CHECK raising InternalError with the source position of the check.
#include "sim/core/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fleetsim {
namespace {

TEST(SourcePos, PrintsOnlyThePartsItKnows) {
  EXPECT_EQ((SourcePos{"eu.yaml", 14, 7}).str(), "eu.yaml:14:7");
  EXPECT_EQ((SourcePos{"philly.csv", 1042, 0}).str(), "philly.csv:1042");
  EXPECT_EQ((SourcePos{"eu.yaml", 0, 5}).str(), "eu.yaml");  // no line: the column means nothing
  EXPECT_EQ((SourcePos{"eu.yaml", 0, 0}).str(), "eu.yaml");
}

TEST(ConfigError, MessageIsFileLineColumnFieldMessage) {
  const ConfigError e({"configs/fleets/eu.yaml", 14, 7}, "sites[1].power_cap_mw",
                      "expected a positive number, got \"lots\"");
  EXPECT_STREQ(e.what(),
               "configs/fleets/eu.yaml:14:7: sites[1].power_cap_mw: expected a positive number, "
               "got \"lots\"");
}

TEST(ConfigError, AtFormatsItsArguments) {
  const ConfigError e = ConfigError::at({"scenario.yaml", 3, 9}, "policy.name",
                                        "unknown policy \"{}\"; known: {}", "sfj", "fifo, sjf");
  EXPECT_STREQ(e.what(),
               "scenario.yaml:3:9: policy.name: unknown policy \"sfj\"; known: fifo, sjf");
}

TEST(ConfigError, EscapesControlCharactersSoTheMessageStaysOneLine) {
  // A newline from a CSV cell (a fuzz finding) and a NUL byte; a tab is left as it is.
  EXPECT_STREQ(ConfigError({"t.csv", 1, 0}, "x\ny", "unknown column\r\x01\x7f\t.").what(),
               "t.csv:1: x\\ny: unknown column\\r\\x01\\x7f\t.");
  EXPECT_STREQ(ConfigError({"s.yaml", 3, 1}, "", std::string("a\0b", 3)).what(),
               "s.yaml:3:1: a\\x00b");
}

TEST(ConfigError, LeavesOutAnEmptyFieldAndUnknownPositionParts) {
  EXPECT_STREQ(ConfigError({"jobs.csv", 12, 0}, "gpus", "not an integer").what(),
               "jobs.csv:12: gpus: not an integer");
  EXPECT_STREQ(ConfigError({"jobs.csv", 12, 3}, "", "empty row").what(),
               "jobs.csv:12:3: empty row");
}

TEST(ConfigError, IsARuntimeErrorAndNotAPolicyOrInternalError) {
  try {
    throw ConfigError({"a.yaml", 1, 1}, "x", "y");
  } catch (const PolicyError&) {
    FAIL() << "caught as PolicyError";
  } catch (const InternalError&) {
    FAIL() << "caught as InternalError";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "a.yaml:1:1: x: y");
  }
}

TEST(FleetsimCheck, PassesSilentlyWhenTheConditionHolds) {
  EXPECT_NO_THROW(FLEETSIM_CHECK(1 + 1 == 2, "arithmetic broke: {}", 1 + 1));
}

TEST(FleetsimCheck, ThrowsInternalErrorNamingFileLineConditionAndMessage) {
  const int line = __LINE__ + 2;
  try {
    FLEETSIM_CHECK(2 + 2 == 5, "got {} GPUs on node {}", 3, "n7");
    FAIL() << "FLEETSIM_CHECK did not throw";
  } catch (const InternalError& e) {
    const std::string want = std::string("internal error at ") + __FILE__ + ":" +
                             std::to_string(line) +
                             ": check `2 + 2 == 5` failed: got 3 GPUs on node n7";
    EXPECT_EQ(e.what(), want);
  }
}

TEST(FleetsimCheck, EvaluatesTheMessageOnlyOnFailure) {
  int formatted = 0;
  auto count = [&] { return ++formatted; };
  FLEETSIM_CHECK(true, "{}", count());
  EXPECT_EQ(formatted, 0);
  EXPECT_THROW(FLEETSIM_CHECK(false, "{}", count()), InternalError);
  EXPECT_EQ(formatted, 1);
}

}  // namespace
}  // namespace fleetsim
