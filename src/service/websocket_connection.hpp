// The WebSockets transport, on the raw socket: JSON in Text frames, MessagePack in Binary frames,
// every record queued during a turn in one frame and one sendmsg() (queued on the shard's send ring
// during a deferred flush where io_uring is used: one submission for the slice); reads wait for
// readiness and then drain the socket into the shard thread's scratch buffer, so an idle connection
// holds no read buffer. Inbound frames are a byte stream (records may span frames). Under stateful
// reconnect a new socket can take over the connection (resume()). The socket is watched by the
// shard's own epoll set (exec/socket_readiness), registered once for input and output, not by
// Asio's reactor: an idle connection holds no wait operation and no per-socket reactor state.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "exec/socket_readiness.hpp"
#include "protocol/websocket_frame.hpp"
#include "service/hub_connection.hpp"

namespace switchboard::service {

class WebSocketConnection final : public HubConnection,
                                  private protocol::WebSocketReader::Listener,
                                  private exec::ReadinessListener {
 public:
  WebSocketConnection(ServiceContext& context, Shard& shard, boost::asio::ip::tcp::socket socket,
                      std::string id, std::string hub, std::string user);
  ~WebSocketConnection() override;

  // Answers the upgrade (101 with `accept`, the Sec-WebSocket-Accept value) and starts reading.
  void start(const std::string& accept);
  // A reconnecting client's socket (accepted on any shard, passed as a native handle) takes over
  // this connection. Runs on this connection's shard.
  void resume(boost::asio::ip::tcp::socket::protocol_type protocol, int native_socket,
              const std::string& accept);

 private:
  // HubConnection's transport hooks.
  void write(const std::vector<MessagePtr>& batch) override;
  void close_transport() override;
  void abort_transport() override;
  void drop_transport() override { drop_socket(); }
  bool has_unread_input() override;
  int socket_descriptor() override;
  void on_finished() override;
  // The frame reader's callbacks.
  void on_data(std::string_view payload) override;
  void on_control(protocol::WebSocketOpcode opcode, std::string_view payload) override;

  // The shard's epoll set says what became ready.
  void on_ready(std::uint32_t events) override;

  void open(const std::string& accept);
  void read_ready();
  // Sends `frame` ahead of the next batch of records.
  void send_control(std::string frame);
  // Writes what is pending until done or until the socket is full (then waits to be writable).
  void pump();
  // The socket is full: the rest waits for the shard's epoll set to say it is writable.
  void wait_writable() { write_blocked_ = true; }
  // A write queued on the shard's send ring (exec/send_ring) completed with `result`.
  static void ring_sent(void* connection, int result);
  void write_failed(boost::system::error_code ec);
  // Ends with a Close frame carrying `code` (a protocol error from the client).
  void fail(std::uint16_t code, std::string_view reason);
  // The socket dropped without a Close.
  void lost();
  // Forgets the current socket (unwatched and closed).
  void drop_socket();
  void close_socket();
  // Stops watching the socket and closes it.
  void release_socket();
  bool socket_open() const { return fd_ >= 0; }
  std::shared_ptr<WebSocketConnection> self();

  protocol::WebSocketReader reader_;
  // What goes out, in order: the control frames' `out` (the 101 answer, Pong and Close frames),
  // then, when batch_pending_, header_ and the records of in_flight_. out_offset_ bytes of it are
  // written. Control frames queued while a write is under way wait in `next`. Made only while
  // there are any: an idle connection holds none.
  struct ControlFrames {
    std::string out;
    std::string next;
  };
  ControlFrames& control();
  // Drops the control frames not yet written.
  void discard_control();
  std::size_t control_size() const { return control_ ? control_->out.size() : 0; }
  std::unique_ptr<ControlFrames> control_;
  std::size_t out_offset_ = 0;
  std::size_t batch_bytes_ = 0;
  // (The small fields together, after the word-sized ones: no holes.)
  int fd_ = -1;                          // the socket; -1: none
  exec::SocketReadiness::Handle watch_;  // its place in the shard's epoll set
  unsigned char header_[10] = {};
  std::uint8_t header_size_ = 0;
  bool batch_pending_ = false;
  bool write_blocked_ = false;  // waiting for the socket to become writable
  bool pumping_ = false;        // pump() is on the stack: nested calls leave the work to it
  bool ring_pending_ = false;   // a write is queued on the shard's send ring; its bytes stay put
  bool close_sent_ = false;     // our Close frame is queued
  bool close_received_ = false;
  // After the connection ended in the middle of a write: the write (and a Close behind it) may
  // finish within a few seconds before the socket closes.
  std::unique_ptr<boost::asio::steady_timer> linger_;
};

}  // namespace switchboard::service
