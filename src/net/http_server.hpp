// A keep-alive HTTP/1.1 server on Boost.Beast: accepts on one address, spreads connections over
// the shards round-robin, reads requests with size limits and hands each to an HttpHandler.
// WebSocket upgrades are handed over with the socket.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/http_types.hpp"
#include "service/shard.hpp"

namespace switchboard::net {

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Produces the response to a plain HTTP request.
  virtual boost::asio::awaitable<Response> handle(Request& request) = 0;
  // Whether a (non-upgrade) request takes its socket over, e.g. a Server-Sent Events stream.
  virtual bool wants_socket(const Request&) const { return false; }
  // Takes over a WebSocket upgrade request (or one wants_socket() chose) and its socket.
  virtual void upgrade(boost::asio::ip::tcp::socket socket, Request request,
                       service::Shard& shard) = 0;
};

struct HttpServerOptions {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{120};
};

class HttpServer {
 public:
  HttpServer(std::vector<service::Shard*> shards, HttpHandler& handler, HttpServerOptions options);
  ~HttpServer();
  // Binds and listens; throws with a clear message when the address is taken.
  void listen(const std::string& address, unsigned short port);
  unsigned short port() const;
  void stop();

 private:
  void accept_next();
  std::vector<service::Shard*> shards_;
  HttpHandler& handler_;
  HttpServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::size_t next_shard_ = 0;
};

}  // namespace switchboard::net
