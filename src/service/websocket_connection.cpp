// WebSockets transport with the JSON hub protocol: see websocket_connection.hpp.
#include "service/websocket_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

#include "protocol/names.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using protocol::MessageType;

namespace {
const MessagePtr& ping_message() {
  static const MessagePtr ping = make_json_message(std::string(protocol::ping_frame()));
  return ping;
}
constexpr auto kCloseTimeout = std::chrono::seconds(5);
}  // namespace

WebSocketConnection::WebSocketConnection(ServiceContext& context, Shard& shard,
                                         boost::asio::ip::tcp::socket socket, std::string id,
                                         std::string hub, std::string user)
    : ClientConnection(std::move(id), std::move(hub), std::move(user), shard.index()),
      context_(context),
      shard_(shard),
      ws_(std::move(socket)),
      reader_(context.options.max_message_size),
      created_(Clock::now()),
      last_send_(created_),
      last_receive_(created_) {}

WebSocketConnection::~WebSocketConnection() = default;

void WebSocketConnection::start(beast::http::request<beast::http::string_body> request) {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(30);
  timeouts.idle_timeout = websocket::stream_base::none();  // hub-level pings and timeouts instead
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.auto_fragment(false);
  ws_.text(true);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "switchboard");
  }));
  // Register with the shard's heartbeat right away so that the handshake timeout applies.
  shard_.attach(shared_from_this(), {});
  ws_.async_accept(
      request, [self = shared_from_this()](boost::system::error_code ec) { self->on_accept(ec); });
}

void WebSocketConnection::on_accept(boost::system::error_code ec) {
  if (ec) {
    spdlog::debug("connection {}: WebSocket accept failed: {}", id(), ec.message());
    finish();
    return;
  }
  read_more();
}

void WebSocketConnection::read_more() {
  ws_.async_read_some(read_buffer_, 16 * 1024,
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                        self->on_read(ec, n);
                      });
}

void WebSocketConnection::on_read(boost::system::error_code ec, std::size_t) {
  if (ec) {
    if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted)
      spdlog::debug("connection {}: read ended: {}", id(), ec.message());
    finish();
    return;
  }
  last_receive_ = Clock::now();
  auto data = read_buffer_.cdata();
  bool ok = reader_.append(std::string_view(static_cast<const char*>(data.data()), data.size()));
  read_buffer_.consume(read_buffer_.size());
  if (!ok) {
    close(fmt::format("Message exceeds the maximum size of {} bytes.",
                      context_.options.max_message_size),
          false);
    return;
  }
  while (auto record = reader_.next()) {
    if (!handle_record(*record)) return;
  }
  if (!closing_) read_more();
}

bool WebSocketConnection::handle_record(std::string_view record) {
  if (closing_) return false;
  if (!handshake_done_) return handle_handshake(record);
  auto parsed = protocol::parse_json_message(record);
  if (!parsed.error.empty()) {
    close("Invalid message: " + parsed.error, false);
    return false;
  }
  if (!parsed.message) return true;  // unknown message type: ignored, as the spec asks
  timeout_started_ = true;
  if (parsed.message->type == MessageType::Close) {
    close({}, false);
    return false;
  }
  handle_message(*parsed.message);
  return true;
}

bool WebSocketConnection::handle_handshake(std::string_view record) {
  auto parsed = protocol::parse_handshake_request(record);
  std::string error;
  if (!parsed.request) {
    error = "An unexpected error occurred during connection handshake. " + parsed.error;
  } else if (!util::iequals(parsed.request->protocol, "json")) {
    error = "The protocol '" + parsed.request->protocol + "' is not supported.";
  } else if (parsed.request->version < 1 || parsed.request->version > 2) {
    error = "The server does not support version " + std::to_string(parsed.request->version) +
            " of the '" + parsed.request->protocol + "' protocol.";
  }
  if (!error.empty()) {
    spdlog::debug("connection {}: handshake rejected: {}", id(), error);
    send_raw(protocol::handshake_response(error));
    closing_ = true;
    closing_since_ = Clock::now();
    flush();
    return false;
  }
  handshake_done_ = true;
  send_raw(protocol::handshake_response());
  // Move from the handshake-only entry to a routed connection (joins stored user groups).
  shard_.detach(*this);
  context_.router->connection_opened(shared_from_this());
  registered_ = true;
  return true;
}

void WebSocketConnection::handle_message(const protocol::HubMessage& message) {
  switch (message.type) {
    case MessageType::Invocation:
    case MessageType::StreamInvocation:
      if (message.has_invocation_id && !message.invocation_id.empty()) {
        send_raw(protocol::encode_completion_error(
            message.invocation_id, "Invocation failed: no upstream is configured for hub '" +
                                       hub() + "' to handle '" + message.target + "'."));
      }
      break;
    default:
      break;  // Ping, Ack, Sequence, StreamItem, Completion, CancelInvocation: nothing to do
  }
}

void WebSocketConnection::send_raw(std::string frame) {
  auto message = make_json_message(std::move(frame));
  queued_bytes_ += message->json_frame.size();
  queue_.push_back(std::move(message));
  flush();
}

void WebSocketConnection::send(const MessagePtr& message) {
  if (closing_ || finished_ || !handshake_done_) return;
  std::size_t size = message->json_frame.size();
  if (queued_bytes_ + size > context_.options.max_outbound_queue_bytes) {
    spdlog::warn("connection {}: outbound queue over {} bytes, the client is not reading; closing",
                 id(), context_.options.max_outbound_queue_bytes);
    // Not now: send() runs inside a shard's fan-out loop, which must not see the index change.
    closing_ = true;
    closing_since_ = Clock::now();
    boost::asio::post(ws_.get_executor(), [self = shared_from_this()] { self->abort(); });
    return;
  }
  queued_bytes_ += size;
  queue_.push_back(message);
  flush();
}

void WebSocketConnection::flush() {
  if (writing_ || finished_) return;
  if (queue_.empty()) {
    if (closing_) close_transport();
    return;
  }
  // Cork: every message queued so far goes out in one WebSocket frame.
  in_flight_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  buffers_.clear();
  for (const auto& message : in_flight_)
    buffers_.push_back(boost::asio::buffer(message->json_frame));
  writing_ = true;
  last_send_ = Clock::now();
  ws_.async_write(buffers_, [self = shared_from_this()](boost::system::error_code ec,
                                                        std::size_t n) { self->on_write(ec, n); });
}

void WebSocketConnection::on_write(boost::system::error_code ec, std::size_t bytes) {
  writing_ = false;
  queued_bytes_ -= std::min(queued_bytes_, bytes);
  in_flight_.clear();
  if (ec) {
    spdlog::debug("connection {}: write failed: {}", id(), ec.message());
    abort();
    return;
  }
  flush();
}

void WebSocketConnection::close(std::string_view error, bool allow_reconnect) {
  if (closing_ || finished_) return;
  closing_ = true;
  context_.retired.retire(id(), Clock::now() + context_.connect_window);
  closing_since_ = Clock::now();
  if (handshake_done_) {
    auto frame = protocol::encode_close(error, allow_reconnect);
    queued_bytes_ += frame.size();
    queue_.push_back(make_json_message(std::move(frame)));
  }
  flush();
}

void WebSocketConnection::close_transport() {
  if (close_started_ || finished_) return;
  close_started_ = true;
  ws_.async_close(websocket::close_code::normal,
                  [self = shared_from_this()](boost::system::error_code) {
                    // The read loop ends with `closed` when the peer answers; if it was not
                    // reading, make sure we still finish.
                    self->finish();
                  });
}

void WebSocketConnection::abort() {
  closing_ = true;
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
  finish();
}

void WebSocketConnection::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  context_.retired.retire(id(), Clock::now() + context_.connect_window);
  if (registered_) {
    context_.router->connection_closed(*this);
  } else {
    shard_.detach(*this);
  }
  if (!close_started_) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
  }
}

void WebSocketConnection::tick(Clock::time_point now) {
  if (finished_) return;
  const auto& options = context_.options;
  if (closing_) {
    if (now - closing_since_ >= kCloseTimeout) abort();
    return;
  }
  if (!handshake_done_) {
    if (now - created_ >= options.handshake_timeout) {
      spdlog::debug("connection {}: handshake timed out", id());
      abort();
    }
    return;
  }
  if (timeout_started_ && now - last_receive_ >= options.client_timeout_interval) {
    close("Client hasn't sent a message/ping within the configured ClientTimeoutInterval.", false);
    return;
  }
  if (!writing_ && queue_.empty() && now - last_send_ >= options.keep_alive_interval)
    send(ping_message());
}

}  // namespace switchboard::service
