// WebSockets transport: see websocket_connection.hpp.
#include "service/websocket_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>

namespace switchboard::service {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
// Bytes asked of each read: clients send little in serverless mode, and every idle connection
// holds this much while its read is pending.
constexpr std::size_t kReadChunk = 1024;
}  // namespace

WebSocketConnection::WebSocketConnection(ServiceContext& context, Shard& shard,
                                         boost::asio::ip::tcp::socket socket, std::string id,
                                         std::string hub, std::string user)
    : HubConnection(context, shard, std::move(id), std::move(hub), std::move(user),
                    TransportKind::WebSockets),
      ws_(std::make_unique<Stream>(std::move(socket))) {}

std::shared_ptr<WebSocketConnection> WebSocketConnection::self() {
  return std::static_pointer_cast<WebSocketConnection>(shared_from_this());
}

void WebSocketConnection::start(Request request) {
  begin();
  accept(std::move(request), false);
}

void WebSocketConnection::resume(boost::asio::ip::tcp::socket::protocol_type protocol,
                                 int native_socket, Request request) {
  auto socket = std::make_shared<boost::asio::ip::tcp::socket>(shard_.io());
  boost::system::error_code ec;
  socket->assign(protocol, native_socket, ec);
  if (ec) return;
  if (finished_ || !waiting_for_reconnect()) {
    // Not a connection waiting for its client: the id is in use.
    static const std::string kConflict =
        "HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    boost::asio::async_write(
        *socket, boost::asio::buffer(kConflict), [socket](boost::system::error_code, std::size_t) {
          boost::system::error_code ignored;
          socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        });
    return;
  }
  // The old stream's callbacks are now stale.
  ++generation_;
  boost::system::error_code ignored;
  beast::get_lowest_layer(*ws_).close(ignored);
  ws_ = std::make_unique<Stream>(std::move(*socket));
  read_buffer_.consume(read_buffer_.size());
  accept(std::move(request), true);
}

void WebSocketConnection::accept(Request request, bool resuming) {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(30);
  timeouts.idle_timeout = websocket::stream_base::none();  // hub-level pings and timeouts instead
  timeouts.keep_alive_pings = false;
  ws_->set_option(timeouts);
  ws_->auto_fragment(false);
  // Server frames are neither masked nor fragmented, so Beast's write buffer stays unused: keep
  // it small (it is allocated per connection).
  ws_->write_buffer_bytes(256);
  ws_->set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "switchboard");
  }));
  ws_->async_accept(
      request, [self = self(), gen = generation_, resuming](boost::system::error_code ec) {
        if (gen != self->generation_) return;
        if (ec) {
          spdlog::debug("connection {}: WebSocket accept failed: {}", self->id(), ec.message());
          self->lost();
          return;
        }
        if (resuming) {
          spdlog::debug("connection {}: client reconnected", self->id());
          self->transport_resumed();
        }
        self->read_more();
      });
}

void WebSocketConnection::lost() {
  if (!transport_lost()) finish();
}

void WebSocketConnection::read_more() {
  ws_->async_read_some(
      read_buffer_, kReadChunk,
      [self = self(), gen = generation_](boost::system::error_code ec, std::size_t) {
        if (gen != self->generation_) return;
        if (ec) {
          if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted)
            spdlog::debug("connection {}: read ended: {}", self->id(), ec.message());
          // A clean WebSocket close ends the connection; a drop may be resumed.
          if (ec == websocket::error::closed)
            self->finish();
          else
            self->lost();
          return;
        }
        auto data = self->read_buffer_.cdata();
        self->receive(std::string_view(static_cast<const char*>(data.data()), data.size()));
        self->read_buffer_.consume(self->read_buffer_.size());
        // Idle connections keep no large buffer around.
        if (self->read_buffer_.capacity() > 2 * kReadChunk) self->read_buffer_.shrink_to_fit();
        if (!self->closing_) self->read_more();
      });
}

void WebSocketConnection::write(const std::vector<MessagePtr>& batch) {
  buffers_.clear();
  for (const auto& message : batch)
    buffers_.push_back(boost::asio::buffer(message->frame(protocol())));
  // JSON travels in Text frames, MessagePack (handshake answer included) in Binary frames.
  ws_->binary(protocol() == HubProtocol::MessagePack);
  ws_->async_write(buffers_,
                   [self = self(), gen = generation_](boost::system::error_code ec, std::size_t) {
                     if (gen != self->generation_) {
                       // A write of the replaced socket: its messages are replayed on the new one.
                       self->write_abandoned();
                       return;
                     }
                     self->write_done(ec);
                   });
}

void WebSocketConnection::close_transport() {
  ws_->async_close(websocket::close_code::normal,
                   [self = self()](boost::system::error_code) { self->finish(); });
}

void WebSocketConnection::abort_transport() {
  boost::system::error_code ignored;
  beast::get_lowest_layer(*ws_).close(ignored);
}

}  // namespace switchboard::service
