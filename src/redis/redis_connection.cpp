// Connection: the command connection kept up for the life of the node. It owns one HiredisLink at
// a time, reconnects with backoff when it is lost, fails pending commands with Unavailable, and
// bounds every command by the command timeout (a server that stops answering gets its link
// re-made). Commands arrive from any thread through home_call.
#include "redis/redis_connection.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>

#include "redis/hiredis_link.hpp"
#include "redis/home_call.hpp"

namespace switchboard::redis {

namespace {
using Clock = std::chrono::steady_clock;
using Replies = std::vector<Reply>;

std::exception_ptr unavailable(const std::string& why) {
  return std::make_exception_ptr(Unavailable(why));
}

// The replies of one command() / pipeline() call, completed when the last one came.
struct Batch {
  Replies replies;
  std::size_t remaining = 0;
  std::exception_ptr error;
  detail::Completion<Replies> done;

  void settle() {
    if (--remaining > 0) return;
    if (error)
      done(error, {});
    else
      done(nullptr, std::move(replies));
  }
};
}  // namespace

struct Connection::Impl {
  Impl(Connection& owner, boost::asio::io_context& home, RedisUrl url, ConnectionOptions options)
      : owner(owner),
        strand(boost::asio::make_strand(home)),
        url(std::move(url)),
        options(options),
        backoff(options.backoff_min),
        backoff_timer(strand),
        timeout_timer(strand) {}

  // Everything below runs on `strand`.
  void connect();
  void link_up(std::uint64_t generation);
  void link_down(std::uint64_t generation, const std::string& detail);
  void submit(std::vector<std::vector<std::string>> commands, detail::Completion<Replies> done);
  void answered(std::uint64_t sequence);
  void arm_timeout();
  void stop();

  Connection& owner;
  detail::Strand strand;
  const RedisUrl url;
  const ConnectionOptions options;
  StateHandler state_handler;
  std::atomic<bool> up{false};

  bool started = false;
  bool stopped = false;
  std::shared_ptr<detail::HiredisLink> link;
  std::uint64_t generation = 0;
  std::chrono::milliseconds backoff;
  boost::asio::steady_timer backoff_timer;

  // Commands sent and not answered, oldest first (replies come in order), with their deadlines.
  struct Outstanding {
    std::uint64_t sequence;
    Clock::time_point deadline;
  };
  std::deque<Outstanding> outstanding;
  std::uint64_t next_sequence = 0;
  boost::asio::steady_timer timeout_timer;
  bool timeout_armed = false;
  std::uint64_t timeout_token = 0;
};

void Connection::Impl::connect() {
  if (stopped) return;
  auto gen = ++generation;
  std::weak_ptr<Connection> weak = owner.shared_from_this();
  detail::HiredisLink::Events events;
  events.up = [weak, gen] {
    if (auto self = weak.lock()) self->impl_->link_up(gen);
  };
  events.down = [weak, gen](const std::string& detail) {
    if (auto self = weak.lock()) self->impl_->link_down(gen, detail);
  };
  link = detail::HiredisLink::open(strand, url, options.connect_timeout, std::move(events));
}

void Connection::Impl::link_up(std::uint64_t gen) {
  if (gen != generation || stopped || !link) return;
  up = true;
  backoff = options.backoff_min;
  if (state_handler) state_handler(true, "connected to " + url.redacted());
}

void Connection::Impl::link_down(std::uint64_t gen, const std::string& detail) {
  if (gen != generation) return;
  link.reset();
  up = false;
  outstanding.clear();  // their callbacks already ran with no reply
  ++timeout_token;
  timeout_armed = false;
  timeout_timer.cancel();
  if (stopped) return;
  if (state_handler) state_handler(false, detail);
  backoff_timer.expires_after(backoff);
  backoff = std::min(backoff * 2, options.backoff_max);
  backoff_timer.async_wait(boost::asio::bind_executor(
      strand, [self = owner.shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->impl_->connect();
      }));
}

void Connection::Impl::submit(std::vector<std::vector<std::string>> commands,
                              detail::Completion<Replies> done) {
  if (commands.empty()) {
    done(nullptr, {});
    return;
  }
  if (stopped) {
    done(unavailable("the Redis connection is stopped"), {});
    return;
  }
  if (!up || !link || !link->up()) {
    done(unavailable("not connected to Redis (" + url.redacted() + ")"), {});
    return;
  }
  auto batch = std::make_shared<Batch>();
  batch->replies.resize(commands.size());
  batch->remaining = commands.size();
  batch->done = std::move(done);
  auto self = owner.shared_from_this();
  auto deadline = Clock::now() + options.command_timeout;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto sequence = next_sequence++;
    detail::HiredisLink* sender = link.get();
    bool queued = link->command(commands[i], [self, batch, i, sequence, sender](Reply* reply) {
      self->impl_->answered(sequence);
      if (reply)
        batch->replies[i] = std::move(*reply);
      else if (!batch->error)
        batch->error = unavailable("no reply from Redis: " + sender->closing_detail());
      batch->settle();
    });
    if (!queued) {
      // Only when the link broke under us; what was queued before is answered or failed.
      if (!batch->error) batch->error = unavailable("the Redis connection is closing");
      batch->remaining -= commands.size() - i - 1;
      batch->settle();
      break;
    }
    outstanding.push_back({sequence, deadline});
  }
  arm_timeout();
}

void Connection::Impl::answered(std::uint64_t sequence) {
  while (!outstanding.empty() && outstanding.front().sequence <= sequence) outstanding.pop_front();
}

// One timer for all commands, set to the oldest one's deadline; when it fires and that command
// was answered meanwhile, it is set again for the new oldest.
void Connection::Impl::arm_timeout() {
  if (timeout_armed || outstanding.empty()) return;
  timeout_armed = true;
  auto token = ++timeout_token;
  timeout_timer.expires_at(outstanding.front().deadline);
  timeout_timer.async_wait(boost::asio::bind_executor(
      strand, [self = owner.shared_from_this(), token](boost::system::error_code) {
        auto& impl = *self->impl_;
        if (token != impl.timeout_token) return;
        impl.timeout_armed = false;
        if (impl.outstanding.empty() || !impl.link) return;
        if (Clock::now() >= impl.outstanding.front().deadline) {
          impl.link->close("no reply from Redis within " +
                           std::to_string(impl.options.command_timeout.count()) + " ms");
          return;
        }
        impl.arm_timeout();
      }));
}

void Connection::Impl::stop() {
  if (stopped) return;
  stopped = true;
  up = false;
  backoff_timer.cancel();
  if (link) link->close("the Redis connection was stopped");
}

std::shared_ptr<Connection> Connection::create(boost::asio::io_context& home, RedisUrl url,
                                               ConnectionOptions options) {
  return std::shared_ptr<Connection>(new Connection(home, std::move(url), options));
}

Connection::Connection(boost::asio::io_context& home, RedisUrl url, ConnectionOptions options)
    : impl_(std::make_unique<Impl>(*this, home, std::move(url), options)) {}

Connection::~Connection() {
  // Reached only when no handler of ours holds the connection; a link still open is closed on
  // its strand (its events no longer reach us).
  if (impl_->link)
    boost::asio::post(impl_->strand,
                      [link = impl_->link] { link->close("the connection was dropped"); });
}

void Connection::on_state(StateHandler handler) {
  impl_->state_handler = std::move(handler);
}

void Connection::start() {
  boost::asio::post(impl_->strand, [self = shared_from_this()] {
    auto& impl = *self->impl_;
    if (impl.started || impl.stopped) return;
    impl.started = true;
    impl.connect();
  });
}

void Connection::stop() {
  boost::asio::post(impl_->strand, [self = shared_from_this()] { self->impl_->stop(); });
}

bool Connection::connected() const {
  return impl_->up.load();
}

// The awaited operations are named locals throughout: g++ 12 may destroy a temporary of a
// co_await expression twice.
boost::asio::awaitable<std::vector<Reply>> Connection::pipeline(
    std::vector<std::vector<std::string>> commands) {
  auto self = shared_from_this();
  auto step = [self, commands = std::move(commands)](detail::Completion<Replies> done) mutable {
    self->impl_->submit(std::move(commands), std::move(done));
  };
  auto operation = detail::home_call<Replies>(impl_->strand, std::move(step));
  Replies replies = co_await std::move(operation);
  co_return replies;
}

boost::asio::awaitable<Reply> Connection::command(std::vector<std::string> args) {
  auto self = shared_from_this();
  std::vector<std::vector<std::string>> one;
  one.push_back(std::move(args));
  auto operation = pipeline(std::move(one));
  Replies replies = co_await std::move(operation);
  co_return std::move(replies.front());
}

boost::asio::awaitable<Reply> Connection::eval(const Script& script, std::vector<std::string> keys,
                                               std::vector<std::string> args) {
  auto self = shared_from_this();
  // Copied before the first suspension: the caller's Script need not outlive it.
  std::vector<std::string> call{"EVALSHA", script.sha1(), std::to_string(keys.size())};
  std::string source = script.source();
  call.insert(call.end(), keys.begin(), keys.end());
  call.insert(call.end(), args.begin(), args.end());
  auto first = command(call);
  Reply reply = co_await std::move(first);
  if (reply.is_error() && reply.str.rfind("NOSCRIPT", 0) == 0) {
    call[0] = "EVAL";
    call[1] = std::move(source);
    auto again = command(std::move(call));
    reply = co_await std::move(again);
  }
  co_return reply;
}

}  // namespace switchboard::redis
