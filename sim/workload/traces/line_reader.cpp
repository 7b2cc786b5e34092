#include "sim/workload/traces/line_reader.hpp"

#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <zlib.h>

#include "sim/core/error.hpp"

namespace fleetsim {

LineReader::LineReader(const std::string& path, const std::string& display_path)
    : file_(nullptr), path_(path), display_path_(display_path) {
  // A directory opens as an empty stream on Linux; say so rather than "no header row".
  if (std::filesystem::is_directory(path)) {
    throw ConfigError({display_path, 0, 0}, "", "cannot open trace file: it is a directory");
  }
  // gzopen reads files without the gzip magic bytes unchanged, so one path serves both.
  file_ = gzopen(path.c_str(), "rb");
  if (file_ == nullptr) throw ConfigError({display_path, 0, 0}, "", "cannot open trace file");
  gzbuffer(static_cast<gzFile>(file_), 1 << 17);  // fewer reads; the default is 8 KiB
}

LineReader::~LineReader() {
  if (file_ != nullptr) gzclose(static_cast<gzFile>(file_));
}

bool LineReader::next(std::string& line) {
  auto* gz = static_cast<gzFile>(file_);
  line.clear();
  char buffer[4096];
  bool complete = false;
  // gzgets stops at a newline or a full buffer; a long line takes several calls.
  while (gzgets(gz, buffer, sizeof buffer) != nullptr) {
    const std::size_t n = std::strlen(buffer);
    line.append(buffer, n);
    if (line.size() > kMaxLineBytes + 2) too_long();  // + 2: the "\r\n", not in the line
    if (n > 0 && buffer[n - 1] == '\n') {
      complete = true;
      break;
    }
  }
  // A damaged stream still yields the lines before the damage; the error is reported once the
  // data runs out, at the line that could not be read whole.
  if (!complete) {
    int status = Z_OK;
    const char* message = gzerror(gz, &status);
    if (status != Z_OK && status != Z_STREAM_END) {
      // zlib prefixes the file name it was opened with; the position below names it already.
      std::string text = message;
      const std::string prefix = path_ + ": ";
      if (text.compare(0, prefix.size(), prefix) == 0) text.erase(0, prefix.size());
      throw ConfigError({display_path_, static_cast<int>(line_no_ + 1), 0}, "",
                        "cannot read compressed data: " + text);
    }
    if (line.empty()) return false;
  }
  ++line_no_;
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > kMaxLineBytes) {
    --line_no_;
    too_long();
  }
  return true;
}

void LineReader::too_long() const {
  throw ConfigError({display_path_, static_cast<int>(line_no_ + 1), 0}, "",
                    fmt::format("line longer than {} bytes: not a row of this format",
                                kMaxLineBytes));
}

}  // namespace fleetsim
