// The last warning and error lines of the log, in a small ring, for the dashboard's "last
// errors" (docs/dashboard.md). A spdlog sink (make_recent_errors_sink) feeds it; the dashboard
// reads a copy once a second while someone watches. Safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spdlog::sinks {
class sink;
}

namespace switchboard::service {

struct LogLine {
  std::chrono::system_clock::time_point time;
  std::string level;  // "warning", "error" or "critical"
  std::string text;   // the message, cut to kMaxLogLineBytes
};

class RecentErrors {
 public:
  static constexpr std::size_t kDefaultCapacity = 50;
  static constexpr std::size_t kMaxLogLineBytes = 1000;

  explicit RecentErrors(std::size_t capacity = kDefaultCapacity);

  void add(LogLine line);
  // Oldest first, at most the capacity.
  std::vector<LogLine> lines() const;
  // Lines added since the start, kept or not.
  std::uint64_t total() const;

 private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::vector<LogLine> ring_;
  std::size_t next_ = 0;  // where the next line goes once the ring is full
  std::uint64_t total_ = 0;
};

// A sink that keeps the lines of level warning and above in `ring` (the text of the message,
// without the pattern). Lines the logger's own level filters out never reach it.
std::shared_ptr<spdlog::sinks::sink> make_recent_errors_sink(std::shared_ptr<RecentErrors> ring);

}  // namespace switchboard::service
