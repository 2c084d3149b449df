// Subscriber: the node's pub/sub connection. It counts subscribe()/unsubscribe() per channel and
// sends SUBSCRIBE / UNSUBSCRIBE only on 0->1 and 1->0, completes them on Redis's confirmation
// (confirmations come in the order the commands were sent, one per command), hands every message
// to the one handler in Redis's order, and after a lost connection subscribes again to every
// channel held before reporting itself up.
#include "redis/redis_subscriber.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "redis/hiredis_link.hpp"
#include "redis/home_call.hpp"

namespace switchboard::redis {

namespace {
using Clock = std::chrono::steady_clock;
using Done = detail::Completion<bool>;

std::exception_ptr unavailable(const std::string& why) {
  return std::make_exception_ptr(Unavailable(why));
}
}  // namespace

struct Subscriber::Impl {
  Impl(Subscriber& owner, boost::asio::io_context& home, RedisUrl url, ConnectionOptions options)
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
  void on_push(const Reply& push);
  void subscribe(const std::string& channel, Done done);
  void unsubscribe(const std::string& channel, Done done);
  bool send(bool subscribe, const std::string& channel, Done done, bool counts_for_up);
  void arm_timeout();
  void report_up();
  void stop();

  Subscriber& owner;
  detail::Strand strand;
  const RedisUrl url;
  const ConnectionOptions options;
  MessageHandler message_handler;
  StateHandler state_handler;
  std::atomic<bool> up{false};

  bool started = false;
  bool stopped = false;
  std::shared_ptr<detail::HiredisLink> link;
  std::uint64_t generation = 0;
  std::chrono::milliseconds backoff;
  boost::asio::steady_timer backoff_timer;

  std::unordered_map<std::string, int> held;  // channel -> subscribe() calls not undone

  // One entry per SUBSCRIBE / UNSUBSCRIBE sent, in sending order: Redis confirms in that order.
  struct Expected {
    bool subscribe;
    std::string channel;
    std::vector<Done> waiters;
    Clock::time_point deadline;
    bool counts_for_up;  // a re-subscription after reconnecting
  };
  std::deque<Expected> expected;
  std::size_t resubscriptions_left = 0;
  boost::asio::steady_timer timeout_timer;
  bool timeout_armed = false;
  std::uint64_t timeout_token = 0;
};

void Subscriber::Impl::connect() {
  if (stopped) return;
  auto gen = ++generation;
  std::weak_ptr<Subscriber> weak = owner.shared_from_this();
  detail::HiredisLink::Events events;
  events.up = [weak, gen] {
    if (auto self = weak.lock()) self->impl_->link_up(gen);
  };
  events.down = [weak, gen](const std::string& detail) {
    if (auto self = weak.lock()) self->impl_->link_down(gen, detail);
  };
  // Pushes run inside hiredis while a read handler holds the link; `this` is alive as long as the
  // link's events can reach it (~Subscriber closes the link on the strand first).
  events.push = [weak](const Reply& push) {
    if (auto self = weak.lock()) self->impl_->on_push(push);
  };
  link = detail::HiredisLink::open(strand, url, options.connect_timeout, std::move(events));
}

void Subscriber::Impl::link_up(std::uint64_t gen) {
  if (gen != generation || stopped || !link) return;
  backoff = options.backoff_min;
  resubscriptions_left = 0;
  for (const auto& [channel, count] : held) {
    if (!send(true, channel, {}, true)) return;  // the link broke again; link_down follows
    ++resubscriptions_left;
  }
  if (resubscriptions_left == 0) report_up();
}

void Subscriber::Impl::report_up() {
  up = true;
  if (state_handler) state_handler(true, "subscriber connected to " + url.redacted());
}

void Subscriber::Impl::link_down(std::uint64_t gen, const std::string& detail) {
  if (gen != generation) return;
  link.reset();
  up = false;
  // Subscriptions in flight fail (the channel stays held and is subscribed on reconnect); an
  // unsubscription in flight is done: the channel is no longer held.
  auto waiting = std::move(expected);
  expected.clear();
  resubscriptions_left = 0;
  ++timeout_token;
  timeout_armed = false;
  timeout_timer.cancel();
  for (auto& entry : waiting)
    for (auto& done : entry.waiters) {
      if (entry.subscribe)
        done(unavailable("Redis subscription lost: " + detail), false);
      else
        done(nullptr, true);
    }
  if (stopped) return;
  if (state_handler) state_handler(false, detail);
  backoff_timer.expires_after(backoff);
  backoff = std::min(backoff * 2, options.backoff_max);
  backoff_timer.async_wait(boost::asio::bind_executor(
      strand, [self = owner.shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->impl_->connect();
      }));
}

void Subscriber::Impl::on_push(const Reply& push) {
  if (stopped || push.type != Reply::Type::Array || push.elements.size() < 2) return;
  const Reply& kind = push.elements[0];
  const Reply& channel = push.elements[1];
  if (kind.type != Reply::Type::String || channel.type != Reply::Type::String) return;
  if (kind.str == "message") {
    if (push.elements.size() < 3 || !message_handler) return;
    if (held.find(channel.str) == held.end()) return;  // unsubscribed meanwhile
    message_handler(channel.str, push.elements[2].str);
    return;
  }
  bool subscribed = kind.str == "subscribe";
  if (!subscribed && kind.str != "unsubscribe") return;  // pmessage, psubscribe, ...: not ours
  if (expected.empty() || expected.front().subscribe != subscribed ||
      expected.front().channel != channel.str)
    return;  // not a confirmation we asked for
  Expected entry = std::move(expected.front());
  expected.pop_front();
  for (auto& done : entry.waiters) done(nullptr, true);
  if (entry.counts_for_up && resubscriptions_left > 0 && --resubscriptions_left == 0) report_up();
}

bool Subscriber::Impl::send(bool subscribe, const std::string& channel, Done done,
                            bool counts_for_up) {
  if (!link || !link->subscription_command({subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE", channel}))
    return false;
  Expected entry{subscribe, channel, {}, Clock::now() + options.command_timeout, counts_for_up};
  if (done) entry.waiters.push_back(std::move(done));
  expected.push_back(std::move(entry));
  arm_timeout();
  return true;
}

void Subscriber::Impl::subscribe(const std::string& channel, Done done) {
  if (stopped) {
    done(unavailable("the Redis subscriber is stopped"), false);
    return;
  }
  int count = ++held[channel];
  if (!link || !link->up()) {
    done(unavailable("not connected to Redis (" + url.redacted() +
                     "); the channel is subscribed on reconnect"),
         false);
    return;
  }
  if (count == 1) {
    if (!send(true, channel, done, false))
      done(unavailable("the Redis subscriber connection is closing"), false);
    return;
  }
  // Already held: wait for the subscription in flight, if there is one.
  auto pending = std::find_if(expected.rbegin(), expected.rend(), [&](const Expected& entry) {
    return entry.subscribe && entry.channel == channel;
  });
  if (pending != expected.rend())
    pending->waiters.push_back(std::move(done));
  else
    done(nullptr, true);
}

void Subscriber::Impl::unsubscribe(const std::string& channel, Done done) {
  auto it = held.find(channel);
  if (it == held.end() || --it->second > 0) {
    done(nullptr, true);
    return;
  }
  held.erase(it);
  if (stopped || !link || !link->up() || !send(false, channel, done, false)) done(nullptr, true);
}

void Subscriber::Impl::arm_timeout() {
  if (timeout_armed || expected.empty()) return;
  timeout_armed = true;
  auto token = ++timeout_token;
  timeout_timer.expires_at(expected.front().deadline);
  timeout_timer.async_wait(boost::asio::bind_executor(
      strand, [self = owner.shared_from_this(), token](boost::system::error_code) {
        auto& impl = *self->impl_;
        if (token != impl.timeout_token) return;
        impl.timeout_armed = false;
        if (impl.expected.empty() || !impl.link) return;
        if (Clock::now() >= impl.expected.front().deadline) {
          impl.link->close("no confirmation from Redis within " +
                           std::to_string(impl.options.command_timeout.count()) + " ms");
          return;
        }
        impl.arm_timeout();
      }));
}

void Subscriber::Impl::stop() {
  if (stopped) return;
  stopped = true;
  up = false;
  backoff_timer.cancel();
  if (link) link->close("the Redis subscriber was stopped");
}

std::shared_ptr<Subscriber> Subscriber::create(boost::asio::io_context& home, RedisUrl url,
                                               ConnectionOptions options) {
  return std::shared_ptr<Subscriber>(new Subscriber(home, std::move(url), options));
}

Subscriber::Subscriber(boost::asio::io_context& home, RedisUrl url, ConnectionOptions options)
    : impl_(std::make_unique<Impl>(*this, home, std::move(url), options)) {}

Subscriber::~Subscriber() {
  if (impl_->link)
    boost::asio::post(impl_->strand,
                      [link = impl_->link] { link->close("the subscriber was dropped"); });
}

void Subscriber::on_message(MessageHandler handler) {
  impl_->message_handler = std::move(handler);
}

void Subscriber::on_state(StateHandler handler) {
  impl_->state_handler = std::move(handler);
}

void Subscriber::start() {
  boost::asio::post(impl_->strand, [self = shared_from_this()] {
    auto& impl = *self->impl_;
    if (impl.started || impl.stopped) return;
    impl.started = true;
    impl.connect();
  });
}

void Subscriber::stop() {
  boost::asio::post(impl_->strand, [self = shared_from_this()] { self->impl_->stop(); });
}

bool Subscriber::connected() const {
  return impl_->up.load();
}

boost::asio::awaitable<void> Subscriber::subscribe(std::string channel) {
  auto self = shared_from_this();
  auto step = [self, channel = std::move(channel)](Done done) {
    self->impl_->subscribe(channel, std::move(done));
  };
  auto operation = detail::home_call<bool>(impl_->strand, std::move(step));
  co_await std::move(operation);
}

boost::asio::awaitable<void> Subscriber::unsubscribe(std::string channel) {
  auto self = shared_from_this();
  auto step = [self, channel = std::move(channel)](Done done) {
    self->impl_->unsubscribe(channel, std::move(done));
  };
  auto operation = detail::home_call<bool>(impl_->strand, std::move(step));
  co_await std::move(operation);
}

}  // namespace switchboard::redis
