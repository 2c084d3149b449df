// A cluster node's routing through Redis: see redis_router.hpp.
#include "backplane/redis_router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <iterator>

#include "auth/crypto.hpp"
#include "backplane/redis_scripts.hpp"
#include "util/duration.hpp"
#include "util/throttle.hpp"

namespace switchboard::backplane {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kHeartbeatPeriod = 1000ms;
constexpr auto kLiveness = 5000ms;  // a node not heard of for this long is forgotten
constexpr auto kSweepPeriod = 250ms;
// Connections a node forgets in Redis per script after a close (see acknowledge()).
constexpr std::size_t kForgetBatch = 500;
// How long a change waits for the nodes that received its notice to acknowledge it.
constexpr auto kAckTimeout = 5000ms;

redis::ConnectionOptions connection_options() {
  redis::ConnectionOptions options;
  options.backoff_max = 500ms;  // back within 2 s of Redis returning
  options.command_timeout = 2000ms;
  return options;
}

std::vector<std::string> strings(const redis::Reply& reply) {
  std::vector<std::string> out;
  for (const auto& e : reply.elements) out.push_back(e.str);
  return out;
}

}  // namespace

struct RedisRouter::AckWait {
  explicit AckWait(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  long long expected = -1;  // nodes that received a notice; -1 until Redis answered
  long long received = 0;
  bool lost = false;  // Redis was lost while waiting
};

RedisRouter::RedisRouter(const ClusterOptions& options, redis::RedisUrl redis_url,
                         std::string public_url, const std::vector<exec::Shard*>& shards)
    : directory_(shards),
      node_id_(options.node_id.empty() ? "node-" + auth::random_id(6) : options.node_id),
      public_url_(std::move(public_url)),
      options_(options),
      redis_url_(std::move(redis_url)) {}

RedisRouter::~RedisRouter() {
  stop();
}

bool RedisRouter::healthy() const {
  return registered_ && commands_ && commands_->connected() && subscriber_->connected();
}

void RedisRouter::start() {
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
  commands_ = redis::Connection::create(io_, redis_url_, connection_options());
  subscriber_ = redis::Subscriber::create(io_, redis_url_, connection_options());
  subscriber_->on_message(
      [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); });
  commands_->on_state([this](bool up, const std::string& detail) { on_redis_state(up, detail); });
  subscriber_->on_state([this](bool up, const std::string& detail) { on_redis_state(up, detail); });
  commands_->start();
  subscriber_->start();

  auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
  while (!commands_->connected() || !subscriber_->connected()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      stop();
      throw std::runtime_error("Redis at " + redis_url_.redacted() + " could not be reached in " +
                               util::format_seconds(options_.connect_timeout) +
                               " (--redis-connect-timeout); the node cannot join the cluster");
    }
    std::this_thread::sleep_for(20ms);
  }
  asio::co_spawn(
      io_,
      [this]() -> Task<void> {
        auto subscribe = subscriber_->subscribe(keys::node_channel(node_id_));
        co_await std::move(subscribe);
        auto registration = register_node();
        co_await std::move(registration);
      },
      asio::use_future)
      .get();
  started_ = true;
  spdlog::info("cluster: node {} joined through Redis at {} (clients reach it at {})", node_id_,
               redis_url_.redacted(), public_url_);
  asio::co_spawn(io_, heartbeat_loop(), asio::detached);
  asio::co_spawn(io_, sweep_loop(), asio::detached);
}

void RedisRouter::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) {
    if (healthy()) {
      // Let the other nodes forget this one's connections now rather than after its liveness.
      auto done = asio::co_spawn(
          io_,
          [this]() -> Task<void> {
            auto op1 = call(scripts::forget_node(), Args{node_id_});
            co_await std::move(op1);
            auto op2 = command(Args{"HDEL", "sb:nodes", node_id_});
            co_await std::move(op2);
            auto op3 = command(Args{"HDEL", "sb:load", node_id_});
            co_await std::move(op3);
            auto op4 = command(Args{"DEL", "sb:alive:" + node_id_});
            co_await std::move(op4);
          },
          asio::use_future);
      done.wait_for(1s);
    }
    if (commands_) commands_->stop();
    if (subscriber_) subscriber_->stop();
    io_.stop();
    if (thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }
}

void RedisRouter::on_redis_state(bool up, const std::string& detail) {
  if (stopping_) return;
  if (!up) {
    fail_acks();
    // Called for every failed attempt while Redis is away: one line when it goes, then one
    // every 10 s with the number of attempts.
    static util::ThrottledCounter attempts(std::chrono::seconds(10));  // the Redis thread only
    if (registered_.exchange(false)) {
      attempts.take();
      spdlog::warn(
          "cluster: lost Redis at {} ({}); serving this node's clients only until it returns",
          redis_url_.redacted(), detail);
    } else if (auto n = attempts.add()) {
      spdlog::warn("cluster: Redis at {} not reachable ({}); retrying ({} attempt(s))",
                   redis_url_.redacted(), detail, n);
    }
    return;
  }
  // Back (or up for the first time, which start() handles): register again once both are up.
  if (started_ && commands_->connected() && subscriber_->connected() && !registered_) {
    asio::co_spawn(io_, register_node(), asio::detached);
  }
}

Task<void> RedisRouter::register_node() {
  if (register_pending_.exchange(true)) {
    dirty_ = true;
    co_return;
  }
  do {
    dirty_ = false;
    try {
      auto lost = redis_lost_data();
      bool lost_data = co_await std::move(lost);
      auto op5 = call(scripts::forget_node(), Args{node_id_});
      co_await std::move(op5);
      auto records = directory_.snapshot();
      for (const auto& record : records) {
        std::vector<std::string> args{node_id_, record.hub, record.id, record.user, "0"};
        args.insert(args.end(), record.groups.begin(), record.groups.end());
        auto op6 = call(scripts::open_connection(), std::move(args));
        co_await std::move(op6);
      }
      auto op7 =
          call(scripts::heartbeat(), Args{node_id_, public_url_, std::to_string(records.size()),
                                          std::to_string(kLiveness.count())});
      co_await std::move(op7);
      if (lost_data) {
        auto restore = restore_user_groups();
        co_await std::move(restore);
      }
      registered_ = true;
      spdlog::info("cluster: node {} registered {} connection(s) with Redis", node_id_,
                   records.size());
    } catch (const std::exception& e) {
      registered_ = false;
      spdlog::warn("cluster: registering node {} with Redis failed: {}", node_id_, e.what());
      dirty_ = false;  // the next reconnect registers again
    }
  } while (dirty_ && !stopping_);
  register_pending_ = false;
}

Task<bool> RedisRouter::redis_lost_data() {
  auto op = call(scripts::epoch(), Args{auth::random_id(8)});
  auto reply = co_await std::move(op);
  if (reply.is_error()) throw std::runtime_error("Redis: " + reply.str);
  bool lost = !epoch_.empty() && reply.str != epoch_;
  epoch_ = reply.str;
  co_return lost;
}

Task<void> RedisRouter::restore_user_groups() {
  long long restored = 0;
  std::size_t users = 0;
  for (auto& user : stored_user_groups_.users()) {
    if (!directory_.has_user(user.hub, user.user)) {
      stored_user_groups_.forget_user(user.hub, user.user);
      continue;
    }
    Args args{user.hub, user.user};
    args.insert(args.end(), user.pairs.begin(), user.pairs.end());
    auto op = call(scripts::restore_user_groups(), std::move(args));
    auto reply = co_await std::move(op);
    if (reply.is_error()) throw std::runtime_error("Redis: " + reply.str);
    restored += reply.integer;
    ++users;
  }
  spdlog::warn(
      "cluster: Redis lost its data; node {} put back {} stored user-group membership(s) of its "
      "{} user(s) with connections here",
      node_id_, restored, users);
}

void RedisRouter::remember_user_groups(const WireMessage& notice) {
  switch (notice.kind) {
    case WireKind::JoinUser:
      stored_user_groups_.joined(notice.hub, notice.target, notice.group, notice.reason);
      break;
    case WireKind::LeaveUser:
      stored_user_groups_.left(notice.hub, notice.target, notice.group);
      break;
    case WireKind::LeaveUserAll:
      stored_user_groups_.left_all(notice.hub, notice.target);
      break;
    default:
      break;
  }
}

Task<void> RedisRouter::heartbeat_loop() {
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(kHeartbeatPeriod);
    co_await timer.async_wait(asio::use_awaitable);
    if (stopping_) break;
    if (!commands_->connected() || register_pending_) continue;
    try {
      auto op8 = call(scripts::heartbeat(),
                      Args{node_id_, public_url_, std::to_string(directory_.connection_count()),
                           std::to_string(kLiveness.count())});
      auto reply = co_await std::move(op8);
      if (reply.elements.empty()) continue;
      {
        std::lock_guard lock(nodes_mutex_);
        nodes_.clear();
        for (std::size_t i = 1; i + 3 <= reply.elements.size(); i += 3)
          nodes_[reply.elements[i].str] = {reply.elements[i + 1].str,
                                           std::atoll(reply.elements[i + 2].str.c_str())};
      }
      // Forgotten by the cluster (Redis lost its data, or this node was silent too long).
      if (reply.elements[0].integer == 0 && registered_) {
        spdlog::warn("cluster: Redis no longer knew node {}; registering its connections again",
                     node_id_);
        registered_ = false;
        asio::co_spawn(io_, register_node(), asio::detached);
      }
    } catch (const std::exception& e) {
      spdlog::debug("cluster: heartbeat failed: {}", e.what());
    }
  }
}

Task<void> RedisRouter::sweep_loop() {
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(kSweepPeriod);
    co_await timer.async_wait(asio::use_awaitable);
    if (stopping_) break;
    if (!healthy()) continue;
    try {
      auto op9 = call(scripts::expire_user_groups(), Args{"1000"});
      co_await std::move(op9);
    } catch (const std::exception& e) {
      spdlog::debug("cluster: membership sweep failed: {}", e.what());
    }
  }
}

RouterStatus RedisRouter::status() {
  RouterStatus status;
  status.clustered = true;
  status.healthy = healthy();
  status.node_id = node_id_;
  status.connections = directory_.connection_count();
  return status;
}

std::optional<std::string> RedisRouter::redirect_target() {
  if (options_.balance == Balance::Off || !healthy()) return std::nullopt;
  auto own = static_cast<long long>(directory_.connection_count());
  std::lock_guard lock(nodes_mutex_);
  NodeLoad* best = nullptr;
  for (auto& [id, load] : nodes_)
    if (id != node_id_ && (!best || load.connections < best->connections)) best = &load;
  if (!best || best->connections + 1 >= own) return std::nullopt;
  best->connections += 1;  // until its next heartbeat says otherwise
  return best->url;
}

// ---------------------------------------------------------------------------------------------
// Connections

Task<void> RedisRouter::connection_opened(std::shared_ptr<ClientConnection> connection) {
  try {
    auto subscribe = subscriber_->subscribe(keys::hub_channel(connection->hub()));
    co_await std::move(subscribe);
  } catch (const redis::Unavailable&) {
    // Recorded: subscribed when the subscriber is back.
  }
  std::vector<std::string> groups;
  std::vector<std::string> stored;  // the user's stored memberships: group, spec pairs
  if (healthy()) {
    try {
      auto op10 = call(scripts::open_connection(), Args{node_id_, connection->hub(),
                                                        connection->id(), connection->user(), "1"});
      auto reply = co_await std::move(op10);
      if (reply.elements.size() == 2) {
        groups = strings(reply.elements[0]);
        stored = strings(reply.elements[1]);
      }
    } catch (const redis::Unavailable&) {
      dirty_ = true;  // entered by the registration after the reconnect
    }
  } else {
    dirty_ = true;
  }
  directory_.add(connection, groups);
  // After add: a close's has_user check on the Redis thread then sees the user until it is gone.
  if (!stored.empty())
    asio::post(io_,
               [this, hub = connection->hub(), user = connection->user(),
                stored = std::move(stored)] { stored_user_groups_.listed(hub, user, stored); });
}

void RedisRouter::connection_closed(ClientConnection& connection) {
  directory_.remove(connection);
  if (stopping_) return;
  asio::co_spawn(
      io_,
      [this, hub = connection.hub(), id = connection.id(),
       user = connection.user()]() -> Task<void> {
        if (!user.empty() && !directory_.has_user(hub, user))
          stored_user_groups_.forget_user(hub, user);
        try {
          if (registered_) {
            auto op11 = call(scripts::close_connections(), Args{node_id_, hub, id});
            co_await std::move(op11);
          }
        } catch (const std::exception&) {
          // Redis away: the registration after the reconnect starts from this node's live list.
        }
        try {
          auto unsubscribe = subscriber_->unsubscribe(keys::hub_channel(hub));
          co_await std::move(unsubscribe);
        } catch (const std::exception&) {
        }
      },
      asio::detached);
}

// ---------------------------------------------------------------------------------------------
// Sends

std::vector<std::string> RedisRouter::deliver_locally(WireMessage& wire) {
  // The frames are moved into the message: a node holds one copy of what it received.
  auto message = [&] {
    return hubs::OutboundMessage::encoded(std::move(wire.json_frame),
                                          std::move(wire.messagepack_frame));
  };
  auto excluded = [&] { return std::make_shared<const Excluded>(wire.excluded); };
  switch (wire.kind) {
    case WireKind::SendAll:
      directory_.deliver_all(wire.hub, message(), excluded());
      break;
    case WireKind::SendUser:
      directory_.deliver_user(wire.hub, wire.target, message());
      break;
    case WireKind::SendGroup:
      directory_.deliver_group(wire.hub, wire.target, message(), excluded());
      break;
    case WireKind::SendConnection:
      directory_.deliver_connection(wire.hub, wire.target, message());
      break;
    case WireKind::Join:
      directory_.join(wire.hub, wire.target, wire.group);
      break;
    case WireKind::Leave:
      directory_.leave(wire.hub, wire.target, wire.group);
      break;
    case WireKind::LeaveAll:
      directory_.leave_all(wire.hub, wire.target);
      break;
    case WireKind::JoinUser:
      directory_.join_user(wire.hub, wire.target, wire.group);
      break;
    case WireKind::LeaveUser:
      directory_.leave_user(wire.hub, wire.target, wire.group);
      break;
    case WireKind::LeaveUserAll:
      directory_.leave_user_all(wire.hub, wire.target);
      break;
    // A connection's or a user's close was forgotten in Redis by its script: nothing to return.
    case WireKind::CloseConnection:
      directory_.close_connection(wire.hub, wire.target, wire.reason);
      break;
    case WireKind::CloseAll:
      return directory_.close_all(wire.hub, wire.excluded, wire.reason);
    case WireKind::CloseGroup:
      return directory_.close_group(wire.hub, wire.target, wire.excluded, wire.reason);
    case WireKind::CloseUser:
      directory_.close_user(wire.hub, wire.target, wire.excluded, wire.reason);
      break;
    case WireKind::Ack:
      break;  // on_message's
  }
  return {};
}

void RedisRouter::on_message(std::string_view channel, std::string_view payload) {
  std::string error;
  auto wire = decode_wire_message(payload, &error);
  if (!wire) {
    static util::ThrottledCounter dropped(10s);  // the Redis thread only
    if (auto n = dropped.add())
      spdlog::warn(
          "cluster: dropped {} backplane message(s) that this node cannot read (last on "
          "{}: {})",
          n, channel, error);
    return;
  }
  if (wire->kind == WireKind::Ack) {
    on_ack(wire->target);
    return;
  }
  remember_user_groups(*wire);
  auto closed = deliver_locally(*wire);
  if (!wire->ack.empty()) acknowledge(*wire, std::move(closed));
}

// A close of a hub's or a group's connections names no connection in Redis, so only the node
// holding them can forget them there; it does before acknowledging, or another node asked right
// after the close was answered would still find them (their own removal, when their shard has
// closed them, comes later).
void RedisRouter::acknowledge(const WireMessage& notice, std::vector<std::string> closed) {
  auto separator = notice.ack.find('\0');
  if (separator == std::string::npos) return;  // not an address this version writes
  WireMessage ack;
  ack.kind = WireKind::Ack;
  ack.hub = notice.hub;
  ack.target = notice.ack.substr(separator + 1);
  asio::co_spawn(
      io_,
      [this, channel = keys::node_channel(notice.ack.substr(0, separator)),
       payload = encode_wire_message(ack), hub = notice.hub,
       closed = std::move(closed)]() mutable -> Task<void> {
        // In scripts of kForgetBatch ids: one script holds Redis up for everyone while it runs.
        for (std::size_t at = 0; at < closed.size() && registered_; at += kForgetBatch) {
          Args args{node_id_, hub};
          const auto end = std::min(closed.size(), at + kForgetBatch);
          args.insert(args.end(), std::make_move_iterator(closed.begin() + at),
                      std::make_move_iterator(closed.begin() + end));
          try {
            auto forget = call(scripts::close_connections(), std::move(args));
            co_await std::move(forget);
          } catch (const std::exception& e) {
            spdlog::debug("cluster: closed connections not forgotten in Redis: {}", e.what());
            break;
          }
        }
        try {
          auto op = command(Args{"PUBLISH", channel, payload});
          co_await std::move(op);
        } catch (const std::exception& e) {
          // The node that asked hears nothing and answers its caller Unavailable.
          spdlog::debug("cluster: an acknowledgement was lost with Redis: {}", e.what());
        }
      },
      asio::detached);
}

void RedisRouter::on_ack(std::string_view id) {
  std::uint64_t number = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return;
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
  }
  auto it = acks_.find(number);
  if (it == acks_.end()) return;  // came after its change gave up waiting
  auto& wait = *it->second;
  ++wait.received;
  if (wait.expected >= 0 && wait.received >= wait.expected) wait.timer.cancel();
}

void RedisRouter::fail_acks() {
  for (auto& [id, wait] : acks_) {
    wait->lost = true;
    wait->timer.cancel();
  }
}

Task<void> RedisRouter::publish_send(const redis::Script* script, std::string channel,
                                     std::vector<std::string> args, WireMessage wire) {
  if (!healthy()) {
    deliver_locally(wire);  // this node's own clients; nothing reaches the others (at most once)
    co_return;
  }
  try {
    if (script) {
      args.push_back(encode_wire_message(wire));
      auto op12 = call(*script, std::move(args));
      co_await std::move(op12);
    } else {
      auto op13 = command(Args{"PUBLISH", std::move(channel), encode_wire_message(wire)});
      co_await std::move(op13);
    }
  } catch (const redis::Unavailable& e) {
    // Lost on the way: whether Redis published it is unknown, so it is not delivered again here.
    spdlog::debug("cluster: a send was lost with Redis: {}", e.what());
  }
}

namespace {
WireMessage send_wire(WireKind kind, const std::string& hub, const std::string& target,
                      const MessagePtr& message, Excluded excluded) {
  WireMessage wire;
  wire.kind = kind;
  wire.hub = hub;
  wire.target = target;
  wire.json_frame = message->frame(hubs::HubProtocol::Json);
  wire.messagepack_frame = message->frame(hubs::HubProtocol::MessagePack);
  wire.excluded = std::move(excluded);
  return wire;
}
}  // namespace

Task<void> RedisRouter::send_to_all(std::string hub, MessagePtr message, Excluded excluded) {
  auto wire = send_wire(WireKind::SendAll, hub, "", message, std::move(excluded));
  auto op14 = publish_send(nullptr, keys::hub_channel(hub), Args{}, std::move(wire));
  co_await std::move(op14);
}

Task<void> RedisRouter::send_to_user(std::string hub, std::string user, MessagePtr message) {
  auto wire = send_wire(WireKind::SendUser, hub, user, message, {});
  auto op15 =
      publish_send(&scripts::send_to_user(), std::string(), Args{hub, user}, std::move(wire));
  co_await std::move(op15);
}

Task<void> RedisRouter::send_to_group(std::string hub, std::string group, MessagePtr message,
                                      Excluded excluded) {
  auto wire = send_wire(WireKind::SendGroup, hub, group, message, std::move(excluded));
  auto op16 =
      publish_send(&scripts::send_to_group(), std::string(), Args{hub, group}, std::move(wire));
  co_await std::move(op16);
}

Task<void> RedisRouter::send_to_connection(std::string hub, std::string connection_id,
                                           MessagePtr message) {
  auto wire = send_wire(WireKind::SendConnection, hub, connection_id, message, {});
  auto op17 = publish_send(&scripts::send_to_connection(), std::string(), Args{hub, connection_id},
                           std::move(wire));
  co_await std::move(op17);
}

// ---------------------------------------------------------------------------------------------
// What needs the cluster's state

// The awaitable is made in its own statement and awaited by name: g++ 12 may destroy temporaries
// of a co_await's full-expression twice (braced lists of strings included).
Task<redis::Reply> RedisRouter::call(const redis::Script& script, Args args) {
  auto op = commands_->eval(script, {}, std::move(args));
  auto reply = co_await std::move(op);
  co_return reply;
}

Task<redis::Reply> RedisRouter::command(Args args) {
  auto op = commands_->command(std::move(args));
  auto reply = co_await std::move(op);
  co_return reply;
}

Task<redis::Reply> RedisRouter::cluster_call(const redis::Script& script,
                                             std::vector<std::string> args) {
  if (!healthy())
    throw Unavailable("the cluster's Redis at " + redis_url_.redacted() + " is unreachable");
  try {
    auto op18 = call(script, std::move(args));
    auto reply = co_await std::move(op18);
    if (reply.is_error()) throw std::runtime_error("Redis: " + reply.str);
    co_return reply;
  } catch (const redis::Unavailable& e) {
    throw Unavailable(std::string("the cluster's Redis is unreachable: ") + e.what());
  }
}

Task<redis::Reply> RedisRouter::cluster_command(std::vector<std::string> args) {
  if (!healthy())
    throw Unavailable("the cluster's Redis at " + redis_url_.redacted() + " is unreachable");
  try {
    auto op19 = command(std::move(args));
    auto reply = co_await std::move(op19);
    if (reply.is_error()) throw std::runtime_error("Redis: " + reply.str);
    co_return reply;
  } catch (const redis::Unavailable& e) {
    throw Unavailable(std::string("the cluster's Redis is unreachable: ") + e.what());
  }
}

// Why acknowledgements: Redis answers a script before it writes the notices the script published
// to the nodes, and a notice can die in Redis's output buffer (Redis killed, or a node's subscriber
// link dropped for being too slow). A change confirmed to its caller but never heard of by the
// member's node would be undone when that node registers its connections again (an added member
// lost, a removed one back). So the node that received the notice acknowledges it once applied,
// and the change is answered only when every node that received one did.
Task<redis::Reply> RedisRouter::cluster_change(const redis::Script& script,
                                               std::vector<std::string> args) {
  auto op = asio::co_spawn(io_, acknowledged_change(&script, std::move(args), WireMessage{}),
                           asio::use_awaitable);
  auto reply = co_await std::move(op);
  co_return reply;
}

Task<void> RedisRouter::cluster_notice(WireMessage notice) {
  auto op = asio::co_spawn(io_, acknowledged_change(nullptr, Args{}, std::move(notice)),
                           asio::use_awaitable);
  co_await std::move(op);
}

Task<redis::Reply> RedisRouter::acknowledged_change(const redis::Script* script,
                                                    std::vector<std::string> args,
                                                    WireMessage notice) {
  auto id = ++last_ack_id_;
  auto wait = std::make_shared<AckWait>(io_);
  acks_.emplace(id, wait);
  struct Forget {
    RedisRouter* router;
    std::uint64_t id;
    ~Forget() { router->acks_.erase(id); }
  } forget{this, id};
  std::string address = node_id_ + '\0' + std::to_string(id);
  redis::Reply result;
  if (script) {
    args.insert(args.begin(), std::move(address));
    auto op = cluster_call(*script, std::move(args));
    auto reply = co_await std::move(op);
    if (reply.elements.size() != 2)
      throw std::runtime_error("Redis: unexpected answer to a cluster change");
    result = std::move(reply.elements[0]);
    wait->expected = reply.elements[1].integer;
  } else {
    notice.ack = std::move(address);
    auto op = cluster_call(scripts::publish_notice(),
                           Args{keys::hub_channel(notice.hub), encode_wire_message(notice)});
    result = co_await std::move(op);
    wait->expected = result.integer;
  }
  if (wait->received < wait->expected && !wait->lost) {
    wait->timer.expires_after(kAckTimeout);
    boost::system::error_code ignored;
    co_await wait->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (wait->received < wait->expected)
    throw Unavailable(wait->lost ? "the cluster's Redis was lost before the nodes concerned "
                                   "confirmed the change; it may or may not have been made"
                                 : "the nodes concerned did not confirm the change within " +
                                       util::format_seconds(kAckTimeout) +
                                       "; it may or may not have been made");
  co_return result;
}

Task<bool> RedisRouter::add_connection_to_group(std::string hub, std::string connection_id,
                                                std::string group) {
  auto op20 = cluster_change(scripts::join_group(), Args{hub, connection_id, group});
  auto reply = co_await std::move(op20);
  co_return reply.integer == 1;
}

Task<bool> RedisRouter::remove_connection_from_group(std::string hub, std::string connection_id,
                                                     std::string group) {
  auto op21 = cluster_change(scripts::leave_group(), Args{hub, connection_id, group});
  auto reply = co_await std::move(op21);
  co_return reply.integer == 1;
}

Task<bool> RedisRouter::remove_connection_from_all_groups(std::string hub,
                                                          std::string connection_id) {
  auto op22 = cluster_change(scripts::leave_all_groups(), Args{hub, connection_id});
  auto reply = co_await std::move(op22);
  co_return reply.integer == 1;
}

Task<void> RedisRouter::add_user_to_group(std::string hub, std::string user, std::string group,
                                          std::optional<std::chrono::seconds> ttl) {
  std::string mode = !ttl ? "permanent" : ttl->count() > 0 ? "ttl" : "now";
  auto ttl_ms = ttl ? std::chrono::duration_cast<std::chrono::milliseconds>(*ttl).count() : 0;
  auto op23 = cluster_change(
      scripts::add_user_to_group(),
      {hub, user, group, mode, std::to_string(ttl_ms), std::to_string(kMaxPermanentGroupsPerUser)});
  co_await std::move(op23);
}

Task<void> RedisRouter::remove_user_from_group(std::string hub, std::string user,
                                               std::string group) {
  auto op24 = cluster_change(scripts::remove_user_from_group(), Args{hub, user, group});
  co_await std::move(op24);
}

Task<void> RedisRouter::remove_user_from_all_groups(std::string hub, std::string user) {
  auto op25 = cluster_change(scripts::remove_user_from_all_groups(), Args{hub, user});
  co_await std::move(op25);
}

// Redis knows every node's connections; for this node's own, the local directory is the fresher
// word (a connection that just closed is gone here before its removal reaches Redis).
Task<bool> RedisRouter::connection_exists(std::string hub, std::string connection_id) {
  auto op26 = cluster_command(Args{"HGET", keys::connections(hub), connection_id});
  auto reply = co_await std::move(op26);
  if (reply.is_nil()) co_return false;
  auto node = reply.str.substr(0, reply.str.find('\0'));
  co_return node != node_id_ || directory_.has_connection(hub, connection_id);
}

Task<bool> RedisRouter::user_exists(std::string hub, std::string user) {
  auto op27 = cluster_command(Args{"HKEYS", keys::user(hub, user)});
  auto reply = co_await std::move(op27);
  for (const auto& node : reply.elements)
    if (node.str != node_id_ || directory_.has_user(hub, user)) co_return true;
  co_return false;
}

Task<bool> RedisRouter::group_exists(std::string hub, std::string group) {
  auto op28 = cluster_command(Args{"HKEYS", keys::group(hub, group)});
  auto reply = co_await std::move(op28);
  for (const auto& node : reply.elements)
    if (node.str != node_id_ || directory_.has_group(hub, group)) co_return true;
  co_return false;
}

Task<bool> RedisRouter::user_in_group(std::string hub, std::string user, std::string group) {
  auto op29 = cluster_call(scripts::user_in_group(), Args{hub, user, group});
  auto reply = co_await std::move(op29);
  co_return reply.integer == 1;
}

Task<bool> RedisRouter::close_connection(std::string hub, std::string connection_id,
                                         std::string reason) {
  auto op30 =
      cluster_change(scripts::close_connection_everywhere(), Args{hub, connection_id, reason});
  auto reply = co_await std::move(op30);
  co_return reply.integer == 1;
}

Task<void> RedisRouter::close_all(std::string hub, Excluded excluded, std::string reason) {
  WireMessage wire;
  wire.kind = WireKind::CloseAll;
  wire.hub = hub;
  wire.reason = std::move(reason);
  wire.excluded = std::move(excluded);
  auto op31 = cluster_notice(std::move(wire));
  co_await std::move(op31);
}

Task<void> RedisRouter::close_group(std::string hub, std::string group, Excluded excluded,
                                    std::string reason) {
  std::vector<std::string> args{hub, group, reason};
  args.insert(args.end(), excluded.begin(), excluded.end());
  auto op32 = cluster_change(scripts::close_group(), std::move(args));
  co_await std::move(op32);
}

Task<void> RedisRouter::close_user(std::string hub, std::string user, Excluded excluded,
                                   std::string reason) {
  std::vector<std::string> args{hub, user, reason};
  args.insert(args.end(), excluded.begin(), excluded.end());
  auto op33 = cluster_change(scripts::close_user(), std::move(args));
  co_await std::move(op33);
}

}  // namespace switchboard::backplane
