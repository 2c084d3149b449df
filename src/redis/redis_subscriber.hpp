// The node's one Redis subscriber connection: SUBSCRIBE/UNSUBSCRIBE to channels, every message
// handed to one handler in the order Redis pushed it. After a lost connection it reconnects with
// the same backoff as Connection, subscribes again to every channel it held, and only then
// reports itself up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "redis/redis_connection.hpp"

namespace switchboard::redis {

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  // Called on the home io_context for every message; the views are valid during the call only.
  using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;
  using StateHandler = Connection::StateHandler;

  static std::shared_ptr<Subscriber> create(boost::asio::io_context& home, RedisUrl url,
                                            ConnectionOptions options = {});
  ~Subscriber();

  void on_message(MessageHandler handler);  // set before start()
  void on_state(StateHandler handler);      // set before start()
  void start();
  void stop();  // any thread
  bool connected() const;

  // Completes once Redis confirmed the subscription (any thread; resumes on the caller's
  // executor). Subscribing to a channel already held is counted: a channel is unsubscribed when
  // unsubscribe() was called as often as subscribe(). While disconnected, the channel is recorded
  // and subscribe() throws Unavailable; it is subscribed on reconnect.
  boost::asio::awaitable<void> subscribe(std::string channel);
  boost::asio::awaitable<void> unsubscribe(std::string channel);

 private:
  Subscriber(boost::asio::io_context& home, RedisUrl url, ConnectionOptions options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::redis
