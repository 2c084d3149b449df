// One hiredis async connection driven by Asio (internal to src/redis): it resolves the host and
// connects without blocking, authenticates, selects the database, checks the server answers, then
// carries commands until it is closed or lost. A link is used once; Connection and Subscriber
// open a new one to reconnect.
//
// Threads: every member function, and every callback it makes, runs on the link's strand. hiredis
// owns the socket: the Asio descriptor only waits on it and is released, never closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_reply.hpp"
#include "redis/redis_url.hpp"

struct redisAsyncContext;

namespace switchboard::redis::detail {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class HiredisLink : public std::enable_shared_from_this<HiredisLink> {
 public:
  // Called exactly once: with the reply, or with nullptr when the link closed before it came
  // (closing_detail() then says why). Runs inside hiredis: it may call close(), which is deferred
  // until hiredis has returned, but must not throw.
  using ReplyCallback = std::function<void(Reply* reply)>;

  struct Events {
    std::function<void()> up;                             // handshake done (posted)
    std::function<void(const std::string& detail)> down;  // once, last of all (posted)
    // Subscribe mode: every push (message, subscribe and unsubscribe confirmations), in order.
    // Runs inside hiredis, like a ReplyCallback.
    std::function<void(const Reply& push)> push;
  };

  static std::shared_ptr<HiredisLink> open(Strand strand, const RedisUrl& url,
                                           std::chrono::milliseconds connect_timeout,
                                           Events events);
  HiredisLink(const HiredisLink&) = delete;
  HiredisLink& operator=(const HiredisLink&) = delete;
  ~HiredisLink();

  // Queues one command (binary-safe); false when the link is not up (the callback is dropped).
  bool command(const std::vector<std::string>& args, ReplyCallback callback);
  // SUBSCRIBE / UNSUBSCRIBE with one channel; the confirmations arrive through Events::push.
  bool subscription_command(const std::vector<std::string>& args);
  // Tears the link down: pending callbacks get nullptr, then Events::down(detail) is posted.
  void close(const std::string& detail);

  bool up() const { return phase_ == Phase::Up && !close_pending_; }
  // Why the link closed (or is closing): the reason given to close(), or hiredis's error.
  std::string closing_detail() const;

 private:
  enum class Phase { Resolving, Handshaking, Up, Closed };
  struct HiredisScope;

  HiredisLink(Strand strand, const RedisUrl& url, Events events);
  void start(std::chrono::milliseconds connect_timeout);
  void connect_to(const std::string& address);
  void send_handshake();
  bool queue(const std::vector<std::string>& args, ReplyCallback callback);
  void free_context();
  void context_freed();
  void finish();
  void wait_readable();
  void wait_writable();

  static void add_read(void* self);
  static void del_read(void* self);
  static void add_write(void* self);
  static void del_write(void* self);
  static void cleanup(void* self);
  static void on_reply(redisAsyncContext* context, void* reply, void* callback);
  static void on_push(redisAsyncContext* context, void* reply, void* self);

  Strand strand_;
  RedisUrl url_;
  Events events_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::posix::stream_descriptor socket_;
  redisAsyncContext* context_ = nullptr;
  Phase phase_ = Phase::Resolving;
  std::string detail_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool reading_ = false;
  bool writing_ = false;
  int in_hiredis_ = 0;          // > 0 while hiredis code is on the stack
  bool close_pending_ = false;  // close() asked while in hiredis: free once it returned
  bool destroying_ = false;
};

}  // namespace switchboard::redis::detail
