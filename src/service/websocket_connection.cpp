// WebSockets transport on the raw socket: see websocket_connection.hpp.
#include "service/websocket_connection.hpp"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>

#include "exec/segment_send.hpp"
#include "exec/send_ring.hpp"
#include "net/unread_bytes.hpp"
#include "service/connection_log.hpp"

namespace switchboard::service {

using protocol::WebSocketOpcode;

namespace {

// Reads drain the socket into one buffer per shard thread; a connection keeps only what a frame
// reader needs between reads (a partial header, a partial control frame).
constexpr std::size_t kScratchBytes = 64 * 1024;
// Segments handed to one sendmsg(); a longer batch goes out in several calls.
constexpr int kMaxSegments = exec::SendRing::kMaxSegments;
// How long an ended connection keeps its socket to finish a write stuck on a slow reader.
constexpr auto kLingerTimeout = std::chrono::seconds(5);

char* scratch_buffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kScratchBytes]);
  return buffer.get();
}

boost::system::error_code last_error() {
  return boost::system::error_code(errno, boost::system::system_category());
}

}  // namespace

WebSocketConnection::WebSocketConnection(ServiceContext& context, Shard& shard,
                                         boost::asio::ip::tcp::socket socket, std::string id,
                                         std::string hub, std::string user)
    : HubConnection(context, shard, std::move(id), std::move(hub), std::move(user),
                    TransportKind::WebSockets),
      fd_(socket.release()) {}

WebSocketConnection::~WebSocketConnection() {
  // (Watched sockets keep their connection alive, so this one is not watched any more, or the
  // shard is shutting down and its epoll set has let go of it.)
  if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<WebSocketConnection> WebSocketConnection::self() {
  return std::static_pointer_cast<WebSocketConnection>(shared_from_this());
}

void WebSocketConnection::start(const std::string& accept) {
  begin();
  open(accept);
}

void WebSocketConnection::resume(boost::asio::ip::tcp::socket::protocol_type protocol,
                                 int native_socket, const std::string& accept) {
  if (finished_ || !waiting_for_reconnect()) {
    // Not a connection waiting for its client: the id is in use.
    boost::asio::ip::tcp::socket socket(shard_.io());
    boost::system::error_code ec;
    socket.assign(protocol, native_socket, ec);
    if (ec) {
      ::close(native_socket);
      return;
    }
    static const std::string kConflict =
        "HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    auto shared = std::make_shared<boost::asio::ip::tcp::socket>(std::move(socket));
    boost::asio::async_write(
        *shared, boost::asio::buffer(kConflict), [shared](boost::system::error_code, std::size_t) {
          boost::system::error_code ignored;
          shared->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        });
    return;
  }
  drop_socket();
  fd_ = native_socket;
  reader_.reset();
  close_received_ = false;
  open(accept);
  connection_log(*this, spdlog::level::debug, "connection {}: client reconnected", id());
  transport_resumed();
}

void WebSocketConnection::open(const std::string& accept) {
  // Registered once: from now on the shard's epoll set says when the socket has input or room.
  watch_ = shard_.readiness().watch(fd_, std::shared_ptr<exec::ReadinessListener>(
                                             self(), static_cast<exec::ReadinessListener*>(this)));
  if (!watch_.active()) {
    connection_log(*this, spdlog::level::warn, "connection {}: the socket cannot be watched: {}",
                   id(), last_error().message());
    lost();
    return;
  }
  control().out = protocol::websocket_upgrade_response(accept);
  pump();
}

void WebSocketConnection::on_ready(std::uint32_t events) {
  const int fd = fd_;
  if (write_blocked_ && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    write_blocked_ = false;
    pump();  // a failed socket fails the write (sendmsg() tells why)
  }
  if (fd_ != fd || finished_ || close_received_) return;  // dropped, ended or closing
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) read_ready();
}

void WebSocketConnection::read_ready() {
  char* buffer = scratch_buffer();
  const int fd = fd_;
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, kScratchBytes, MSG_DONTWAIT);
    if (n > 0) {
      if (!reader_.consume(buffer, static_cast<std::size_t>(n), *this)) {
        fail(reader_.error_code(), reader_.error());
        return;
      }
      if (finished_ || close_received_ || fd != fd_) return;
      // Fewer bytes than asked for: the socket was empty when read. What arrives later makes a
      // new edge in the epoll set.
      if (static_cast<std::size_t>(n) < kScratchBytes) return;
      continue;
    }
    if (n == 0) {
      connection_log(*this, spdlog::level::debug,
                     "connection {}: the client closed the socket without a Close frame", id());
      lost();
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    connection_log(*this, spdlog::level::debug, "connection {}: read failed: {}", id(),
                   last_error().message());
    lost();
    return;
  }
}

void WebSocketConnection::on_data(std::string_view payload) {
  if (!close_received_) receive(payload);
}

void WebSocketConnection::on_control(WebSocketOpcode opcode, std::string_view payload) {
  if (close_received_) return;
  switch (opcode) {
    case WebSocketOpcode::Ping:
      if (!close_sent_)
        send_control(protocol::websocket_control_frame(WebSocketOpcode::Pong, payload));
      break;
    case WebSocketOpcode::Close:
      // A clean WebSocket close ends the connection (no reconnect is waited for).
      close_received_ = true;
      if (!close_sent_) {
        close_sent_ = true;
        send_control(protocol::websocket_close_frame(protocol::kWebSocketNormalClosure));
      }
      finish();
      break;
    default:
      break;  // Pong: nothing to do
  }
}

void WebSocketConnection::fail(std::uint16_t code, std::string_view reason) {
  connection_log(*this, spdlog::level::debug, "connection {}: WebSocket protocol error: {}", id(),
                 reason);
  set_end_reason(fmt::format("WebSocket protocol error: {}", reason));
  close_received_ = true;  // nothing more is read
  if (!close_sent_) {
    close_sent_ = true;
    send_control(protocol::websocket_close_frame(code, reason));
  }
  finish();
}

void WebSocketConnection::send_control(std::string frame) {
  if (!socket_open()) return;
  // Frames go out whole: a control frame may go first only while nothing of the current write
  // has been written (nor handed to the send ring, which reads out_control_ where it is).
  if (out_offset_ == 0 && !ring_pending_) {
    control().out += frame;
    pump();
  } else {
    control().next += frame;
  }
}

void WebSocketConnection::write(const std::vector<MessagePtr>& batch) {
  // `batch` is in_flight_, which stays put until write_done(): pump() reads it from there.
  batch_bytes_ = 0;
  for (const auto& message : batch) batch_bytes_ += message->size(protocol());
  // JSON travels in Text frames, MessagePack (handshake answer included) in Binary frames; all
  // records of the batch in one frame.
  header_size_ = static_cast<std::uint8_t>(
      protocol::encode_websocket_header(hubs::websocket_opcode(protocol()), batch_bytes_, header_));
  batch_pending_ = true;
  pump();
}

void WebSocketConnection::pump() {
  if (pumping_ || write_blocked_ || ring_pending_ || !socket_open()) return;
  pumping_ = true;
  for (;;) {
    const std::size_t total = control_size() + (batch_pending_ ? header_size_ + batch_bytes_ : 0);
    if (total == 0) break;
    if (out_offset_ < total) {
      iovec segments[kMaxSegments];
      int count = 0;
      std::size_t skip = out_offset_;
      auto add = [&](const void* data, std::size_t size) {
        if (count == kMaxSegments) return;
        if (skip >= size) {
          skip -= size;
          return;
        }
        segments[count++] = {const_cast<char*>(static_cast<const char*>(data)) + skip, size - skip};
        skip = 0;
      };
      if (control_) add(control_->out.data(), control_->out.size());
      if (batch_pending_) {
        // One message and nothing before it: its whole frame, kept with the message, is the
        // write (one buffer: send() / IORING_OP_SEND); else the header and each record.
        const auto whole = !control_ && in_flight_.size() == 1
                               ? in_flight_.front()->websocket_frame(protocol())
                               : std::string_view{};
        if (!whole.empty()) {
          add(whole.data(), whole.size());
        } else {
          add(header_, header_size_);
          for (const auto& message : in_flight_) {
            if (count == kMaxSegments) break;
            const auto frame = message->frame(protocol());
            add(frame.data(), frame.size());
          }
        }
      }
      if (auto* ring = shard_.send_ring()) {
        // In a deferred flush: the shard submits the slice's writes together; ring_sent()
        // carries on from here. Until then nothing touches the bytes the segments point to.
        ring->queue(fd_, segments, count, &WebSocketConnection::ring_sent, self());
        ring_pending_ = true;
        pumping_ = false;
        return;
      }
      const int n = exec::send_segments(fd_, segments, count);
      if (n < 0) {
        if (n == -EINTR) continue;
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
          wait_writable();
          break;
        }
        pumping_ = false;
        write_failed(boost::system::error_code(-n, boost::system::system_category()));
        return;
      }
      out_offset_ += static_cast<std::size_t>(n);
      if (out_offset_ < total) continue;
    }
    // The whole write went out.
    out_offset_ = 0;
    if (control_) {
      // Kept only while frames wait (the 101 answer, a Pong, a Close): an idle connection has none.
      if (control_->next.empty()) {
        control_.reset();
      } else {
        control_->out = std::move(control_->next);
        control_->next.clear();
      }
    }
    if (batch_pending_) {
      batch_pending_ = false;
      write_done({});  // may queue the next batch (write() returns at once: we are pumping)
    }
    if (!socket_open()) break;
  }
  pumping_ = false;
  // An ended connection that was lingering for this write is done now.
  if (finished_ && !write_blocked_ && socket_open()) close_socket();
}

void WebSocketConnection::ring_sent(void* connection, int result) {
  auto& self = *static_cast<WebSocketConnection*>(connection);
  self.ring_pending_ = false;
  // The socket was dropped in the meantime (its write abandoned): nothing more to do.
  if (!self.socket_open()) return;
  if (result >= 0) {
    // What sendmsg() would have returned: pump() writes the rest, or finishes the write.
    self.out_offset_ += static_cast<std::size_t>(result);
    self.pump();
  } else if (result == -EAGAIN) {
    self.wait_writable();
  } else if (result == -EINTR) {
    self.pump();
  } else {
    self.write_failed(boost::system::error_code(-result, boost::system::system_category()));
  }
}

void WebSocketConnection::write_failed(boost::system::error_code ec) {
  connection_log(*this, spdlog::level::debug, "connection {}: write failed: {}", id(),
                 ec.message());
  out_offset_ = 0;
  discard_control();
  if (batch_pending_) {
    batch_pending_ = false;
    write_done(ec);  // ends the connection, or (stateful) waits for the client to come back
    if (!finished_ && waiting_for_reconnect()) drop_socket();
  } else {
    lost();
  }
}

void WebSocketConnection::lost() {
  if (transport_lost()) {
    drop_socket();
  } else {
    set_end_reason("The connection was lost: the socket closed without a WebSocket Close frame.");
    finish();
  }
}

WebSocketConnection::ControlFrames& WebSocketConnection::control() {
  if (!control_) control_ = std::make_unique<ControlFrames>();
  return *control_;
}

void WebSocketConnection::discard_control() {
  if (!control_) return;
  if (ring_pending_) {
    // The send ring may still read the bytes it was given: they stay where they are.
    control_->out.clear();
    control_->next.clear();
  } else {
    control_.reset();
  }
}

void WebSocketConnection::release_socket() {
  if (fd_ < 0) return;
  shard_.readiness().unwatch(fd_, watch_);
  ::close(fd_);
  fd_ = -1;
}

void WebSocketConnection::drop_socket() {
  release_socket();
  discard_control();
  out_offset_ = 0;
  write_blocked_ = false;
  if (batch_pending_) {
    // Its counted messages are replayed on the next socket.
    batch_pending_ = false;
    write_abandoned();
  }
}

void WebSocketConnection::close_transport() {
  // After the hub protocol's Close message: the WebSocket Close handshake, which the client
  // answers (then on_control() finishes) or the shard's close timeout cuts short.
  if (close_sent_) return;
  close_sent_ = true;
  send_control(protocol::websocket_close_frame(
      message_too_big() ? protocol::kWebSocketMessageTooBig : protocol::kWebSocketNormalClosure));
}

void WebSocketConnection::abort_transport() {
  release_socket();
}

void WebSocketConnection::on_finished() {
  if (!socket_open()) return;
  if (!write_blocked_ && !ring_pending_) {
    close_socket();
    return;
  }
  // A frame is half written (a slow reader): finish it, and the Close queued behind it, if the
  // client reads within the linger time; cutting it now would leave the client a broken frame.
  linger_ = std::make_unique<boost::asio::steady_timer>(shard_.io(), kLingerTimeout);
  linger_->async_wait([self = self()](boost::system::error_code ec) {
    if (!ec) self->close_socket();
  });
}

void WebSocketConnection::close_socket() {
  if (linger_) linger_->cancel();
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  release_socket();
}

int WebSocketConnection::socket_descriptor() {
  return fd_;
}

bool WebSocketConnection::has_unread_input() {
  return fd_ >= 0 && net::unread_bytes(fd_) > 0;
}

}  // namespace switchboard::service
