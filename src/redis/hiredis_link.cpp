// The Asio adapter for hiredis 0.14's async context: its ev.addRead/delRead/addWrite/delWrite/
// cleanup hooks wait on the socket with a posix::stream_descriptor on the link's strand, and the
// descriptor is released (hiredis closes the socket) when hiredis cleans up. Also the connect
// sequence: asynchronous resolve, non-blocking connect, AUTH, SELECT, PING, each bounded by the
// connect timeout.
//
// Reentrancy (hiredis 0.14, async.c): redisAsyncFree must not run while hiredis is on the stack
// (inside redisAsyncHandleRead/Write it would free the context under hiredis's feet, and its
// connect callback is not even guarded by REDIS_IN_CALLBACK). close() therefore only marks the
// link while in_hiredis_ is set and frees the context once hiredis has returned. We never use
// redisAsyncDisconnect: it waits for pending replies (which a stopped server never sends) and
// asserts when called with callbacks pending on a clean context.
#include "redis/hiredis_link.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <signal.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <ctime>

#include "redis/hiredis_reply.hpp"

namespace switchboard::redis::detail {
namespace {

// hiredis writes with write(2), which raises SIGPIPE on a connection the server reset. The signal
// is blocked in this thread around the write and a SIGPIPE it raised is consumed.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec no_wait{0, 0};
        sigtimedwait(&pipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

std::vector<std::vector<std::string>> handshake_commands(const RedisUrl& url) {
  std::vector<std::vector<std::string>> commands;
  if (!url.password.empty()) {
    if (url.user.empty())
      commands.push_back({"AUTH", url.password});
    else
      commands.push_back({"AUTH", url.user, url.password});
  }
  if (url.db != 0) commands.push_back({"SELECT", std::to_string(url.db)});
  commands.push_back({"PING"});  // the server answers (a stopped one accepts but never replies)
  return commands;
}

}  // namespace

// Marks hiredis as being on the stack; once the outermost scope ends, a close() asked meanwhile
// is carried out.
struct HiredisLink::HiredisScope {
  explicit HiredisScope(HiredisLink& link) : link(link) { ++link.in_hiredis_; }
  ~HiredisScope() {
    if (--link.in_hiredis_ == 0 && link.close_pending_ && link.context_) link.free_context();
  }
  HiredisScope(const HiredisScope&) = delete;
  HiredisScope& operator=(const HiredisScope&) = delete;
  HiredisLink& link;
};

std::shared_ptr<HiredisLink> HiredisLink::open(Strand strand, const RedisUrl& url,
                                               std::chrono::milliseconds connect_timeout,
                                               Events events) {
  std::shared_ptr<HiredisLink> link(new HiredisLink(std::move(strand), url, std::move(events)));
  link->start(connect_timeout);
  return link;
}

HiredisLink::HiredisLink(Strand strand, const RedisUrl& url, Events events)
    : strand_(std::move(strand)),
      url_(url),
      events_(std::move(events)),
      resolver_(strand_),
      connect_timer_(strand_),
      socket_(strand_) {}

HiredisLink::~HiredisLink() {
  destroying_ = true;
  if (context_) {
    detail_ = "the connection was dropped";
    free_context();
  }
}

void HiredisLink::start(std::chrono::milliseconds connect_timeout) {
  connect_timer_.expires_after(connect_timeout);
  connect_timer_.async_wait(boost::asio::bind_executor(
      strand_, [self = shared_from_this(), connect_timeout](boost::system::error_code ec) {
        if (ec || self->phase_ == Phase::Up || self->phase_ == Phase::Closed) return;
        self->close("no connection to " + self->url_.redacted() + " within " +
                    std::to_string(connect_timeout.count()) + " ms");
      }));
  resolver_.async_resolve(
      url_.host, std::to_string(url_.port),
      boost::asio::bind_executor(
          strand_, [self = shared_from_this()](boost::system::error_code ec,
                                               boost::asio::ip::tcp::resolver::results_type found) {
            if (self->phase_ != Phase::Resolving) return;
            if (ec || found.empty()) {
              self->close("cannot resolve '" + self->url_.host +
                          "': " + (ec ? ec.message() : std::string("no address")));
              return;
            }
            self->connect_to(found.begin()->endpoint().address().to_string());
          }));
}

void HiredisLink::connect_to(const std::string& address) {
  redisAsyncContext* context = redisAsyncConnect(address.c_str(), url_.port);
  if (!context) {
    close("cannot allocate a Redis connection");
    return;
  }
  if (context->err) {
    std::string error = context->errstr;
    redisAsyncFree(context);  // no hooks attached yet: nothing calls back
    close("cannot connect to " + url_.redacted() + ": " + error);
    return;
  }
  context_ = context;
  phase_ = Phase::Handshaking;
  context->ev.data = this;
  context->ev.addRead = &HiredisLink::add_read;
  context->ev.delRead = &HiredisLink::del_read;
  context->ev.addWrite = &HiredisLink::add_write;
  context->ev.delWrite = &HiredisLink::del_write;
  context->ev.cleanup = &HiredisLink::cleanup;
  boost::system::error_code ec;
  socket_.assign(context->c.fd, ec);
  if (ec) {
    close("cannot watch the Redis socket: " + ec.message());
    return;
  }
  redisEnableKeepAlive(&context->c);
  send_handshake();
}

void HiredisLink::send_handshake() {
  auto commands = handshake_commands(url_);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    std::string name = commands[i][0];
    bool last = i + 1 == commands.size();
    bool queued = queue(commands[i], [this, name, last](Reply* reply) {
      if (!reply || phase_ != Phase::Handshaking || close_pending_) return;
      if (reply->is_error()) {
        if (name == "AUTH")
          close("authentication failed: " + reply->str);
        else if (name == "SELECT")
          close("SELECT " + std::to_string(url_.db) + " failed: " + reply->str);
        else
          close("the server refused PING: " + reply->str);
        return;
      }
      if (!last) return;
      phase_ = Phase::Up;
      connect_timer_.cancel();
      boost::asio::post(strand_, [self = shared_from_this()] {
        if (self->phase_ == Phase::Up && self->events_.up) self->events_.up();
      });
    });
    if (!queued) {
      close("cannot queue " + name);
      return;
    }
  }
}

bool HiredisLink::command(const std::vector<std::string>& args, ReplyCallback callback) {
  if (!up()) return false;
  return queue(args, std::move(callback));
}

bool HiredisLink::queue(const std::vector<std::string>& args, ReplyCallback callback) {
  if (!context_ || close_pending_ || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* owned = new ReplyCallback(std::move(callback));
  if (redisAsyncCommandArgv(context_, &HiredisLink::on_reply, owned, static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    delete owned;
    return false;
  }
  return true;
}

bool HiredisLink::subscription_command(const std::vector<std::string>& args) {
  if (!up() || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // hiredis keeps (fn, privdata) per channel and calls it for every push on that channel; the
  // link outlives its context, so `this` is a safe privdata.
  return redisAsyncCommandArgv(context_, &HiredisLink::on_push, this, static_cast<int>(argv.size()),
                               argv.data(), lengths.data()) == REDIS_OK;
}

void HiredisLink::close(const std::string& detail) {
  if (phase_ == Phase::Closed) return;
  if (detail_.empty()) detail_ = detail;
  if (!context_) {
    finish();
    return;
  }
  if (in_hiredis_ > 0) {
    close_pending_ = true;
    return;
  }
  free_context();
}

std::string HiredisLink::closing_detail() const {
  if (!detail_.empty()) return detail_;
  if (context_ && context_->err) return context_->errstr;
  return "the connection was closed";
}

void HiredisLink::free_context() {
  // Pending callbacks run with NULL, then cleanup() releases the socket, then hiredis closes it.
  ++in_hiredis_;
  redisAsyncFree(context_);
  --in_hiredis_;
}

void HiredisLink::context_freed() {
  if (detail_.empty()) {
    if (context_ && context_->err)
      detail_ = std::string("connection to ") + url_.redacted() + " lost: " + context_->errstr;
    else
      detail_ = "the connection to " + url_.redacted() + " was closed";
  }
  context_ = nullptr;
  want_read_ = want_write_ = false;
  socket_.release();  // aborts the waits; hiredis closes the descriptor itself
  finish();
}

void HiredisLink::finish() {
  if (phase_ == Phase::Closed) return;
  phase_ = Phase::Closed;
  connect_timer_.cancel();
  resolver_.cancel();
  if (destroying_) return;
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (self->events_.down) self->events_.down(self->detail_);
  });
}

void HiredisLink::wait_readable() {
  if (reading_ || !context_) return;
  reading_ = true;
  socket_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                     boost::asio::bind_executor(
                         strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->reading_ = false;
                           if (ec || !self->context_ || !self->want_read_) return;
                           {
                             HiredisScope scope(*self);
                             redisAsyncHandleRead(self->context_);
                           }
                           if (self->context_ && self->want_read_) self->wait_readable();
                         }));
}

void HiredisLink::wait_writable() {
  if (writing_ || !context_) return;
  writing_ = true;
  socket_.async_wait(boost::asio::posix::descriptor_base::wait_write,
                     boost::asio::bind_executor(
                         strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->writing_ = false;
                           if (ec || !self->context_ || !self->want_write_) return;
                           {
                             HiredisScope scope(*self);
                             SigpipeBlock no_sigpipe;
                             redisAsyncHandleWrite(self->context_);
                           }
                           if (self->context_ && self->want_write_) self->wait_writable();
                         }));
}

void HiredisLink::add_read(void* self) {
  auto* link = static_cast<HiredisLink*>(self);
  link->want_read_ = true;
  if (!link->destroying_) link->wait_readable();
}

void HiredisLink::del_read(void* self) {
  static_cast<HiredisLink*>(self)->want_read_ = false;
}

void HiredisLink::add_write(void* self) {
  auto* link = static_cast<HiredisLink*>(self);
  link->want_write_ = true;
  if (!link->destroying_) link->wait_writable();
}

void HiredisLink::del_write(void* self) {
  static_cast<HiredisLink*>(self)->want_write_ = false;
}

void HiredisLink::cleanup(void* self) {
  static_cast<HiredisLink*>(self)->context_freed();
}

void HiredisLink::on_reply(redisAsyncContext*, void* reply, void* callback) {
  std::unique_ptr<ReplyCallback> owned(static_cast<ReplyCallback*>(callback));
  try {
    if (!reply) {
      (*owned)(nullptr);
      return;
    }
    Reply converted = to_reply(*static_cast<redisReply*>(reply));
    (*owned)(&converted);
  } catch (...) {
    // Nothing may unwind through hiredis's C frames; a callback that failed (out of memory) is
    // caught up with by the command timeout.
  }
}

void HiredisLink::on_push(redisAsyncContext*, void* reply, void* self) {
  if (!reply) return;  // the context is being freed; Events::down follows
  auto* link = static_cast<HiredisLink*>(self);
  try {
    if (link->events_.push) link->events_.push(to_reply(*static_cast<redisReply*>(reply)));
  } catch (...) {
    // As in on_reply: never unwind through hiredis.
  }
}

}  // namespace switchboard::redis::detail
