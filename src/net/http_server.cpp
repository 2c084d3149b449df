// The HTTP/1.1 listener and per-connection session coroutine: see http_server.hpp.
#include "net/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace switchboard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

asio::awaitable<void> drain(beast::tcp_stream& stream) {
  std::array<char, 64 * 1024> scratch;
  std::size_t total = 0;
  boost::system::error_code ec;
  stream.expires_after(std::chrono::seconds(5));
  while (total < 64 * 1024 * 1024) {
    std::size_t n = co_await stream.async_read_some(asio::buffer(scratch),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    total += n;
  }
}

asio::awaitable<void> run_session(tcp::socket socket, service::Shard& shard, HttpHandler& handler,
                                  HttpServerOptions options) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    stream.expires_after(options.idle_timeout);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      bool body = ec == http::error::body_limit;
      auto response =
          body ? make_error(http::status::payload_too_large, "PayloadTooLarge",
                            "The request body exceeds the limit of " +
                                std::to_string(options.max_body_bytes) + " bytes.")
               : make_error(http::status::request_header_fields_too_large, "HeadersTooLarge",
                            "The request headers exceed the limit of " +
                                std::to_string(options.max_header_bytes) + " bytes.");
      response.keep_alive(false);
      response.prepare_payload();
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      // Closing with unread input would reset the connection and lose the answer: stop sending,
      // then read and discard what the client still sends (bounded in bytes and time).
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_await drain(stream);
      co_return;
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == beast::error::timeout)
      break;
    if (ec) {
      auto response = make_error(http::status::bad_request, "BadRequest",
                                 "Malformed HTTP request: " + ec.message());
      response.keep_alive(false);
      response.prepare_payload();
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    Request request = parser.release();
    if (beast::websocket::is_upgrade(request) || handler.wants_socket(request)) {
      stream.expires_never();
      handler.upgrade(stream.release_socket(), std::move(request), shard);
      co_return;
    }
    stream.expires_never();
    Response response;
    try {
      response = co_await handler.handle(request);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", std::string(request.method_string()),
                    std::string(request.target()), e.what());
      response = make_error(http::status::internal_server_error, "InternalServerError",
                            "Internal error while handling the request.");
    }
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    // A HEAD answer keeps the headers (Content-Length included) of the GET form, no body.
    if (request.method() == http::verb::head) response.body().clear();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

HttpServer::HttpServer(std::vector<service::Shard*> shards, HttpHandler& handler,
                       HttpServerOptions options)
    : shards_(std::move(shards)),
      handler_(handler),
      options_(options),
      acceptor_(shards_.front()->io()) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen(const std::string& address, unsigned short port) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("Invalid bind address '" + address + "'");
  tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint, ec);
  if (ec)
    throw std::runtime_error("Cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept_next();
}

unsigned short HttpServer::port() const {
  return acceptor_.local_endpoint().port();
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void HttpServer::accept_next() {
  auto* shard = shards_[next_shard_];
  next_shard_ = (next_shard_ + 1) % shards_.size();
  acceptor_.async_accept(
      shard->io(), [this, shard](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
          socket.set_option(tcp::no_delay(true), ec);
          asio::co_spawn(shard->io(), run_session(std::move(socket), *shard, handler_, options_),
                         asio::detached);
        } else {
          spdlog::warn("accept failed: {}", ec.message());
        }
        accept_next();
      });
}

}  // namespace switchboard::net
