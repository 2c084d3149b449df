// Unit tests for the token bucket behind the negotiate rate limit: a full bucket allows a burst,
// then tokens come back at the rate, never beyond the burst, and a refusal says how long to wait.
#include <gtest/gtest.h>

#include "util/token_bucket.hpp"

namespace {

using switchboard::util::TokenBucket;
using namespace std::chrono_literals;

const auto t0 = TokenBucket::Clock::time_point{} + 1h;

double ms(TokenBucket::Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

TEST(TokenBucket, AllowsTheBurstThenRefuses) {
  TokenBucket bucket(2, 5, t0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.take(t0)) << i;
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_FALSE(bucket.full(t0));
}

TEST(TokenBucket, RefillsAtTheRateAndSaysHowLongToWait) {
  TokenBucket bucket(2, 1, t0);
  EXPECT_TRUE(bucket.take(t0));
  // (Within a microsecond: the bucket counts in floating point.)
  EXPECT_NEAR(ms(bucket.wait(t0)), 500, 1e-3);
  EXPECT_FALSE(bucket.take(t0 + 400ms));
  EXPECT_NEAR(ms(bucket.wait(t0 + 400ms)), 100, 1e-3);
  EXPECT_TRUE(bucket.take(t0 + 500ms));
  EXPECT_FALSE(bucket.take(t0 + 500ms));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket bucket(10, 3, t0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(t0));
  const auto later = t0 + 1h;  // 36,000 tokens' worth of time
  EXPECT_TRUE(bucket.full(later));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(later)) << i;
  EXPECT_FALSE(bucket.take(later));
}

TEST(TokenBucket, AClockGoingBackTakesNothingBack) {
  TokenBucket bucket(1, 1, t0);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0 - 10s));
  EXPECT_TRUE(bucket.take(t0 + 1s));
}

}  // namespace
