// One client connection speaking a hub protocol (JSON or MessagePack) over some transport: the
// handshake, incoming records, the corked outbound queue bounded in bytes, pings, client and
// handshake timeouts, Close both ways. Transports (WebSockets, Server-Sent Events, long polling)
// derive from it and supply the I/O hooks. Every member runs on the connection's shard thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hubs/client_connection.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"
#include "service/service_context.hpp"
#include "service/upstream_session.hpp"

namespace switchboard::service {

enum class TransportKind : std::uint8_t { WebSockets, ServerSentEvents, LongPolling };

class DashboardFeed;

class HubConnection : public ClientConnection, public std::enable_shared_from_this<HubConnection> {
 public:
  HubConnection(ServiceContext& context, Shard& shard, std::string id, std::string hub,
                std::string user, TransportKind transport);
  ~HubConnection() override;

  void send(const MessagePtr& message) override;
  void flush_deferred() override;
  void close(std::string_view error, bool allow_reconnect) override;
  void tick(Clock::time_point now) override;

  // Bytes a client sent by POST (Server-Sent Events, long polling); on the connection's shard.
  void deliver(const std::string& bytes) { receive(bytes); }

  // What upstream requests say about the client (X-ASRS-User-Claims, X-ASRS-Client-Query), set
  // by the client endpoint before the connection starts.
  void set_client_details(std::string claims_header, std::string query_header) {
    if (claims_header.empty() && query_header.empty()) return;
    occasional().claims_header = std::move(claims_header);
    occasional().query_header = std::move(query_header);
  }

  // A dashboard's connection (docs/dashboard.md): never routed nor counted, no upstream events;
  // once its handshake is done it is subscribed to `feed`. Set before the connection starts.
  void watch_for_dashboard(std::shared_ptr<DashboardFeed> feed) {
    occasional().dashboard = std::move(feed);
  }

  // Its place under the connection limits (service/admission), given back when it ends.
  void hold_admission(Admission::Ticket ticket) { admission_ticket_ = std::move(ticket); }

  TransportKind transport() const { return transport_; }
  // Stateful reconnect (hub protocol version 2 over WebSockets): whether this connection keeps
  // unacknowledged messages and waits for its client to come back after a dropped socket.
  bool stateful() const { return stateful_ != nullptr; }
  bool waiting_for_reconnect() const { return inactive_; }
  HubProtocol protocol() const { return protocol_; }
  std::string_view transport_name() const override;
  std::string_view protocol_name() const override;
  bool finished() const { return finished_; }

 protected:
  // Registers with the shard (timeouts apply from now on) and the connection table.
  void begin();
  // Feeds bytes that arrived from the client.
  void receive(std::string_view bytes);
  // Writes whatever is queued if the transport can take it now.
  void flush();
  // Ends the connection: unregisters, retires the id; idempotent.
  void finish();
  // Drops the transport at once (no Close message).
  void abort();
  // Whether the connection is closing because a message from the client was over
  // --max-message-size (the WebSocket then closes with 1009).
  bool message_too_big() const { return message_too_big_; }
  // Why the connection is ending, for the upstream's `disconnected` event (the first reason
  // given is kept; none: it ended cleanly).
  void set_end_reason(std::string_view reason);
  const std::string& end_reason() const;  // empty: none given

  // Transport hooks.
  // Whether a write may start now (long polling: only while a poll waits).
  virtual bool can_write() const { return true; }
  // Writes `batch` (whole records, in order) and later calls write_done().
  virtual void write(const std::vector<MessagePtr>& batch) = 0;
  // Called after the Close message went out: end the transport gracefully.
  virtual void close_transport() = 0;
  // Drop the transport now.
  virtual void abort_transport() = 0;
  // Drop the transport but keep the connection (stateful reconnect: its client may come back).
  virtual void drop_transport() { abort_transport(); }
  // Whether pings and the client timeout apply (not for long polling).
  virtual bool uses_keep_alive() const { return true; }
  // Whether the client's bytes wait unread in the kernel (the shard has not got to them yet).
  virtual bool has_unread_input() { return false; }
  // The transport's socket descriptor (a new connection's number tells how many are in use:
  // net::PendingConnections), -1 when it holds none of its own (long polling).
  virtual int socket_descriptor() { return -1; }
  virtual void on_finished() {}

  void write_done(boost::system::error_code ec);
  // A write on a replaced socket finished: its counted messages are replayed, so only the
  // bookkeeping is done.
  void write_abandoned();
  // The transport dropped without a Close: a stateful connection waits for its client to
  // reconnect (returns true); any other ends (returns false).
  bool transport_lost();
  // A new transport took over after a reconnect: send Sequence, replay what was not acked.
  void transport_resumed();

  ServiceContext& context_;
  Shard& shard_;
  std::vector<MessagePtr> in_flight_;
  Clock::time_point last_receive_;
  // (The flags and small fields of this class and the next section are declared together, so
  // that they share one word instead of leaving holes: every idle connection carries them.)
  bool closing_ = false;  // a Close is queued; nothing more is sent
  bool finished_ = false;

 private:
  bool handle_record(std::string_view record);
  bool handle_handshake(std::string_view record);
  // After the handshake: the upstream's `connect` verdict, the router, the handshake answer.
  // `self` keeps the connection alive from the moment the coroutine is made.
  boost::asio::awaitable<void> open_connection(std::shared_ptr<HubConnection> self);
  void handle_message(const protocol::HubMessage& message);
  void send_raw(std::string frame, bool counted = false);
  // The write of in_flight_ is over (done or abandoned): its bytes leave the queue's count.
  void release_in_flight();
  // Stateful reconnect bookkeeping.
  void on_ack(std::int64_t sequence_id);
  bool accept_counted_message();  // false: a duplicate after a reconnect, to skip
  // Drops the oldest written messages beyond the replay buffer's size.
  void trim_replay_buffer();
  // A send while the client is away: kept for it within the limits, else the connection can no
  // longer be resumed.
  void keep_while_away(const MessagePtr& message, std::size_t size);
  // The Sequence record announcing `first`, in this connection's protocol.
  std::string sequence_record(std::int64_t first) const;
  // A Sequence the client accepts followed by a Close with `error`, encoded.
  std::string sequence_and_close(const std::string& error) const;
  // What a client coming back after this connection ended is told.
  Farewell farewell() const;
  std::optional<std::string_view> next_record();
  bool append_bytes(std::string_view bytes);

  TransportKind transport_;
  HubProtocol protocol_ = HubProtocol::Json;
  bool writing_ = false;
  bool flush_scheduled_ = false;  // on the shard's deferred-flush list
  bool handshake_done_ = false;
  bool answered_ = false;  // the client has its handshake answer
  enum class Registration : std::uint8_t { None, Pending, Done };
  Registration registration_ = Registration::None;  // with the router
  bool timeout_started_ = false;
  bool message_too_big_ = false;
  bool transport_closed_ = false;
  bool inactive_ = false;      // the socket dropped; waiting for the client to reconnect
  bool counted_open_ = false;  // counted in counters_.opened (and so to count as closed)
  // The write under way followed a quiet second (or is the first): once done, in_flight_'s room
  // is given back, so that a connection that is written to rarely holds no vector between writes
  // (a busy one keeps its two vectors, which trade places every write).
  bool quiet_write_ = false;
  protocol::JsonRecordReader json_reader_;
  std::unique_ptr<protocol::MessagePackRecordReader> messagepack_reader_;
  std::unique_ptr<std::string> handshake_buffer_;  // an incomplete handshake record's bytes
  // Vectors, not deques: libstdc++'s deque allocates half a kilobyte even when empty, and every
  // idle connection has these.
  std::vector<MessagePtr> queue_;
  std::size_t queued_bytes_ = 0;
  // When the current phase began: the connection's creation until the handshake is done (the
  // handshake timeout), its Close once closing (the close timeout); tick() looks at `closing_`
  // first, so one time serves both.
  Clock::time_point phase_since_;
  Clock::time_point last_send_;
  // Stateful reconnect: made at the handshake when the client asks for it (most do not, and
  // every idle connection would carry these bytes: issue 16).
  struct StatefulState {
    Clock::time_point inactive_since;
    std::int64_t next_out_sequence = 1;
    std::vector<std::pair<std::int64_t, MessagePtr>> unacked;
    std::size_t unacked_bytes = 0;
    std::int64_t acked_through = 0;    // the client's latest Ack
    std::int64_t evicted_through = 0;  // the last sequence id dropped from the replay buffer
    std::string resume_refusal;        // why a client coming back cannot resume; empty: it can
    std::int64_t received = 0;         // counted messages processed from the client
    std::int64_t incoming_cursor = 0;  // sequence id of the last counted message seen
    bool awaiting_sequence = false;    // after a reconnect, drop all until a Sequence
    bool ack_due = false;
  };
  std::unique_ptr<StatefulState> stateful_;
  // Upstream events (only when an upstream is configured).
  std::shared_ptr<UpstreamSession> upstream_;
  // What only some connections have, in one block made on first use (an idle connection without
  // them carries one pointer, not four).
  struct Occasional {
    // What set_client_details() gave, until the handshake hands it to the upstream session.
    std::string claims_header;
    std::string query_header;
    std::string end_reason;  // set_end_reason()
    // Set on a dashboard's connection.
    std::shared_ptr<DashboardFeed> dashboard;
  };
  Occasional& occasional();
  DashboardFeed* dashboard() const { return occasional_ ? occasional_->dashboard.get() : nullptr; }
  std::unique_ptr<Occasional> occasional_;
  // Held from begin() until the hub handshake is done (or the connection ends).
  std::unique_ptr<net::PendingConnections::Ticket> handshake_ticket_;
  Admission::Ticket admission_ticket_;
  // This hub's counters on this shard (metrics/service_metrics), written only here.
  metrics::HubCounters& counters_;
};

}  // namespace switchboard::service
