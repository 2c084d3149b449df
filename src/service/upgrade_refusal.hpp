// A refused WebSocket upgrade or event stream: the endpoint has taken the socket over from the
// HTTP server, so it writes the HTTP error answer itself and closes the connection.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http_types.hpp"

namespace switchboard::service {

// `http_version`: the request's (10 or 11).
boost::asio::awaitable<void> refuse_upgrade(boost::asio::ip::tcp::socket socket,
                                            net::Response response, unsigned http_version);

}  // namespace switchboard::service
