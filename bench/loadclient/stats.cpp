// Histogram buckets: values below kSub are exact; above, each power of two is split in kSub.
#include "stats.hpp"

#include <bit>

namespace lc {

std::size_t Histogram::index(std::uint64_t v) {
  if (v < kSub) return static_cast<std::size_t>(v);
  int power = std::bit_width(v) - 1;  // v in [2^power, 2^(power+1))
  int shift = power - 6;              // log2(kSub) == 6
  std::size_t i =
      static_cast<std::size_t>((power - 5) * kSub) + static_cast<std::size_t>((v >> shift) - kSub);
  std::size_t last = static_cast<std::size_t>(kSub * kPowers - 1);
  return i > last ? last : i;
}

std::uint64_t Histogram::upper(std::size_t i) {
  if (i < kSub) return i;
  std::uint64_t power = i / kSub + 5;
  std::uint64_t sub = i % kSub + kSub;
  return ((sub + 1) << (power - 6)) - 1;
}

void Histogram::record(std::uint64_t us) {
  ++buckets_[index(us)];
  ++count_;
  sum_ += us;
  if (us > max_) max_ = us;
  if (us < min_) min_ = us;
}

std::uint64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_));
  if (rank >= count_) rank = count_ - 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen > rank) return upper(i) < max_ ? upper(i) : max_;
  }
  return max_;
}

void Stats::delivered(std::uint64_t now_us, std::uint64_t sent_us, bool has_ts) {
  ++deliveries;
  if (first_us == 0) first_us = now_us;
  last_us = now_us;
  if (!has_ts) {
    ++bad_timestamps;
    return;
  }
  latency.record(now_us > sent_us ? now_us - sent_us : 0);
}

}  // namespace lc
