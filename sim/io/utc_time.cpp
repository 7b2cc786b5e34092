#include "sim/io/utc_time.hpp"

#include <charconv>
#include <chrono>

namespace fleetsim {
namespace {

// Reads exactly `digits` decimal digits at `pos`, or fails.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  const char* first = text.data() + pos;
  const auto [end, ec] = std::from_chars(first, first + digits, value);
  if (ec != std::errc{} || end != first + digits) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_utc(std::string_view text) {
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) text.remove_suffix(1);
  if (text.size() != 10 && text.size() != 16 && text.size() != 19) return std::nullopt;
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = read_digits(text, 0, 4);
  const auto month = read_digits(text, 5, 2);
  const auto day = read_digits(text, 8, 2);
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  if (text.size() >= 16) {
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    if (text[13] != ':') return std::nullopt;
    const auto h = read_digits(text, 11, 2);
    const auto m = read_digits(text, 14, 2);
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    hour = *h;
    minute = *m;
  }
  if (text.size() == 19) {
    const auto s = read_digits(text, 17, 2);
    if (text[16] != ':' || !s || *s > 59) return std::nullopt;
    second = *s;
  }
  const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace fleetsim
