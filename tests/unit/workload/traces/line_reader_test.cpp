// LineReader: plain and gzip files give the same lines with the same numbers; CRLF, long lines
// and a last line without newline; a missing file, a folder, a damaged stream and a line over
// the limit are errors.
#include "sim/workload/traces/line_reader.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "sim/core/error.hpp"
#include "tests/support/cli_run.hpp"

namespace fleetsim {
namespace {

std::vector<std::string> lines_of(const std::string& path) {
  LineReader in(path, "t");
  std::vector<std::string> lines;
  std::string line;
  while (in.next(line)) {
    lines.push_back(line);
    EXPECT_EQ(in.line_number(), lines.size());
  }
  return lines;
}

std::string error_of(const std::string& path) {
  try {
    lines_of(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

TEST(LineReader, PlainAndGzipGiveTheSameLines) {
  test::TempDir dir;
  const std::string text = "a,b\r\n" + std::string(10'000, 'x') + "\n\nlast";
  std::ofstream(dir / "t.csv", std::ios::binary) << text;
  gzFile gz = gzopen((dir / "t.csv.gz").c_str(), "wb9");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  const std::vector<std::string> want = {"a,b", std::string(10'000, 'x'), "", "last"};
  EXPECT_EQ(lines_of(dir / "t.csv"), want);
  EXPECT_EQ(lines_of(dir / "t.csv.gz"), want);
}

TEST(LineReader, MissingFileAndFolderAreErrors) {
  test::TempDir dir;
  EXPECT_EQ(error_of(dir / "none.csv"), "t: cannot open trace file");
  EXPECT_EQ(error_of(dir.str()), "t: cannot open trace file: it is a directory");
}

TEST(LineReader, ALineOverTheLimitIsAnErrorAtThatLine) {
  test::TempDir dir;
  // Exactly at the limit (with CRLF) is a line; one byte more is an error, plain or gzip.
  const std::string at_limit(LineReader::kMaxLineBytes, 'x');
  std::ofstream(dir / "ok.csv", std::ios::binary) << "h\n" << at_limit << "\r\n";
  EXPECT_EQ(lines_of(dir / "ok.csv"), (std::vector<std::string>{"h", at_limit}));
  const std::string text = "h\nrow\n" + at_limit + "x\nnext\n";
  std::ofstream(dir / "long.csv", std::ios::binary) << text;
  gzFile gz = gzopen((dir / "long.csv.gz").c_str(), "wb1");
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  const std::string want = "t:3: line longer than 1048576 bytes: not a row of this format";
  EXPECT_EQ(error_of(dir / "long.csv"), want);
  EXPECT_EQ(error_of(dir / "long.csv.gz"), want);
}

TEST(LineReader, TruncatedGzipIsAnErrorAtTheFirstLineNotReadWhole) {
  test::TempDir dir;
  std::string text;
  for (int i = 0; i < 20'000; ++i) text += "row " + std::to_string(i * 7919 % 100'003) + "\n";
  gzFile gz = gzopen((dir / "t.gz").c_str(), "wb9");
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  std::ifstream whole(dir / "t.gz", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(whole)), {});
  std::ofstream(dir / "cut.gz", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  LineReader in(dir / "cut.gz", "cut.gz");
  std::string line;
  std::size_t read = 0;
  try {
    while (in.next(line)) {
      ++read;
      ASSERT_EQ(line, "row " + std::to_string((read - 1) * 7919 % 100'003));  // never garbage
    }
    FAIL() << "no error after " << read << " lines";
  } catch (const ConfigError& e) {
    EXPECT_GT(read, 1'000u);
    EXPECT_EQ(std::string(e.what()), "cut.gz:" + std::to_string(read + 1) +
                                         ": cannot read compressed data: unexpected end of file");
  }
}

}  // namespace
}  // namespace fleetsim
