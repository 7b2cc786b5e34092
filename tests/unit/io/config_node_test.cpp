// ConfigNode: every value knows its file, line and column (from 1) and its path from the top
// ("sites[1].clusters[0].name"), so loader errors name all three.
#include "sim/io/config_node.hpp"

#include <string>

#include <gtest/gtest.h>

namespace fleetsim {
namespace {

// Line numbers in the assertions below count from 1 at "name: eu".
const char* const kFleet =
    "name: eu\n"                // 1
    "sites:\n"                  // 2
    "  - name: a\n"             // 3
    "    clusters: []\n"        // 4
    "  - name: b\n"             // 5
    "    power_cap_mw: lots\n"  // 6
    "    clusters:\n"           // 7
    "      - name: c0\n"        // 8
    "        racks: 3\n";       // 9

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

TEST(ConfigNode, CountsLinesAndColumnsFromOne) {
  const ConfigNode root = ConfigNode::load_string(kFleet, "eu.yaml");
  const ConfigNode name = root.at("sites")[1].at("clusters")[0].at("name");
  EXPECT_EQ(name.pos().str(), "eu.yaml:8:15");  // "c0" starts in column 15 of line 8
  EXPECT_EQ(root.at("name").pos().str(), "eu.yaml:1:7");
}

TEST(ConfigNode, PathNamesMapKeysAndListIndices) {
  const ConfigNode root = ConfigNode::load_string(kFleet, "eu.yaml");
  EXPECT_EQ(root.path(), "");
  EXPECT_EQ(root.at("sites").path(), "sites");
  EXPECT_EQ(root.at("sites")[1].path(), "sites[1]");
  EXPECT_EQ(root.at("sites")[1].at("clusters")[0].at("name").path(), "sites[1].clusters[0].name");
}

TEST(ConfigNode, TypedErrorNamesFileLineColumnPathAndTheText) {
  const ConfigNode root = ConfigNode::load_string(kFleet, "eu.yaml");
  EXPECT_EQ(error_of([&] { root.at("sites")[1].at("power_cap_mw").as_positive_double(); }),
            "eu.yaml:6:19: sites[1].power_cap_mw: expected a number, got \"lots\"");
  EXPECT_EQ(error_of([&] { root.at("sites")[1].at("clusters")[0].at("racks")[0]; }),
            "eu.yaml:9:16: sites[1].clusters[0].racks: expected a list, got \"3\"");
}

TEST(ConfigNode, UnknownKeyIsReportedAtTheKeyWithTheAllowedOnes) {
  const ConfigNode root = ConfigNode::load_string(kFleet, "eu.yaml");
  EXPECT_EQ(error_of([&] {
              root.at("sites")[1].check_keys({"name", "clusters"});
            }),
            "eu.yaml:6:5: sites[1].power_cap_mw: unknown key; expected one of: name, clusters");
  EXPECT_NO_THROW(root.at("sites")[0].check_keys({"name", "clusters"}));
}

TEST(ConfigNode, MissingKeyIsReportedAtTheMapThatLacksIt) {
  const ConfigNode root = ConfigNode::load_string(kFleet, "eu.yaml");
  EXPECT_EQ(error_of([&] { root.at("sites")[0].at("region"); }),
            "eu.yaml:3:5: sites[0].region: missing required key");
  EXPECT_FALSE(root.at("sites")[0].has("region"));
  EXPECT_FALSE(root.at("sites")[0].find("region").has_value());
}

TEST(ConfigNode, ScalarConversionsAcceptWhatTheyPromiseAndRejectTheRest) {
  const ConfigNode n = ConfigNode::load_string(
      "i: 42\nneg: -3\nzero: 0\nx: 2.5\nt: true\nf: false\ns: hello\nlist: [1]\n", "t.yaml");
  EXPECT_EQ(n.at("i").as_int(), 42);
  EXPECT_EQ(n.at("neg").as_int(), -3);
  EXPECT_EQ(n.at("i").as_positive_int(), 42u);
  EXPECT_DOUBLE_EQ(n.at("x").as_double(), 2.5);
  EXPECT_DOUBLE_EQ(n.at("zero").as_non_negative_double(), 0.0);
  EXPECT_TRUE(n.at("t").as_bool());
  EXPECT_FALSE(n.at("f").as_bool());
  EXPECT_EQ(n.at("s").as_string(), "hello");
  EXPECT_EQ(n.get_string("missing", "fallback"), "fallback");
  EXPECT_DOUBLE_EQ(n.get_non_negative("missing", 7.0), 7.0);

  EXPECT_EQ(error_of([&] { n.at("x").as_int(); }),
            "t.yaml:4:4: x: expected an integer, got \"2.5\"");
  EXPECT_EQ(error_of([&] { n.at("zero").as_positive_int(); }),
            "t.yaml:3:7: zero: expected a positive integer, got \"0\"");
  EXPECT_EQ(error_of([&] { n.at("neg").as_positive_int(); }),
            "t.yaml:2:6: neg: expected a positive integer, got \"-3\"");
  EXPECT_EQ(error_of([&] { n.at("zero").as_positive_double(); }),
            "t.yaml:3:7: zero: expected a positive number, got \"0\"");
  EXPECT_EQ(error_of([&] { n.at("neg").as_non_negative_double(); }),
            "t.yaml:2:6: neg: expected a number >= 0, got \"-3\"");
  EXPECT_EQ(error_of([&] { n.at("s").as_bool(); }),
            "t.yaml:7:4: s: expected true or false, got \"hello\"");
  EXPECT_EQ(error_of([&] { n.at("list").as_string(); }),
            "t.yaml:8:7: list: expected a text value, got a list");
  EXPECT_EQ(error_of([&] { n.at("s").keys(); }), "t.yaml:7:4: s: expected a map, got \"hello\"");
}

TEST(ConfigNode, NonFiniteNumbersAreNotNumbers) {
  const ConfigNode n = ConfigNode::load_string("a: .inf\nb: .nan\n", "t.yaml");
  EXPECT_EQ(error_of([&] { n.at("a").as_double(); }),
            "t.yaml:1:4: a: expected a number, got \".inf\"");
  EXPECT_EQ(error_of([&] { n.at("b").as_positive_double(); }),
            "t.yaml:2:4: b: expected a number, got \".nan\"");
}

TEST(ConfigNode, NullValueIsReportedAsNothing) {
  const ConfigNode n = ConfigNode::load_string("a: ~\n", "t.yaml");
  EXPECT_TRUE(n.at("a").is_null());
  EXPECT_EQ(error_of([&] { n.at("a").as_positive_int(); }),
            "t.yaml:1:4: a: expected a positive integer, got nothing");
}

TEST(ConfigNode, KeysComeInFileOrder) {
  const ConfigNode n = ConfigNode::load_string("z: 1\na: 2\nm: 3\n", "t.yaml");
  EXPECT_EQ(n.keys(), (std::vector<std::string>{"z", "a", "m"}));
}

TEST(ConfigNode, SyntaxErrorIsAConfigErrorWithPosition) {
  EXPECT_EQ(error_of([] { ConfigNode::load_string("a: [1, 2\nb: 3\n", "t.yaml"); }),
            "t.yaml:2:2: malformed YAML: end of sequence flow not found");
}

TEST(ConfigNode, TopLevelMustBeAMap) {
  EXPECT_EQ(error_of([] { ConfigNode::load_string("", "t.yaml"); }),
            "t.yaml:1:1: expected a map of settings at the top of the file");
  EXPECT_EQ(error_of([] { ConfigNode::load_string("- a\n- b\n", "t.yaml"); }),
            "t.yaml:1:1: expected a map of settings at the top of the file");
  EXPECT_EQ(error_of([] { ConfigNode::load_string("just text\n", "t.yaml"); }),
            "t.yaml:1:1: expected a map of settings at the top of the file");
}

TEST(ConfigNode, UnreadableFileIsAConfigError) {
  EXPECT_EQ(error_of([] { ConfigNode::load_file("/nonexistent/fleetsim/x.yaml"); }),
            "/nonexistent/fleetsim/x.yaml: cannot open file");
}

}  // namespace
}  // namespace fleetsim
