// One Redis connection for commands (hiredis's async context driven by Asio), kept up for the
// life of the node: it connects, authenticates and selects the database, and when the connection
// is lost it fails what was pending and reconnects with backoff (100 ms doubling to 2 s), telling
// its owner each time it goes down or comes back.
//
// Threads: the connection lives on one io_context (its "home"); command() may be called from any
// thread and resumes the caller on the caller's own executor. Commands reach Redis in the order
// they reach the home io_context (so one thread's commands keep their order; pipelined, no waiting
// for replies in between).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "redis/redis_reply.hpp"
#include "redis/redis_url.hpp"

namespace switchboard::redis {

// Redis cannot be reached now (not connected, connection lost before the reply, or no reply
// within the command timeout). Distinct from an error reply, which is a Reply of type Error.
class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A Lua script run with EVALSHA (falling back to EVAL once on NOSCRIPT, e.g. after a restart).
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }  // lower-case hex

 private:
  std::string source_;
  std::string sha1_;
};

struct ConnectionOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{3000};  // then Unavailable and the link is re-made
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `up` is true after every successful (re)connect (AUTH and SELECT done), false when the
  // connection is lost or a connect attempt fails; called on the home io_context.
  using StateHandler = std::function<void(bool up, const std::string& detail)>;

  static std::shared_ptr<Connection> create(boost::asio::io_context& home, RedisUrl url,
                                            ConnectionOptions options = {});
  ~Connection();

  void on_state(StateHandler handler);  // set before start()
  void start();                         // begins connecting (and reconnecting) on the home thread
  void stop();                          // from any thread; pending commands fail with Unavailable
  bool connected() const;               // any thread

  // Sends one command; throws Unavailable (see above). Error replies are returned, not thrown.
  boost::asio::awaitable<Reply> command(std::vector<std::string> args);
  // Several commands written together; their replies in order.
  boost::asio::awaitable<std::vector<Reply>> pipeline(
      std::vector<std::vector<std::string>> commands);
  // EVALSHA script keys... args..., EVAL on NOSCRIPT.
  boost::asio::awaitable<Reply> eval(const Script& script, std::vector<std::string> keys,
                                     std::vector<std::string> args);

 private:
  Connection(boost::asio::io_context& home, RedisUrl url, ConnectionOptions options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::redis
