// The shared time base: CLOCK_MONOTONIC in microseconds. Senders (wrk's Lua via FFI, the load
// client's own sender) and receivers run on one machine, so latency = receive - payload "ts".
#pragma once
#include <cstdint>
#include <ctime>

namespace lc {
inline std::uint64_t monotonic_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}
// A CLOCK_REALTIME instant (e.g. a kernel receive timestamp) on the CLOCK_MONOTONIC time base.
inline std::uint64_t realtime_to_monotonic_us(const timespec& at) {
  timespec real{}, mono{};
  clock_gettime(CLOCK_REALTIME, &real);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  const long long offset_us = (static_cast<long long>(real.tv_sec) - mono.tv_sec) * 1000000LL +
                              (real.tv_nsec - mono.tv_nsec) / 1000;
  const long long at_us = static_cast<long long>(at.tv_sec) * 1000000LL + at.tv_nsec / 1000;
  return static_cast<std::uint64_t>(at_us - offset_us);
}
}  // namespace lc
