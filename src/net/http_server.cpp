// The HTTP/1.1 listener: see http_server.hpp (the per-connection session is in http_session.cpp).
#include "net/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "net/http_session.hpp"
#include "net/pending_connections.hpp"
#include "net/tls_session.hpp"

namespace switchboard::net {

namespace asio = boost::asio;
using asio::ip::tcp;

HttpServer::HttpServer(std::vector<exec::Shard*> shards, HttpHandler& handler,
                       HttpServerOptions options)
    : shards_(std::move(shards)),
      handler_(handler),
      options_(options),
      pending_(std::make_shared<PendingConnections>(options.max_pending_connections)),
      acceptor_(shards_.front()->io()),
      retry_timer_(shards_.front()->io()) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen(const std::string& address, unsigned short port) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("Invalid bind address '" + address + "'");
  tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  // Linux gives every accepted socket the listener's TCP_NODELAY: one setsockopt per connection
  // less (tests/unit/http_server_test checks that accepted sockets have it).
  acceptor_.set_option(tcp::no_delay(true));
  acceptor_.bind(endpoint, ec);
  if (ec)
    throw std::runtime_error("Cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  acceptor_.listen(asio::socket_base::max_listen_connections);
  acceptor_.non_blocking(true);  // AcceptOverload sheds the backlog with accept() until EAGAIN
  spdlog::debug(
      "listening on {}:{}{}; connections without a request closed {}, header timeout {} ms",
      address, port, options_.tls ? " (TLS)" : "",
      pending_->limit() > 0 ? fmt::format("beyond {} of them", pending_->limit())
                            : fmt::format("from descriptor {} (open-file limit {})",
                                          pending_->short_of_descriptors(), open_file_limit()),
      options_.header_timeout.count());
  accept_next();
}

unsigned short HttpServer::port() const {
  return acceptor_.local_endpoint().port();
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

void HttpServer::accept_next() {
  auto* shard = shards_[next_shard_];
  next_shard_ = (next_shard_ + 1) % shards_.size();
  acceptor_.async_accept(
      shard->io(), accepted_peer_, [this, shard](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
          overload_.on_success();
          const auto peer = accepted_peer_.address();
          if (options_.tls)
            asio::co_spawn(
                shard->io(),
                run_tls_session(std::move(socket), peer, *shard, handler_, options_, pending_),
                asio::detached);
          else
            asio::co_spawn(
                shard->io(),
                run_session(std::move(socket), peer, *shard, handler_, options_, pending_),
                asio::detached);
          accept_next();
          return;
        }
        if (ec == asio::error::connection_aborted) {  // the client left before it was accepted
          accept_next();
          return;
        }
        retry_timer_.expires_after(overload_.on_failure(ec, acceptor_.native_handle()));
        retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
          if (!wait_ec && acceptor_.is_open()) accept_next();
        });
      });
}

}  // namespace switchboard::net
