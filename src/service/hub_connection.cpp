// Hub protocol state machine shared by every transport: see hub_connection.hpp.
#include "service/hub_connection.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "auth/upstream_signature.hpp"
#include "service/connection_log.hpp"
#include "service/dashboard_feed.hpp"
#include "util/url.hpp"

namespace switchboard::service {

using protocol::MessageType;

namespace {

const MessagePtr& ping_message(HubProtocol protocol) {
  static const MessagePtr json = OutboundMessage::raw(std::string(protocol::ping_frame()));
  static const MessagePtr messagepack =
      OutboundMessage::raw(std::string(protocol::messagepack_ping_frame()));
  return protocol == HubProtocol::Json ? json : messagepack;
}

constexpr auto kCloseTimeout = std::chrono::seconds(5);
// A write this long after the previous one gives its vector's room back when done (quiet_write_).
constexpr auto kQuietWrite = std::chrono::seconds(1);
// Stateful reconnect: how long a dropped connection waits for its client.
constexpr auto kReconnectWindow = std::chrono::seconds(15);

bool is_counted(protocol::MessageType type) {
  using protocol::MessageType;
  return type == MessageType::Invocation || type == MessageType::StreamItem ||
         type == MessageType::Completion || type == MessageType::StreamInvocation ||
         type == MessageType::CancelInvocation;
}

}  // namespace

HubConnection::HubConnection(ServiceContext& context, Shard& shard, std::string id, std::string hub,
                             std::string user, TransportKind transport)
    : ClientConnection(std::move(id), std::move(hub), std::move(user), shard.index()),
      context_(context),
      shard_(shard),
      last_receive_(Clock::now()),
      transport_(transport),
      json_reader_(context.options.max_message_size),
      phase_since_(last_receive_),
      last_send_(),  // (long ago: the first write, the handshake answer, counts as quiet)
      counters_(context.metrics->hub(shard.index(), this->hub())) {}

HubConnection::~HubConnection() = default;

std::string_view HubConnection::transport_name() const {
  switch (transport_) {
    case TransportKind::WebSockets:
      return "WebSockets";
    case TransportKind::ServerSentEvents:
      return "ServerSentEvents";
    case TransportKind::LongPolling:
      return "LongPolling";
  }
  return {};
}

std::string_view HubConnection::protocol_name() const {
  return protocol_ == HubProtocol::Json ? "json" : "messagepack";
}

void HubConnection::begin() {
  // On the shard's heartbeat right away, so that the handshake timeout applies.
  context_.router->local().watch(shared_from_this());
  context_.connections.add(id(), weak_from_this());
  // Counted among the connections awaiting their handshake: beyond the cap the oldest of them
  // is closed, so that sockets that never handshake cannot use up the descriptors.
  if (context_.awaiting_handshake)
    handshake_ticket_ =
        std::make_unique<net::PendingConnections::Ticket>(context_.awaiting_handshake->admit(
            shard_.io(),
            [weak = weak_from_this()] {
              // One whose handshake waits unread is a real client this shard has not got to yet.
              if (auto self = weak.lock(); self && !self->has_unread_input()) {
                connection_log(*self, spdlog::level::debug,
                               "connection {}: closed before its handshake (too many awaiting "
                               "theirs)",
                               self->id());
                self->context_.metrics->refused(metrics::ServiceLimit::AwaitingHandshake);
                self->abort();
              }
            },
            socket_descriptor()));
}

bool HubConnection::append_bytes(std::string_view bytes) {
  if (messagepack_reader_) return messagepack_reader_->append(bytes);
  return json_reader_.append(bytes);
}

std::optional<std::string_view> HubConnection::next_record() {
  if (messagepack_reader_) return messagepack_reader_->next();
  return json_reader_.next();
}

void HubConnection::receive(std::string_view bytes) {
  if (closing_ || finished_) return;
  counters_.bytes_received[static_cast<std::size_t>(protocol_)].add(bytes.size());
  // (The client timeout counts from the last complete record, in handle_record(): bytes of a
  // record or frame that never ends do not keep a connection alive.)
  std::string after_handshake;
  if (!handshake_done_) {
    // The handshake is JSON whatever the protocol; what follows it belongs to that protocol.
    // Bytes are kept only while the handshake record is incomplete (usually it comes whole).
    std::string_view pending = bytes;
    if (handshake_buffer_) {
      handshake_buffer_->append(bytes);
      pending = *handshake_buffer_;
    }
    auto end = pending.find(protocol::kRecordSeparator);
    if (end == std::string_view::npos) {
      if (!handshake_buffer_) handshake_buffer_ = std::make_unique<std::string>(bytes);
      if (handshake_buffer_->size() > context_.options.max_message_size) {
        connection_log(*this, spdlog::level::debug, "connection {}: handshake over {} bytes", id(),
                       context_.options.max_message_size);
        context_.metrics->refused(metrics::ServiceLimit::MaxMessageSize);
        abort();
      }
      return;
    }
    std::string record(pending.substr(0, end));
    after_handshake = pending.substr(end + 1);
    handshake_buffer_.reset();
    if (!handle_handshake(record)) return;
    if (protocol_ == HubProtocol::MessagePack)
      messagepack_reader_ =
          std::make_unique<protocol::MessagePackRecordReader>(context_.options.max_message_size);
    bytes = after_handshake;
    if (bytes.empty()) return;
  }
  if (!append_bytes(bytes)) {
    message_too_big_ = true;
    context_.metrics->refused(metrics::ServiceLimit::MaxMessageSize);
    close(fmt::format("Message exceeds the maximum size of {} bytes or is malformed.",
                      context_.options.max_message_size),
          false);
    return;
  }
  while (auto record = next_record()) {
    if (!handle_record(*record)) return;
  }
}

bool HubConnection::handle_record(std::string_view record) {
  if (closing_) return false;
  auto parsed = protocol_ == HubProtocol::Json ? protocol::parse_json_message(record)
                                               : protocol::parse_messagepack_message(record);
  if (!parsed.error.empty()) {
    close("Invalid message: " + parsed.error, false);
    return false;
  }
  last_receive_ = Clock::now();
  if (!parsed.message) return true;  // unknown message type: ignored, as the spec asks
  timeout_started_ = true;
  if (is_counted(parsed.message->type) || parsed.message->type == MessageType::Close)
    counters_.messages_received[static_cast<std::size_t>(protocol_)].add();
  if (stateful_) {
    const auto type = parsed.message->type;
    if (stateful_->awaiting_sequence && type != MessageType::Sequence)
      return true;  // dropped until then
    if (type == MessageType::Sequence) {
      if (parsed.message->sequence_id > stateful_->received + 1) {
        close("Sequence ID greater than amount of messages we've received.", false);
        return false;
      }
      stateful_->awaiting_sequence = false;
      stateful_->incoming_cursor = parsed.message->sequence_id - 1;
      return true;
    }
    if (type == MessageType::Ack) {
      on_ack(parsed.message->sequence_id);
      return true;
    }
    if (is_counted(type) && !accept_counted_message()) return true;  // a replayed duplicate
  }
  if (parsed.message->type == MessageType::Close) {
    if (parsed.message->has_error && !parsed.message->error.empty())
      set_end_reason(parsed.message->error);
    close({}, false);
    return false;
  }
  if (upstream_ && (parsed.message->type == MessageType::Invocation ||
                    parsed.message->type == MessageType::StreamInvocation)) {
    upstream_->message(*parsed.message, record);
    return !closing_;
  }
  handle_message(*parsed.message);
  return true;
}

bool HubConnection::handle_handshake(std::string_view record) {
  auto parsed = protocol::parse_handshake_request(record);
  std::string error;
  if (!parsed.request) {
    error = "An unexpected error occurred during connection handshake. " + parsed.error;
  } else if (util::iequals(parsed.request->protocol, "json")) {
    protocol_ = HubProtocol::Json;
  } else if (util::iequals(parsed.request->protocol, "messagepack")) {
    if (transport_ == TransportKind::ServerSentEvents)
      error = "Cannot use the '" + parsed.request->protocol +
              "' protocol on the current transport. The transport does not support 'Binary' "
              "transfer format.";
    protocol_ = HubProtocol::MessagePack;
  } else {
    error = "The protocol '" + parsed.request->protocol + "' is not supported.";
  }
  if (error.empty() && (parsed.request->version < 1 || parsed.request->version > 2)) {
    error = "The server does not support version " + std::to_string(parsed.request->version) +
            " of the '" + parsed.request->protocol + "' protocol.";
  }
  if (!error.empty()) {
    connection_log(*this, spdlog::level::debug, "connection {}: handshake rejected: {}", id(),
                   error);
    protocol_ = HubProtocol::Json;  // the handshake answer is JSON text either way
    send_raw(protocol::handshake_response(error));
    closing_ = true;
    phase_since_ = Clock::now();
    flush();
    return false;
  }
  handshake_done_ = true;
  handshake_ticket_.reset();
  // The client details are not kept past here.
  std::string claims = occasional_ ? std::move(occasional_->claims_header) : std::string();
  std::string query = occasional_ ? std::move(occasional_->query_header) : std::string();
  // Version 2 is asked for only when negotiate granted stateful reconnect; it works over
  // WebSockets only.
  if (parsed.request->version >= 2 && transport_ == TransportKind::WebSockets)
    stateful_ = std::make_unique<StatefulState>();
  // With an upstream, the connection's events go through its session (docs/upstream.md); a
  // dashboard's connection has none.
  if (context_.upstream && !dashboard()) {
    upstream::ConnectionFacts facts;
    facts.connection_id = id();
    facts.hub = hub();
    facts.user_id = user();
    facts.claims = std::move(claims);
    facts.query = std::move(query);
    facts.signature = auth::upstream_signature(id(), context_.options.access_keys);
    UpstreamSession::Hooks hooks;
    hooks.deliver = [weak = weak_from_this()](std::string frame) {
      auto self = weak.lock();
      if (self && !self->closing_ && !self->finished_) self->send_raw(std::move(frame), true);
    };
    hooks.close = [weak = weak_from_this()](std::string error) {
      if (auto self = weak.lock()) {
        connection_log(*self, spdlog::level::info, "connection {}: {}", self->id(), error);
        self->close(error, false);
      }
    };
    upstream_ = std::make_shared<UpstreamSession>(
        context_, std::move(facts),
        protocol_ == HubProtocol::Json ? upstream::Protocol::Json : upstream::Protocol::MessagePack,
        std::move(hooks));
  }
  boost::asio::co_spawn(shard_.io(), open_connection(shared_from_this()), boost::asio::detached);
  return true;
}

boost::asio::awaitable<void> HubConnection::open_connection(std::shared_ptr<HubConnection> self) {
  if (auto* dashboard = this->dashboard()) {
    if (finished_ || closing_) co_return;
    // Not routed: it stays on its shard's heartbeat (pings, timeouts, the shutdown Close) and
    // gets what the feed publishes.
    send_raw(protocol::handshake_response());
    answered_ = true;
    if (auto refusal = dashboard->subscribe(self); !refusal.empty()) close(refusal, false);
    co_return;
  }
  if (upstream_ && upstream_->wants_connect()) {
    // The upstream decides first whether this client may connect; no ping goes out meanwhile.
    auto upstream = upstream_;
    auto op = upstream->connect();
    auto verdict = co_await std::move(op);
    if (finished_ || closing_) co_return;
    if (!verdict.accepted) {
      // The handshake is answered, then the Close says why (the client reports that reason).
      send_raw(protocol::handshake_response());
      answered_ = true;
      set_end_reason(verdict.reason);
      close(verdict.reason, false);
      co_return;
    }
  }
  // Routed (joins stored user groups; on a cluster, known to every node) before the client hears
  // the handshake answer: once it has, REST calls naming it must find it. (Sends routed to it
  // meanwhile are posted to this shard, so they queue after the answer.)
  registration_ = Registration::Pending;
  try {
    co_await context_.router->connection_opened(self);
  } catch (const std::exception& e) {
    // Not expected (a cluster node registers locally and catches up with Redis later); the
    // connection cannot be routed, so it ends.
    connection_log(*this, spdlog::level::err, "connection {}: could not be registered: {}", id(),
                   e.what());
    registration_ = Registration::None;
    abort();
    co_return;
  }
  if (finished_) {  // ended while registering: undo it now
    registration_ = Registration::Done;
    context_.router->connection_closed(*this);
    co_return;
  }
  registration_ = Registration::Done;
  send_raw(protocol::handshake_response());
  answered_ = true;
  counters_.opened[static_cast<std::size_t>(transport_)].add();
  counted_open_ = true;
  connection_log(*this, spdlog::level::debug, "connection {}: connected to hub {} over {} ({})",
                 id(), hub(), metrics::kTransportNames[static_cast<std::size_t>(transport_)],
                 metrics::kProtocolNames[static_cast<std::size_t>(protocol_)]);
  // `connected` is sent (and answered) before any message of the client.
  if (upstream_) upstream_->opened();
}

void HubConnection::handle_message(const protocol::HubMessage& message) {
  switch (message.type) {
    case MessageType::Invocation:
    case MessageType::StreamInvocation:
      // (With an upstream, UpstreamSession takes these.)
      if (message.has_invocation_id && !message.invocation_id.empty()) {
        std::string error = "Invocation failed: no upstream is configured for hub '" + hub() +
                            "' to handle '" + message.target + "'.";
        send_raw(protocol_ == HubProtocol::Json
                     ? protocol::encode_completion_error(message.invocation_id, error)
                     : protocol::encode_messagepack_completion_error(message.invocation_id, error),
                 true);
      }
      break;
    default:
      break;  // Ping, Ack, Sequence, StreamItem, Completion, CancelInvocation: nothing to do
  }
}

void HubConnection::send_raw(std::string frame, bool counted) {
  auto message = OutboundMessage::raw(std::move(frame), counted);
  queued_bytes_ += message->size(protocol_);
  queue_.push_back(std::move(message));
  flush();
}

void HubConnection::send(const MessagePtr& message) {
  if (closing_ || finished_ || !handshake_done_) return;
  std::size_t size = message->size(protocol_);
  if (size == 0) return;  // no encoding for this protocol
  if (inactive_) {
    keep_while_away(message, size);
    return;
  }
  if (queued_bytes_ + size > context_.options.max_outbound_queue_bytes && stateful_) {
    // Under stateful reconnect the unacknowledged messages are not part of this count (they are
    // written already): what is over the limit here is unwritten, so the client is not reading.
    // Its socket goes; the connection keeps what it has not sent for the reconnect window, and
    // a client that comes back gets it all.
    spdlog::warn(
        "connection {}: outbound queue over {} bytes, the client is not reading; dropping its "
        "socket (it may reconnect within {} s and resume)",
        id(), context_.options.max_outbound_queue_bytes, kReconnectWindow.count());
    context_.metrics->slow_client_dropped();
    if (transport_lost()) {
      drop_transport();  // touches no index: safe inside a fan-out
      queued_bytes_ += size;
      queue_.push_back(message);
      return;
    }
  }
  if (queued_bytes_ + size > context_.options.max_outbound_queue_bytes) {
    connection_log(
        *this, spdlog::level::warn,
        "connection {}: outbound queue over {} bytes, the client is not reading; closing", id(),
        context_.options.max_outbound_queue_bytes);
    context_.metrics->slow_client_dropped();
    set_end_reason(fmt::format("The client was not reading: over {} bytes were waiting for it.",
                               context_.options.max_outbound_queue_bytes));
    // Not now: send() runs inside a shard's fan-out loop, which must not see the index change.
    closing_ = true;
    phase_since_ = Clock::now();
    shard_.post([self = shared_from_this()] { self->abort(); });
    return;
  }
  queued_bytes_ += size;
  queue_.push_back(message);
  // Corked: the write happens once the burst of sends this one belongs to is over.
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    shard_.defer_flush(shared_from_this());
  }
}

void HubConnection::keep_while_away(const MessagePtr& message, std::size_t size) {
  if (!stateful_->resume_refusal.empty()) return;  // already lost messages: nothing more is kept
  const std::size_t limit =
      context_.options.max_outbound_queue_bytes + context_.options.stateful_reconnect_buffer_bytes;
  if (queued_bytes_ + stateful_->unacked_bytes + size > limit) {
    // A client that comes back could not get everything: tell it so when it does.
    stateful_->resume_refusal = fmt::format(
        "The connection cannot be resumed: the messages sent to it while the client was away "
        "exceeded the {} bytes it keeps.",
        limit);
    connection_log(*this, spdlog::level::info, "connection {}: {}", id(),
                   stateful_->resume_refusal);
    std::vector<MessagePtr>().swap(queue_);
    queued_bytes_ = 0;
    std::vector<std::pair<std::int64_t, MessagePtr>>().swap(stateful_->unacked);
    stateful_->unacked_bytes = 0;
    return;
  }
  queued_bytes_ += size;
  queue_.push_back(message);
}

void HubConnection::flush_deferred() {
  flush_scheduled_ = false;
  flush();
}

void HubConnection::flush() {
  if (writing_ || finished_) return;
  if (queue_.empty()) {
    if (closing_ && !transport_closed_) {
      transport_closed_ = true;
      close_transport();
    }
    return;
  }
  if (inactive_ || !can_write()) return;
  // Cork: every message queued so far goes out in one write. Writes never wait for Acks (a
  // client acknowledges about once a second; waiting would stall every burst): the written
  // messages are kept for replay, the oldest dropped beyond the replay buffer's size.
  in_flight_.swap(queue_);
  queue_.clear();
  if (stateful_) {
    for (const auto& message : in_flight_) {
      if (!message->counted()) continue;
      stateful_->unacked.emplace_back(stateful_->next_out_sequence++, message);
      stateful_->unacked_bytes += message->size(protocol_);
    }
    trim_replay_buffer();
  }
  writing_ = true;
  const auto now = Clock::now();
  quiet_write_ = now - last_send_ >= kQuietWrite;
  last_send_ = now;
  {
    const auto p = static_cast<std::size_t>(protocol_);
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    for (const auto& message : in_flight_) {
      messages += message->counted() ? 1 : 0;
      bytes += message->size(protocol_);
    }
    counters_.messages_sent[p].add(messages);
    counters_.bytes_sent[p].add(bytes);
  }
  write(in_flight_);
}

void HubConnection::trim_replay_buffer() {
  const std::size_t limit = context_.options.stateful_reconnect_buffer_bytes;
  std::size_t dropped = 0;
  while (stateful_->unacked_bytes > limit && dropped + 1 < stateful_->unacked.size()) {
    stateful_->unacked_bytes -= stateful_->unacked[dropped].second->size(protocol_);
    stateful_->evicted_through = stateful_->unacked[dropped].first;
    ++dropped;
  }
  stateful_->unacked.erase(stateful_->unacked.begin(),
                           stateful_->unacked.begin() + static_cast<std::ptrdiff_t>(dropped));
}

void HubConnection::release_in_flight() {
  writing_ = false;
  for (const auto& message : in_flight_)
    queued_bytes_ -= std::min(queued_bytes_, message->size(protocol_));
  if (quiet_write_)
    std::vector<MessagePtr>().swap(in_flight_);
  else
    in_flight_.clear();
}

void HubConnection::write_done(boost::system::error_code ec) {
  release_in_flight();
  if (ec) {
    connection_log(*this, spdlog::level::debug, "connection {}: write failed: {}", id(),
                   ec.message());
    if (!transport_lost()) abort();
    return;
  }
  flush();
}

void HubConnection::write_abandoned() {
  release_in_flight();
  flush();
}

bool HubConnection::transport_lost() {
  if (!stateful_ || closing_ || finished_) return false;
  if (!inactive_) {
    connection_log(*this, spdlog::level::debug,
                   "connection {}: socket dropped; waiting {} s for the client to reconnect", id(),
                   kReconnectWindow.count());
    inactive_ = true;
    stateful_->inactive_since = Clock::now();
  }
  return true;
}

void HubConnection::transport_resumed() {
  inactive_ = false;
  stateful_->awaiting_sequence = true;  // the client's replay starts with its Sequence
  last_receive_ = Clock::now();
  if (!stateful_->resume_refusal.empty()) {
    // Messages were lost while the client was away: it is told so, and the connection ends.
    send_raw(sequence_record(stateful_->acked_through + 1));
    close(stateful_->resume_refusal, false);
    return;
  }
  if (stateful_->evicted_through > stateful_->acked_through)
    spdlog::debug(
        "connection {}: messages {} to {} left the replay buffer unacknowledged; the client "
        "decides whether it has them",
        id(), stateful_->acked_through + 1, stateful_->evicted_through);
  // Everything not acknowledged goes again, with the same sequence ids, after a Sequence.
  std::int64_t first =
      stateful_->unacked.empty() ? stateful_->next_out_sequence : stateful_->unacked.front().first;
  auto sequence = sequence_record(first);
  std::vector<MessagePtr> replay;
  replay.reserve(stateful_->unacked.size() + 1 + queue_.size());
  queued_bytes_ += sequence.size();
  replay.push_back(OutboundMessage::raw(std::move(sequence)));
  for (auto& [number, message] : stateful_->unacked) {
    queued_bytes_ += message->size(protocol_);
    replay.push_back(std::move(message));
  }
  for (auto& message : queue_) replay.push_back(std::move(message));
  queue_ = std::move(replay);
  stateful_->unacked.clear();
  stateful_->unacked_bytes = 0;
  stateful_->next_out_sequence = first;
  flush();
}

std::string HubConnection::sequence_record(std::int64_t first) const {
  return protocol_ == HubProtocol::Json ? protocol::encode_sequence(first)
                                        : protocol::encode_messagepack_sequence(first);
}

std::string HubConnection::sequence_and_close(const std::string& error) const {
  // A Sequence the client accepts (it has everything up to its last Ack): a client coming back
  // waits for a Sequence and ignores anything before it. Then the Close that says why.
  return sequence_record(stateful_->acked_through + 1) +
         (protocol_ == HubProtocol::Json ? protocol::encode_close(error, false)
                                         : protocol::encode_messagepack_close(error, false));
}

Farewell HubConnection::farewell() const {
  std::string error = stateful_->resume_refusal.empty()
                          ? std::string("The connection has ended: it cannot be resumed.")
                          : stateful_->resume_refusal;
  return {sequence_and_close(error), protocol_ == HubProtocol::MessagePack};
}

void HubConnection::on_ack(std::int64_t sequence_id) {
  stateful_->acked_through =
      std::max(stateful_->acked_through, std::min(sequence_id, stateful_->next_out_sequence - 1));
  std::size_t acked = 0;
  while (acked < stateful_->unacked.size() && stateful_->unacked[acked].first <= sequence_id) {
    stateful_->unacked_bytes -=
        std::min(stateful_->unacked_bytes, stateful_->unacked[acked].second->size(protocol_));
    ++acked;
  }
  stateful_->unacked.erase(stateful_->unacked.begin(),
                           stateful_->unacked.begin() + static_cast<std::ptrdiff_t>(acked));
  flush();
}

bool HubConnection::accept_counted_message() {
  ++stateful_->incoming_cursor;
  if (stateful_->incoming_cursor <= stateful_->received) return false;
  stateful_->received = stateful_->incoming_cursor;
  stateful_->ack_due = true;
  return true;
}

HubConnection::Occasional& HubConnection::occasional() {
  if (!occasional_) occasional_ = std::make_unique<Occasional>();
  return *occasional_;
}

void HubConnection::set_end_reason(std::string_view reason) {
  if (end_reason().empty()) occasional().end_reason = reason;
}

const std::string& HubConnection::end_reason() const {
  static const std::string kNone;
  return occasional_ ? occasional_->end_reason : kNone;
}

void HubConnection::close(std::string_view error, bool allow_reconnect) {
  if (closing_ || finished_) return;
  if (!error.empty()) set_end_reason(error);
  closing_ = true;
  phase_since_ = Clock::now();
  context_.retired.retire(id(), Clock::now() + context_.connect_window);
  if (handshake_done_) {
    auto frame = protocol_ == HubProtocol::Json
                     ? protocol::encode_close(error, allow_reconnect)
                     : protocol::encode_messagepack_close(error, allow_reconnect);
    queued_bytes_ += frame.size();
    queue_.push_back(OutboundMessage::raw(std::move(frame)));
  }
  flush();
}

void HubConnection::abort() {
  closing_ = true;
  abort_transport();
  finish();
}

void HubConnection::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  if (counted_open_) {
    counters_.closed[static_cast<std::size_t>(transport_)].add();
    connection_log(*this, spdlog::level::debug, "connection {}: ended{}{}", id(),
                   end_reason().empty() ? "" : ": ", end_reason());
  }
  handshake_ticket_.reset();
  admission_ticket_.reset();
  // A client away from a stateful connection that ends now is told why when it comes back.
  context_.retired.retire(id(), Clock::now() + context_.connect_window,
                          inactive_ ? farewell() : Farewell{});
  context_.connections.remove(id());
  if (auto* dashboard = this->dashboard()) dashboard->unsubscribe(id());
  if (registration_ == Registration::Done) {
    context_.router->connection_closed(*this);
  } else if (registration_ == Registration::None) {
    context_.router->local().unwatch(*this);
  }  // Pending: open_connection() undoes it when the registration completes
  // The upstream hears `disconnected` after what the client sent before.
  if (upstream_) upstream_->closed(end_reason());
  on_finished();
}

void HubConnection::tick(Clock::time_point now) {
  if (finished_) return;
  const auto& options = context_.options;
  if (closing_) {
    if (now - phase_since_ >= kCloseTimeout) abort();
    return;
  }
  if (!handshake_done_) {
    if (now - phase_since_ >= options.handshake_timeout) {
      connection_log(*this, spdlog::level::debug, "connection {}: handshake timed out", id());
      context_.metrics->refused(metrics::ServiceLimit::HandshakeTimeout);
      abort();
    }
    return;
  }
  if (inactive_) {
    if (now - stateful_->inactive_since >= kReconnectWindow) {
      connection_log(*this, spdlog::level::debug,
                     "connection {}: the client did not reconnect in time", id());
      if (stateful_->resume_refusal.empty())
        stateful_->resume_refusal = fmt::format(
            "The connection cannot be resumed: the client did not reconnect within {} s.",
            kReconnectWindow.count());
      set_end_reason(stateful_->resume_refusal);
      abort();
    }
    return;
  }
  if (stateful_ && stateful_->ack_due) {
    stateful_->ack_due = false;
    send_raw(protocol_ == HubProtocol::Json
                 ? protocol::encode_ack(stateful_->received)
                 : protocol::encode_messagepack_ack(stateful_->received));
  }
  if (!uses_keep_alive()) return;
  if (timeout_started_ && now - last_receive_ >= options.client_timeout_interval) {
    context_.metrics->refused(metrics::ServiceLimit::ClientTimeout);
    close("Client hasn't sent a message/ping within the configured ClientTimeoutInterval.", false);
    return;
  }
  // No ping before the handshake answer (an upstream's connect event may take a while).
  if (answered_ && !writing_ && queue_.empty() && now - last_send_ >= options.keep_alive_interval)
    send(ping_message(protocol_));
}

}  // namespace switchboard::service
