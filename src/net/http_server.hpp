// A keep-alive HTTP/1.1 server on Boost.Beast: accepts on one address and spreads connections over
// the shards round-robin (each runs as an http_session); WebSocket upgrades are handed over with
// the socket. When accept fails (descriptors exhausted) the listener sheds the waiting connections
// and pauses instead of retrying at once; connections that have not sent a first request are
// capped (PendingConnections) and given a short header timeout. With a certificate every
// connection is TLS (tls_session: the handshake, then the same session over a socket pair).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exec/shard.hpp"
#include "net/accept_overload.hpp"
#include "net/http_types.hpp"
#include "net/request_view.hpp"

namespace switchboard::net {

class PendingConnections;
class TlsCertificate;

}  // namespace switchboard::net
namespace switchboard::metrics {
struct HttpRefusals;
}  // namespace switchboard::metrics
namespace switchboard::net {

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Produces the response to a plain HTTP request from `peer` (the TCP peer's address).
  virtual boost::asio::awaitable<Response> handle(Request& request,
                                                  const boost::asio::ip::address& peer) = 0;
  // A request it can answer at once, without a coroutine or Beast's message types (the REST API's
  // sends on a single node): writes the whole answer's bytes into `answer` (empty when called)
  // and returns true. False: nothing done, `answer` untouched; the request goes on to handle() (or
  // upgrade()) as a Request. Asked only of HTTP/1.1 requests without a Connection field or with
  // just `Connection: keep-alive` (so kept alive, and answered with no Connection field) that are
  // not HEAD requests.
  virtual bool answer_now(const RequestView& /*request*/, const boost::asio::ip::address& /*peer*/,
                          std::string& /*answer*/) {
    return false;
  }
  // Whether a (non-upgrade) request takes its socket over, e.g. a Server-Sent Events stream.
  virtual bool wants_socket(const Request&) const { return false; }
  // Takes over a WebSocket upgrade request (or one wants_socket() chose) and its socket, from
  // `peer` (the TCP peer's address, as for handle()).
  virtual void upgrade(boost::asio::ip::tcp::socket socket, Request request, exec::Shard& shard,
                       const boost::asio::ip::address& peer) = 0;
};

struct HttpServerOptions {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  // Time a request's headers have to arrive in full, counted from the connection for the first
  // request and from its first byte for later ones (408 when it passes with a request begun).
  std::chrono::milliseconds header_timeout{10000};
  // Time a kept-alive connection may idle before its next request begins.
  std::chrono::milliseconds keep_alive_timeout{60000};
  // Time a request's body has to arrive in full once its headers are in (408 when it passes).
  std::chrono::milliseconds body_timeout{30000};
  // Connections that have not yet sent their first request's headers; beyond it the oldest are
  // closed. 0: no count, the oldest are closed when descriptors run short (pending_connections).
  std::size_t max_pending_connections = 0;
  // Serve TLS with this certificate (tls_session); null: plain TCP.
  std::shared_ptr<TlsCertificate> tls;
  // Where refusals by these limits are counted (metrics); null: not counted.
  std::shared_ptr<metrics::HttpRefusals> refusals;
};

class HttpServer {
 public:
  HttpServer(std::vector<exec::Shard*> shards, HttpHandler& handler, HttpServerOptions options);
  ~HttpServer();
  // Binds and listens; throws with a clear message when the address is taken.
  void listen(const std::string& address, unsigned short port);
  unsigned short port() const;
  // Stops accepting; call on the first shard's thread.
  void stop();

 private:
  void accept_next();
  std::vector<exec::Shard*> shards_;
  HttpHandler& handler_;
  HttpServerOptions options_;
  std::shared_ptr<PendingConnections> pending_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // the pause after a failed accept
  AcceptOverload overload_;
  std::size_t next_shard_ = 0;
  // The address accept() reported for the connection being accepted: the client's, taken with
  // the accept (a TLS session's own socket is one end of a socket pair, whose peer is not).
  boost::asio::ip::tcp::endpoint accepted_peer_;
};

}  // namespace switchboard::net
