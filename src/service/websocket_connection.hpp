// The WebSockets transport: JSON in Text frames, MessagePack in Binary frames, every queued
// record of a turn in one frame; inbound frames are a byte stream (records may span frames).
// Under stateful reconnect a new socket can take over the connection (resume()).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>

#include "service/hub_connection.hpp"

namespace switchboard::service {

class WebSocketConnection final : public HubConnection {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  WebSocketConnection(ServiceContext& context, Shard& shard, boost::asio::ip::tcp::socket socket,
                      std::string id, std::string hub, std::string user);

  // Completes the WebSocket upgrade for `request` and starts reading.
  void start(Request request);
  // A reconnecting client's socket (accepted on any shard, passed as a native handle) takes over
  // this connection. Runs on this connection's shard.
  void resume(boost::asio::ip::tcp::socket::protocol_type protocol, int native_socket,
              Request request);

 private:
  using Stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;

  void write(const std::vector<MessagePtr>& batch) override;
  void close_transport() override;
  void abort_transport() override;

  void accept(Request request, bool resuming);
  void read_more();
  void lost();
  std::shared_ptr<WebSocketConnection> self();

  std::unique_ptr<Stream> ws_;
  unsigned generation_ = 0;  // which socket callbacks belong to
  boost::beast::flat_buffer read_buffer_;
  std::vector<boost::asio::const_buffer> buffers_;
};

}  // namespace switchboard::service
