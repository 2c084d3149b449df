// Pooled keep-alive HTTP/1.1 client: see http_client.hpp.
#include "net/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace switchboard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

struct HttpClient::Pool {
  struct Connection {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    explicit Connection(asio::io_context& io) : stream(io) {}
  };
  std::vector<std::unique_ptr<Connection>> idle;
};

std::pair<HttpEndpoint, std::string> split_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme)
    throw HttpClientError("Only http:// URLs are supported, got '" + std::string(url) + "'");
  url.remove_prefix(kScheme.size());
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  HttpEndpoint endpoint;
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    endpoint.host = std::string(authority.substr(0, colon));
    endpoint.port =
        static_cast<unsigned short>(std::stoi(std::string(authority.substr(colon + 1))));
  } else {
    endpoint.host = std::string(authority);
  }
  if (endpoint.host == "localhost") endpoint.host = "127.0.0.1";
  return {endpoint, target};
}

HttpClient::HttpClient(asio::io_context& io) : io_(io) {}
HttpClient::~HttpClient() = default;

asio::awaitable<Response> HttpClient::send(const HttpEndpoint& endpoint, Request request,
                                           std::chrono::milliseconds timeout) {
  std::string key = endpoint.host + ":" + std::to_string(endpoint.port);
  auto& pool = pools_[key];
  if (!pool) pool = std::make_unique<Pool>();
  request.version(11);
  request.set(http::field::host, key);
  request.keep_alive(true);
  request.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Pool::Connection> connection;
    bool reused = false;
    if (!pool->idle.empty()) {
      connection = std::move(pool->idle.back());
      pool->idle.pop_back();
      reused = true;
    } else {
      connection = std::make_unique<Pool::Connection>(io_);
      boost::system::error_code ec;
      auto address = asio::ip::make_address(endpoint.host, ec);
      std::vector<tcp::endpoint> targets;
      if (!ec) {
        targets.emplace_back(address, endpoint.port);
      } else {
        tcp::resolver resolver(io_);
        auto results =
            co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                                            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) throw HttpClientError("Cannot resolve " + key + ": " + ec.message());
        for (const auto& r : results) targets.push_back(r.endpoint());
      }
      connection->stream.expires_after(timeout);
      co_await connection->stream.async_connect(targets,
                                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) throw HttpClientError("Cannot connect to " + key + ": " + ec.message());
      connection->stream.socket().set_option(tcp::no_delay(true), ec);
    }
    boost::system::error_code ec;
    connection->stream.expires_after(timeout);
    co_await http::async_write(connection->stream, request,
                               asio::redirect_error(asio::use_awaitable, ec));
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (!ec)
      co_await http::async_read(connection->stream, connection->buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (reused && attempt == 0 && ec != beast::error::timeout) continue;  // stale: retry fresh
      if (ec == beast::error::timeout)
        throw HttpClientError("No response from " + key + " within " +
                              std::to_string(timeout.count()) + " ms");
      throw HttpClientError("Request to " + key + " failed: " + ec.message());
    }
    Response response = parser.release();
    if (response.keep_alive()) {
      connection->stream.expires_never();
      if (pool->idle.size() < 64) pool->idle.push_back(std::move(connection));
    }
    co_return response;
  }
  throw HttpClientError("Request to " + key + " failed");
}

}  // namespace switchboard::net
