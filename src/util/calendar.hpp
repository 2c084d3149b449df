// Calendar arithmetic for timestamps: days since the Unix epoch to a proleptic Gregorian date, and
// seconds + nanoseconds since the epoch to ISO-8601 UTC text (what MessagePack timestamps become
// when a payload is converted to JSON). Total over the whole int64 range: no overflow, no throw.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::util {

struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 (negative before) to a proleptic Gregorian date.
CivilDate civil_from_days(std::int64_t days);

// "YYYY-MM-DDTHH:MM:SSZ", with ".fff", ".ffffff" or ".fffffffff" when `nanoseconds` (< 10^9) is not
// zero; years outside 0..9999 as +YYYYYY / -YYYYYY (like JavaScript's Date).
std::string iso8601_utc(std::int64_t seconds, std::uint32_t nanoseconds);

}  // namespace switchboard::util
