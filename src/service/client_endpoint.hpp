// The client-facing endpoint: `POST /client/negotiate?hub=H` and the WebSocket connect at
// `/client/?hub=H&id=<connectionToken>`, both authenticated by the client access token.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http_types.hpp"
#include "service/service_context.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace client_detail {
struct ClientRequest;
}

class ClientEndpoint {
 public:
  explicit ClientEndpoint(ServiceContext& context) : context_(context) {}

  // `client`: the address the request comes from (for the limits of service/admission).
  net::Response negotiate(const net::Request& request, const boost::asio::ip::address& client);
  // Plain HTTP on /client/: long polls (GET), client records (POST), DELETE.
  boost::asio::awaitable<net::Response> transport_request(const net::Request& request,
                                                          const boost::asio::ip::address& client);
  // Whether the request opens a Server-Sent Events stream (the endpoint takes the socket).
  static bool is_event_stream(const net::Request& request);
  // A WebSocket upgrade or an event stream: takes the socket.
  boost::asio::awaitable<void> upgrade(boost::asio::ip::tcp::socket socket, net::Request request,
                                       Shard& shard, boost::asio::ip::address client);

 private:
  struct Opening;
  // The checks of a new connection (after the access token and hub, `checked`): the connection
  // token (`id`, which the caller resolved for this identity: `resolved`) is this identity's, not
  // retired, not expired, not in use.
  boost::asio::awaitable<Opening> open(client_detail::ClientRequest checked,
                                       std::optional<std::string_view> id,
                                       std::optional<auth::ResolvedToken> resolved);
  ServiceContext& context_;
};

}  // namespace switchboard::service
