// One HTTP/1.1 connection, as a coroutine on its shard: reads requests with size limits and two
// timeouts (the header timeout for a request's headers, the idle timeout between kept-alive
// requests), rejects unsound framing, rewrites absolute-form targets to origin-form, hands each
// request to the HttpHandler and writes its answer, or hands the socket over for an upgrade. Until
// the headers of its first request are in, the connection holds a PendingConnections ticket.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "net/http_server.hpp"
#include "net/pending_connections.hpp"

namespace switchboard::net {

// `peer`: the client's address (accept()'s; for TLS, the TCP peer of the socket the relay reads).
boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket,
                                         boost::asio::ip::address peer, exec::Shard& shard,
                                         HttpHandler& handler, HttpServerOptions options,
                                         std::shared_ptr<PendingConnections> pending);

}  // namespace switchboard::net
