// Unit tests for the calendar arithmetic: epoch, leap days, century rules, dates before 1970 and
// beyond year 9999, fractions, and the extremes of int64 seconds (no overflow).
#include "util/calendar.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace switchboard::util {
namespace {

TEST(Calendar, CivilFromDays) {
  const CivilDate epoch = civil_from_days(0);
  EXPECT_EQ(epoch.year, 1970);
  EXPECT_EQ(epoch.month, 1u);
  EXPECT_EQ(epoch.day, 1u);
  const CivilDate leap = civil_from_days(11016);  // 2000-02-29
  EXPECT_EQ(leap.year, 2000);
  EXPECT_EQ(leap.month, 2u);
  EXPECT_EQ(leap.day, 29u);
  const CivilDate before = civil_from_days(-1);
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.month, 12u);
  EXPECT_EQ(before.day, 31u);
}

TEST(Calendar, Iso8601) {
  EXPECT_EQ(iso8601_utc(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(951782400, 0), "2000-02-29T00:00:00Z");
  EXPECT_EQ(iso8601_utc(4107542400, 0), "2100-03-01T00:00:00Z");  // 2100 is not a leap year
  EXPECT_EQ(iso8601_utc(-1, 0), "1969-12-31T23:59:59Z");
  EXPECT_EQ(iso8601_utc(1, 500000000), "1970-01-01T00:00:01.500Z");
  EXPECT_EQ(iso8601_utc(1, 1000), "1970-01-01T00:00:01.000001Z");
  EXPECT_EQ(iso8601_utc(1, 1), "1970-01-01T00:00:01.000000001Z");
  EXPECT_EQ(iso8601_utc(253402300800, 0), "+010000-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(-62167219201, 0), "-000001-12-31T23:59:59Z");
}

TEST(Calendar, ExtremesOfInt64) {
  EXPECT_EQ(iso8601_utc(std::numeric_limits<std::int64_t>::max(), 999999999),
            "+292277026596-12-04T15:30:07.999999999Z");
  EXPECT_EQ(iso8601_utc(std::numeric_limits<std::int64_t>::min(), 0),
            "-292277022657-01-27T08:29:52Z");
}

}  // namespace
}  // namespace switchboard::util
