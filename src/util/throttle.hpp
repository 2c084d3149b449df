// Counts a recurring event and says when it is worth a log line: at most one per interval, carrying
// the number of occurrences since the previous one, so that a condition repeating thousands of
// times a second (accept failing for lack of descriptors, a flood of idle connections) costs one
// line. Not thread-safe: each counter is used by one thread or under its owner's lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace switchboard::util {

class ThrottledCounter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ThrottledCounter(Clock::duration interval) : interval_(interval) {}

  // Counts `n` occurrences. When a line is due (the first occurrence, or the interval has passed
  // since the last line) returns the occurrences to report, these included, and starts a new
  // interval; otherwise returns 0.
  std::size_t add(std::size_t n = 1, Clock::time_point now = Clock::now());
  // The occurrences not yet reported, forgotten (reported by the caller some other way); the
  // interval keeps running.
  std::size_t take();
  std::size_t unreported() const { return unreported_; }

 private:
  Clock::duration interval_;
  std::optional<Clock::time_point> last_line_;
  std::size_t unreported_ = 0;
};

}  // namespace switchboard::util
