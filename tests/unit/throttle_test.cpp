// Unit tests for the log-line throttle: the first occurrence is reported at once, later ones at
// most once per interval with the count of everything since the previous line.
#include <gtest/gtest.h>

#include "util/throttle.hpp"

namespace {

using switchboard::util::ThrottledCounter;
using namespace std::chrono_literals;

TEST(ThrottledCounter, ReportsTheFirstThenOncePerIntervalWithTheCount) {
  ThrottledCounter counter(10s);
  const auto t0 = ThrottledCounter::Clock::time_point{} + 1h;
  EXPECT_EQ(counter.add(1, t0), 1u);
  for (int i = 1; i <= 999; ++i) EXPECT_EQ(counter.add(1, t0 + i * 5ms), 0u);
  EXPECT_EQ(counter.unreported(), 999u);
  EXPECT_EQ(counter.add(1, t0 + 10s), 1000u);
  EXPECT_EQ(counter.add(3, t0 + 11s), 0u);
  EXPECT_EQ(counter.add(2, t0 + 25s), 5u);
}

TEST(ThrottledCounter, TakeForgetsTheCountButKeepsTheInterval) {
  ThrottledCounter counter(10s);
  const auto t0 = ThrottledCounter::Clock::time_point{} + 1h;
  EXPECT_EQ(counter.add(1, t0), 1u);
  counter.add(4, t0 + 1s);
  EXPECT_EQ(counter.take(), 4u);
  EXPECT_EQ(counter.add(1, t0 + 2s), 0u);
  EXPECT_EQ(counter.add(1, t0 + 10s), 2u);
}

}  // namespace
