// One TLS connection of an HttpServer with a certificate: the TLS handshake (under the header
// timeout, holding a PendingConnections ticket), then a relay between the TLS stream and one end
// of a socket pair whose other end runs the ordinary http_session. Everything above the socket
// (keep-alive requests, WebSocket upgrades on the raw socket, SSE, long polling, stateful
// reconnect) works unchanged on that end; only this file and tls_certificate.cpp see OpenSSL.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "net/http_server.hpp"
#include "net/pending_connections.hpp"

namespace switchboard::net {

boost::asio::awaitable<void> run_tls_session(boost::asio::ip::tcp::socket socket,
                                             boost::asio::ip::address peer, exec::Shard& shard,
                                             HttpHandler& handler, HttpServerOptions options,
                                             std::shared_ptr<PendingConnections> pending);

}  // namespace switchboard::net
