// The client-facing endpoint: `POST /client/negotiate?hub=H` and the WebSocket connect at
// `/client/?hub=H&id=<connectionToken>`, both authenticated by the client access token.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http_types.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class ClientEndpoint {
 public:
  explicit ClientEndpoint(ServiceContext& context) : context_(context) {}

  net::Response negotiate(const net::Request& request);
  // Plain HTTP on /client/ (SSE and long polling are not offered: negotiate lists WebSockets).
  net::Response connect_without_upgrade(const net::Request& request);
  boost::asio::awaitable<void> upgrade(boost::asio::ip::tcp::socket socket, net::Request request,
                                       Shard& shard);

 private:
  ServiceContext& context_;
};

}  // namespace switchboard::service
