// A client connection over the WebSockets transport speaking the JSON hub protocol: handshake,
// incoming records, a corked outbound queue bounded in bytes, pings and timeouts (via tick()).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>
#include <vector>

#include "protocol/json_hub_protocol.hpp"
#include "service/client_connection.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class WebSocketConnection final : public ClientConnection,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(ServiceContext& context, Shard& shard, boost::asio::ip::tcp::socket socket,
                      std::string id, std::string hub, std::string user);
  ~WebSocketConnection() override;

  // Completes the WebSocket upgrade for `request` and starts reading.
  void start(boost::beast::http::request<boost::beast::http::string_body> request);

  void send(const MessagePtr& message) override;
  void close(std::string_view error, bool allow_reconnect) override;
  void tick(Clock::time_point now) override;

 private:
  void on_accept(boost::system::error_code ec);
  void read_more();
  void on_read(boost::system::error_code ec, std::size_t bytes);
  bool handle_record(std::string_view record);  // false: stop reading
  bool handle_handshake(std::string_view record);
  void handle_message(const protocol::HubMessage& message);
  void send_raw(std::string frame);
  void flush();
  void on_write(boost::system::error_code ec, std::size_t bytes);
  void close_transport();
  void abort();
  void finish();

  ServiceContext& context_;
  Shard& shard_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer read_buffer_;
  protocol::JsonRecordReader reader_;
  std::deque<MessagePtr> queue_;
  std::size_t queued_bytes_ = 0;
  std::vector<MessagePtr> in_flight_;
  std::vector<boost::asio::const_buffer> buffers_;
  Clock::time_point created_;
  Clock::time_point last_send_;
  Clock::time_point last_receive_;
  Clock::time_point closing_since_;
  bool writing_ = false;
  bool handshake_done_ = false;
  bool registered_ = false;
  bool timeout_started_ = false;
  bool closing_ = false;        // a Close is queued; nothing more is sent
  bool close_started_ = false;  // the WebSocket close handshake has begun
  bool finished_ = false;
};

}  // namespace switchboard::service
