// UTC dates and times as written in configs ("2026-03-01", "2026-03-01T06:00", "...:30Z"),
// turned into Unix seconds. The standard library's calendar types do the date arithmetic;
// only the digits are read here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fleetsim {

// Unix seconds of a UTC "YYYY-MM-DD[THH:MM[:SS]][Z]", or nullopt if it is not one (or names a
// day that does not exist, such as 2026-02-30).
std::optional<std::int64_t> parse_utc(std::string_view text);

}  // namespace fleetsim
