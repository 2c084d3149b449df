// The two kinds of counter the metrics are made of. A ShardCounter has one writer (the shard
// thread that owns it) and any number of readers (a scrape): the writer loads and stores with
// relaxed order, which compiles to plain moves (no lock prefix, no shared cache line written by
// two cores), so it costs what an ordinary integer costs on the per-message path. A SharedCounter
// may be bumped from any thread (an atomic add): for rare events only (refusals, restarts).
#pragma once

#include <atomic>
#include <cstdint>

namespace switchboard::metrics {

class ShardCounter {
 public:
  // Only from the owning thread.
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // From any thread.
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class SharedCounter {
 public:
  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

}  // namespace switchboard::metrics
