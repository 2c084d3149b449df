// Unit tests for util/duration: the one rule for durations read (whole seconds in range) and how a
// duration given in fractional seconds is written back (exact to the millisecond).
#include "util/duration.hpp"

#include <gtest/gtest.h>

namespace switchboard::util {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesWholeSecondsInRange) {
  EXPECT_EQ(parse_duration_seconds("0"), 0);
  EXPECT_EQ(parse_duration_seconds("2147483647"), kMaxDurationSeconds);
  EXPECT_EQ(parse_duration_seconds("2147483648"), std::nullopt);
  EXPECT_EQ(parse_duration_seconds("99999999999999999999999"), std::nullopt);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10"})
    EXPECT_EQ(parse_duration_seconds(bad), std::nullopt) << bad;
}

TEST(Duration, FormatsSecondsAsGiven) {
  EXPECT_EQ(format_seconds(200ms), "0.2 s");  // --redis-connect-timeout 0.2 was printed as "0 s"
  EXPECT_EQ(format_seconds(0ms), "0 s");
  EXPECT_EQ(format_seconds(30s), "30 s");
  EXPECT_EQ(format_seconds(1500ms), "1.5 s");
  EXPECT_EQ(format_seconds(1250ms), "1.25 s");
  EXPECT_EQ(format_seconds(1ms), "0.001 s");
  EXPECT_EQ(format_seconds(10010ms), "10.01 s");
  // The largest duration the options take, with a fraction: no exponent, no rounding.
  EXPECT_EQ(format_seconds(std::chrono::milliseconds(kMaxDurationSeconds * 1000 + 500)),
            "2147483647.5 s");
  EXPECT_EQ(format_seconds(-1500ms), "-1.5 s");
  EXPECT_EQ(format_seconds(std::chrono::milliseconds::min()), "-9223372036854775.808 s");
}

}  // namespace
}  // namespace switchboard::util
