// Reads a text file line by line, plain or gzip-compressed (zlib detects which from the bytes),
// so a compressed trace is streamed and never held whole in memory.
#pragma once

#include <cstddef>
#include <string>

namespace fleetsim {

class LineReader {
 public:
  // Longer lines are an error, not a string grown to the size of the file: the longest row of
  // any trace we ship is under 3 KB, and a file without newlines is not a trace.
  static constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;

  // Throws ConfigError naming `display_path` when the file cannot be opened or is a directory.
  LineReader(const std::string& path, const std::string& display_path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" or "\r\n"; false at the end of the file. A corrupt or
  // truncated gzip stream, or a line over kMaxLineBytes, is a ConfigError naming the file and
  // the line reached.
  bool next(std::string& line);
  // 1-based number of the line last returned by next().
  std::size_t line_number() const { return line_no_; }
  const std::string& display_path() const { return display_path_; }

 private:
  [[noreturn]] void too_long() const;  // the ConfigError for line line_no_ + 1

  void* file_;  // gzFile; void* keeps zlib.h out of every includer
  std::string path_;
  std::string display_path_;
  std::size_t line_no_ = 0;
};

}  // namespace fleetsim
