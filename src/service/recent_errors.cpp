// The ring of recent warning and error lines and its spdlog sink: see recent_errors.hpp.
#include "service/recent_errors.hpp"

#include <spdlog/sinks/base_sink.h>

namespace switchboard::service {

RecentErrors::RecentErrors(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  ring_.reserve(capacity_);
}

void RecentErrors::add(LogLine line) {
  if (line.text.size() > kMaxLogLineBytes) {
    line.text.resize(kMaxLogLineBytes);
    line.text += "...";
  }
  std::lock_guard lock(mutex_);
  ++total_;
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(line));
    return;
  }
  ring_[next_] = std::move(line);
  next_ = (next_ + 1) % capacity_;
}

std::vector<LogLine> RecentErrors::lines() const {
  std::lock_guard lock(mutex_);
  std::vector<LogLine> ordered;
  ordered.reserve(ring_.size());
  for (std::size_t i = 0; i < ring_.size(); ++i)
    ordered.push_back(ring_[(next_ + i) % ring_.size()]);
  return ordered;
}

std::uint64_t RecentErrors::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

namespace {

class RecentErrorsSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RecentErrorsSink(std::shared_ptr<RecentErrors> ring) : ring_(std::move(ring)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    LogLine line;
    line.time = message.time;
    switch (message.level) {
      case spdlog::level::warn:
        line.level = "warning";
        break;
      case spdlog::level::err:
        line.level = "error";
        break;
      default:
        line.level = "critical";
        break;
    }
    line.text.assign(message.payload.data(), message.payload.size());
    ring_->add(std::move(line));
  }
  void flush_() override {}

 private:
  std::shared_ptr<RecentErrors> ring_;
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> make_recent_errors_sink(std::shared_ptr<RecentErrors> ring) {
  auto sink = std::make_shared<RecentErrorsSink>(std::move(ring));
  sink->set_level(spdlog::level::warn);
  return sink;
}

}  // namespace switchboard::service
