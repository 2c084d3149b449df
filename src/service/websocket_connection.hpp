// The WebSockets transport: JSON in Text frames, MessagePack in Binary frames, every queued
// record of a turn in one frame; inbound frames are a byte stream (records may span frames).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "service/hub_connection.hpp"

namespace switchboard::service {

class WebSocketConnection final : public HubConnection {
 public:
  WebSocketConnection(ServiceContext& context, Shard& shard, boost::asio::ip::tcp::socket socket,
                      std::string id, std::string hub, std::string user);

  // Completes the WebSocket upgrade for `request` and starts reading.
  void start(boost::beast::http::request<boost::beast::http::string_body> request);

 private:
  void write(const std::vector<MessagePtr>& batch) override;
  void close_transport() override;
  void abort_transport() override;

  void read_more();
  std::shared_ptr<WebSocketConnection> self();

  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer read_buffer_;
  std::vector<boost::asio::const_buffer> buffers_;
};

}  // namespace switchboard::service
