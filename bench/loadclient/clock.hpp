// The shared time base: CLOCK_MONOTONIC in microseconds. Senders (wrk's Lua via FFI, the load
// client's own sender) and receivers run on one machine, so latency = receive - payload "ts".
#pragma once
#include <cstdint>
#include <ctime>

namespace lc {
inline std::uint64_t monotonic_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}
}  // namespace lc
