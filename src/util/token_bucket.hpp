// A token bucket: `rate` tokens a second up to `burst`; an event takes one token or is refused,
// and a refusal says how long until the next token. Not thread-safe: the owner locks.
#pragma once

#include <chrono>

namespace switchboard::util {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // Starts full. `rate` > 0, `burst` >= 1.
  TokenBucket(double rate, double burst, Clock::time_point now = Clock::now());

  // Takes a token when there is one.
  bool take(Clock::time_point now = Clock::now());
  // Time until a token is there (zero when one is).
  Clock::duration wait(Clock::time_point now = Clock::now());
  // Whether the bucket is full again (its owner may forget it).
  bool full(Clock::time_point now = Clock::now());

 private:
  void refill(Clock::time_point now);
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point updated_;
};

}  // namespace switchboard::util
