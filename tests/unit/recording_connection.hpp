// For router and directory tests: a client connection that records what is delivered to it
// and how it was closed, and a message tagged so that a test can find it. (To wait for a
// condition: testing::wait_for, redis_server_fixture.hpp.)
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "hubs/client_connection.hpp"
#include "hubs/outbound_message.hpp"

namespace switchboard::testing {

// A connection that records what the router delivers to it.
class RecordingConnection final : public hubs::ClientConnection {
 public:
  using hubs::ClientConnection::ClientConnection;

  void send(const hubs::MessagePtr& message) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;  // nothing after the Close, as ClientConnection says
    received_.emplace_back(message->frame(hubs::HubProtocol::Json));
  }
  void flush_deferred() override {}
  void close(std::string_view error, bool) override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    close_error_ = std::string(error);
  }
  void tick(hubs::Clock::time_point) override {}

  std::vector<std::string> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  bool has(const std::string& tag) const {
    for (const auto& frame : received())
      if (frame.find("\"" + tag + "\"") != std::string::npos) return true;
    return false;
  }
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::string close_error() const {
    std::lock_guard lock(mutex_);
    return close_error_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  bool closed_ = false;
  std::string close_error_;
};

inline hubs::MessagePtr tagged(const std::string& tag) {
  return hubs::OutboundMessage::invocation("m", "[\"" + tag + "\"]");
}

}  // namespace switchboard::testing
