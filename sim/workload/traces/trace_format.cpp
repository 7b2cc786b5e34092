#include "sim/workload/traces/trace_format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include "sim/core/time.hpp"

namespace fleetsim {

const std::vector<TraceFormat>& trace_formats() {
  static const std::vector<TraceFormat> formats = [] {
    std::vector<TraceFormat> all = {detail::gavel_format(),   detail::itp_format(),
                                    detail::openb_format(),   detail::philly_format(),
                                    detail::pollux_format(),  detail::sia_format(),
                                    detail::tiresias_format()};
    std::sort(all.begin(), all.end(),
              [](const TraceFormat& a, const TraceFormat& b) { return a.name < b.name; });
    return all;
  }();
  return formats;
}

const TraceFormat* find_trace_format(const std::string& name) {
  for (const TraceFormat& f : trace_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string trace_format_names() {
  std::string names;
  for (const TraceFormat& f : trace_formats()) names += (names.empty() ? "" : ", ") + f.name;
  return names;
}

const std::vector<TraceFormat>& request_trace_formats() {
  static const std::vector<TraceFormat> formats = {detail::azure_llm_format(),
                                                   detail::dlrm_format(), detail::genai_format(),
                                                   detail::mooncake_format()};
  return formats;
}

const TraceFormat* find_request_trace_format(const std::string& name) {
  for (const TraceFormat& f : request_trace_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string request_trace_format_names() {
  std::string names;
  for (const TraceFormat& f : request_trace_formats()) {
    names += (names.empty() ? "" : ", ") + f.name;
  }
  return names;
}

namespace detail {

std::optional<TraceRowError> parse_optional_seconds(const std::string& field,
                                                    const std::string& text,
                                                    std::optional<double>& out) {
  out.reset();
  if (text.empty()) return std::nullopt;
  double value = 0;
  if (auto e = parse_seconds(field, text, value)) return e;
  out = value;
  return std::nullopt;
}

std::optional<TraceRowError> parse_seconds(const std::string& field, const std::string& text,
                                           double& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc() || ptr != end || !(out >= 0 && out <= kMaxInputSeconds)) {
    return TraceRowError{field,
                         fmt::format("\"{}\" is not a number of seconds in [0, 1e11]", text)};
  }
  return std::nullopt;
}

std::optional<TraceRowError> parse_count(const std::string& field, const std::string& text,
                                         std::uint32_t min, std::uint32_t max, std::uint32_t& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc() || ptr != end || out < min || out > max) {
    return TraceRowError{field,
                         fmt::format("\"{}\" is not an integer in [{}, {}]", text, min, max)};
  }
  return std::nullopt;
}

std::optional<double> parse_date_time(const std::string& text) {
  // Digits exactly where the pattern has them: sscanf alone also takes signs, spaces and
  // exponents ("2017-10-09 -1:00:00" would be 23:00 the day before).
  constexpr std::string_view kPattern = "dddd-dd-dd dd:dd:dd";
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() < kPattern.size()) return std::nullopt;
  for (std::size_t i = 0; i < kPattern.size(); ++i) {
    if (kPattern[i] == 'd' ? !is_digit(text[i]) : text[i] != kPattern[i]) return std::nullopt;
  }
  const std::string_view fraction = std::string_view(text).substr(kPattern.size());
  if (!fraction.empty() && (fraction.size() < 2 || fraction[0] != '.' ||
                            !std::all_of(fraction.begin() + 1, fraction.end(), is_digit))) {
    return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, consumed = 0;
  double s = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
          6 ||
      static_cast<std::size_t>(consumed) != text.size() || text.size() < 19 || mo < 1 || mo > 12 ||
      d < 1 || d > 31 || h > 23 || mi > 59 || !(s >= 0 && s < 61)) {
    return std::nullopt;
  }
  // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = static_cast<long>(era) * 146097 + doe - 719468;
  return static_cast<double>(days) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

std::string file_stem(const std::string& path) {
  std::filesystem::path p = std::filesystem::path(path).filename();
  if (p.extension() == ".gz") p = p.stem();
  return p.stem().string();
}

}  // namespace detail
}  // namespace fleetsim
