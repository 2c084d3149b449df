// Server-Sent Events transport: see sse_connection.hpp.
#include "service/sse_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace switchboard::service {

void append_sse_event(std::string& out, std::string_view payload) {
  while (true) {
    auto nl = payload.find('\n');
    std::string_view line = payload.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "data: ";
    out.append(line);
    out += "\r\n";
    if (nl == std::string_view::npos) break;
    payload.remove_prefix(nl + 1);
  }
  out += "\r\n";
}

SseConnection::SseConnection(ServiceContext& context, Shard& shard,
                             boost::asio::ip::tcp::socket socket, std::string id, std::string hub,
                             std::string user)
    : HubConnection(context, shard, std::move(id), std::move(hub), std::move(user),
                    TransportKind::ServerSentEvents),
      socket_(std::move(socket)) {}

std::shared_ptr<SseConnection> SseConnection::self() {
  return std::static_pointer_cast<SseConnection>(shared_from_this());
}

void SseConnection::start(std::string extra_headers) {
  begin();
  // No Content-Length: the body is the event stream until the connection closes. The first
  // comment goes out at once (some browsers fire `open` only on data).
  out_ =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/event-stream\r\n"
      "Cache-Control: no-cache,no-store\r\n"
      "Pragma: no-cache\r\n"
      "Content-Encoding: identity\r\n"
      "X-Accel-Buffering: no\r\n"
      "Connection: close\r\n"
      "Server: switchboard\r\n" +
      extra_headers + "\r\n:\r\n";
  boost::asio::async_write(socket_, boost::asio::buffer(out_),
                           [self = self()](boost::system::error_code ec, std::size_t) {
                             if (ec) return self->abort();
                             self->head_written_ = true;
                             self->flush();
                           });
  watch_peer();
}

void SseConnection::watch_peer() {
  // The client sends nothing on this stream: any read completion means it went away.
  socket_.async_read_some(boost::asio::buffer(&peer_byte_, 1),
                          [self = self()](boost::system::error_code ec, std::size_t) {
                            if (!ec) return self->watch_peer();
                            self->finish();
                          });
}

void SseConnection::write(const std::vector<MessagePtr>& batch) {
  std::string payload;
  for (const auto& message : batch) payload += message->frame(protocol());
  out_.clear();
  append_sse_event(out_, payload);
  boost::asio::async_write(
      socket_, boost::asio::buffer(out_),
      [self = self()](boost::system::error_code ec, std::size_t) { self->write_done(ec); });
}

void SseConnection::close_transport() {
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  finish();
}

void SseConnection::abort_transport() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace switchboard::service
