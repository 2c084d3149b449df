// Latency histogram (log-linear buckets, ~1.5 % resolution, bounded memory) and delivery counters.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lc {

class Histogram {
 public:
  void record(std::uint64_t us);
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
  }
  // The value at quantile q (0..1): the upper edge of the bucket holding it.
  std::uint64_t quantile(double q) const;

 private:
  static constexpr int kSub = 64;  // sub-buckets per power of two
  static constexpr int kPowers = 40;
  static std::size_t index(std::uint64_t v);
  static std::uint64_t upper(std::size_t i);
  std::array<std::uint64_t, kSub * kPowers> buckets_{};
  std::uint64_t count_ = 0, sum_ = 0, max_ = 0, min_ = ~0ull;
};

struct Stats {
  Histogram latency;  // payload "ts" -> the load client handles the message
  Histogram arrival;  // payload "ts" -> the kernel put the bytes in the client's socket
                      // (SO_TIMESTAMPNS): the server's part, without the load client's own lag
  std::uint64_t deliveries = 0;             // Invocation records / messages received
  std::uint64_t bad_timestamps = 0;         // deliveries without a parsable "ts"
  std::uint64_t pings = 0;                  // pings received (SignalR type 6, Socket.IO "2")
  std::uint64_t closes = 0;                 // connections closed by the server
  std::uint64_t first_us = 0, last_us = 0;  // first and last delivery
  void delivered(std::uint64_t now_us, std::uint64_t sent_us, bool has_ts);
  void arrived(std::uint64_t arrival_us, std::uint64_t sent_us) {
    arrival.record(arrival_us > sent_us ? arrival_us - sent_us : 0);
  }
};

}  // namespace lc
