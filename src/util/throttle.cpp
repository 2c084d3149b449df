// The log-line throttle: see throttle.hpp.
#include "util/throttle.hpp"

namespace switchboard::util {

std::size_t ThrottledCounter::add(std::size_t n, Clock::time_point now) {
  unreported_ += n;
  if (last_line_ && now - *last_line_ < interval_) return 0;
  last_line_ = now;
  auto count = unreported_;
  unreported_ = 0;
  return count;
}

std::size_t ThrottledCounter::take() {
  auto count = unreported_;
  unreported_ = 0;
  return count;
}

}  // namespace switchboard::util
