// One client connection's conversation with the upstream: the `connect` event (awaited before
// the client hears the handshake answer), then `connected`, the client's messages and
// `disconnected`, sent one at a time in the order they happened, so one client's messages reach
// the upstream in order. At most `--upstream-max-pending` messages wait (the one being sent
// included); one more closes the client. Each call has the `--upstream-timeout` deadline. Runs on
// the connection's shard thread, never blocking it: a slow upstream delays only this queue.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/hub_message.hpp"
#include "upstream/answer.hpp"
#include "upstream/request.hpp"
#include "upstream/settings.hpp"

namespace switchboard::upstream {
class Dispatcher;
}

namespace switchboard::service {

struct ServiceContext;

class UpstreamSession : public std::enable_shared_from_this<UpstreamSession> {
 public:
  // What the session does to its connection (on the connection's shard): hand the client a
  // framed completion, or close it with an error.
  struct Hooks {
    std::function<void(std::string frame)> deliver;
    std::function<void(std::string error)> close;
  };

  UpstreamSession(const ServiceContext& context, upstream::ConnectionFacts facts,
                  upstream::Protocol protocol, Hooks hooks);

  // Whether a template takes this hub's `connect` event.
  bool wants_connect() const;
  // Sends `connect` and says whether the client may stay.
  boost::asio::awaitable<upstream::ConnectVerdict> connect();
  // The client has its handshake answer: `connected` goes first, then what the client sent.
  void opened();
  // A message from the client (Invocation or StreamInvocation); `record` is its bytes without
  // framing. An invocation with an id always gets a completion, from the upstream or from here.
  void message(const protocol::HubMessage& message, std::string_view record);
  // The connection ended (`error` empty when cleanly): `disconnected` follows what is queued.
  // Before opened() nothing is sent, and what the client sent is dropped.
  void closed(std::string_view error);

 private:
  struct Pending {
    upstream::Call call;
    bool is_message = false;
    bool has_id = false;  // an invocation that waits for its completion
    std::string invocation_id;
    std::string immediate_error;  // set: answered with this error without calling the upstream
    std::string what;             // for the log: "connected", "messages/<target>"
  };

  void enqueue(Pending pending, bool front = false);
  void start_draining();
  // `self` keeps the session alive from the moment the coroutine is made (not first run).
  boost::asio::awaitable<void> drain(std::shared_ptr<UpstreamSession> self);
  Pending event(std::string_view category, std::string_view event, std::string_view content_type,
                std::string body, const upstream::Template& target);

  const upstream::Settings& settings_;
  std::shared_ptr<upstream::Dispatcher> dispatcher_;
  std::chrono::milliseconds timeout_;
  std::size_t max_pending_;
  upstream::ConnectionFacts facts_;
  upstream::Protocol protocol_;
  Hooks hooks_;
  std::deque<Pending> queue_;
  std::size_t pending_messages_ = 0;  // queued or being sent
  bool opened_ = false;
  bool closed_ = false;
  bool draining_ = false;
};

}  // namespace switchboard::service
