// Calendar arithmetic (see calendar.hpp). civil_from_days follows H. Hinnant's public-domain
// "chrono-compatible low-level date algorithms" (400-year eras starting on March 1st).
#include "util/calendar.hpp"

namespace switchboard::util {
namespace {

void append_padded(std::string& out, std::uint64_t value, std::size_t width) {
  const std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

}  // namespace

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate date;
  date.day = doy - (153 * mp + 2) / 5 + 1;
  date.month = mp < 10 ? mp + 3 : mp - 9;
  date.year = static_cast<std::int64_t>(yoe) + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

std::string iso8601_utc(std::int64_t seconds, std::uint32_t nanoseconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  std::string out;
  if (date.year >= 0 && date.year <= 9999) {
    append_padded(out, static_cast<std::uint64_t>(date.year), 4);
  } else {
    out += date.year < 0 ? '-' : '+';
    const auto magnitude = static_cast<std::uint64_t>(date.year);
    append_padded(out, date.year < 0 ? 0 - magnitude : magnitude, 6);
  }
  out += '-';
  append_padded(out, date.month, 2);
  out += '-';
  append_padded(out, date.day, 2);
  out += 'T';
  append_padded(out, static_cast<std::uint64_t>(rest / 3600), 2);
  out += ':';
  append_padded(out, static_cast<std::uint64_t>(rest / 60 % 60), 2);
  out += ':';
  append_padded(out, static_cast<std::uint64_t>(rest % 60), 2);
  if (nanoseconds != 0) {
    std::string fraction;
    append_padded(fraction, nanoseconds, 9);
    while (fraction.size() > 3 && fraction.compare(fraction.size() - 3, 3, "000") == 0) {
      fraction.resize(fraction.size() - 3);
    }
    out += '.';
    out += fraction;
  }
  out += 'Z';
  return out;
}

}  // namespace switchboard::util
