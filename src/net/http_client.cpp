// Pooled keep-alive HTTP/1.1 client: see http_client.hpp.
#include "net/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <variant>

#include "net/tls_certificate.hpp"
#include "util/url.hpp"

namespace switchboard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

struct TlsContext {
  asio::ssl::context context{asio::ssl::context::tls_client};
  TlsContext() {
    context.set_default_verify_paths();
    context.set_verify_mode(asio::ssl::verify_peer);
  }
};

// One pooled connection: plain TCP or TLS over TCP.
struct HttpClient::Connection {
  std::variant<beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  explicit Connection(asio::io_context& io) : stream(std::in_place_index<0>, io) {}
  Connection(asio::io_context& io, asio::ssl::context& tls)
      : stream(std::in_place_index<1>, io, tls) {}
  beast::tcp_stream& tcp() {
    return stream.index() == 0 ? std::get<0>(stream) : beast::get_lowest_layer(std::get<1>(stream));
  }
};

struct HttpClient::Pool {
  std::vector<std::unique_ptr<Connection>> idle;
};

std::string HttpEndpoint::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::pair<HttpEndpoint, std::string> split_http_url(std::string_view url) {
  std::string why;
  const auto parsed = util::parse_url(url, &why);
  if (!parsed) throw HttpClientError("Invalid URL '" + std::string(url) + "': " + why);
  if (parsed->scheme != "http" && parsed->scheme != "https")
    throw HttpClientError("Only http:// and https:// URLs are supported, got '" + std::string(url) +
                          "'");
  if (parsed->userinfo)
    throw HttpClientError("Invalid URL '" + std::string(url) +
                          "': user information ('...@') is not supported");
  HttpEndpoint endpoint;
  endpoint.tls = parsed->scheme == "https";
  endpoint.host = parsed->host;
  endpoint.port = *parsed->effective_port();
  // Plain http to localhost goes to IPv4 loopback directly; TLS keeps the name to verify.
  if (endpoint.host == "localhost" && !endpoint.tls) endpoint.host = "127.0.0.1";
  return {endpoint, parsed->request_target()};
}

HttpClient::HttpClient(asio::io_context& io) : io_(io) {}
HttpClient::~HttpClient() = default;

void HttpClient::pin(const std::string& authority,
                     std::shared_ptr<const TlsCertificate> certificate) {
  pins_[authority] = std::move(certificate);
}

namespace {

// Accepts the chain whose leaf is exactly `expected` (DER), whatever its issuers.
bool leaf_is(const std::string& expected, asio::ssl::verify_context& context) {
  X509_STORE_CTX* store = context.native_handle();
  if (X509_STORE_CTX_get_error_depth(store) > 0) return true;  // decided at the leaf
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  unsigned char* der = nullptr;
  const int size = cert ? i2d_X509(cert, &der) : -1;
  const bool same = size > 0 && std::string_view(reinterpret_cast<const char*>(der),
                                                 static_cast<std::size_t>(size)) == expected;
  OPENSSL_free(der);
  return same;
}

}  // namespace

asio::awaitable<Response> HttpClient::send(const HttpEndpoint& endpoint, Request request,
                                           std::chrono::milliseconds timeout,
                                           std::size_t max_body) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string authority = endpoint.authority();
  const auto timed_out = [&] {
    return HttpClientError(
        "No response from " + authority + " within " + std::to_string(timeout.count()) + " ms",
        HttpClientError::Kind::Timeout);
  };
  const std::string key = (endpoint.tls ? "https://" : "http://") + authority;
  auto& pool = pools_[key];
  if (!pool) pool = std::make_unique<Pool>();
  request.version(11);
  request.set(http::field::host, authority);
  request.keep_alive(true);
  request.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Connection> connection;
    bool reused = false;
    boost::system::error_code ec;
    if (!pool->idle.empty()) {
      connection = std::move(pool->idle.back());
      pool->idle.pop_back();
      reused = true;
    } else {
      if (endpoint.tls) {
        if (!tls_) tls_ = std::make_unique<TlsContext>();
        connection = std::make_unique<Connection>(io_, tls_->context);
      } else {
        connection = std::make_unique<Connection>(io_);
      }
      auto address = asio::ip::make_address(endpoint.host, ec);
      std::vector<tcp::endpoint> targets;
      if (!ec) {
        targets.emplace_back(address, endpoint.port);
      } else {
        tcp::resolver resolver(io_);
        auto results =
            co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                                            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) throw HttpClientError("Cannot resolve " + authority + ": " + ec.message());
        if (std::chrono::steady_clock::now() >= deadline) throw timed_out();
        for (const auto& r : results) targets.push_back(r.endpoint());
      }
      auto& tcp_stream = connection->tcp();
      tcp_stream.expires_at(deadline);
      co_await tcp_stream.async_connect(targets, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == beast::error::timeout) throw timed_out();
      if (ec) throw HttpClientError("Cannot connect to " + authority + ": " + ec.message());
      tcp_stream.socket().set_option(tcp::no_delay(true), ec);
      if (endpoint.tls) {
        auto& tls = std::get<1>(connection->stream);
        // Server name indication and host name verification.
        SSL_set_tlsext_host_name(tls.native_handle(), endpoint.host.c_str());
        if (auto pin = pins_.find(authority); pin != pins_.end())
          tls.set_verify_callback(
              [expected = pin->second->leaf_der()](bool, asio::ssl::verify_context& context) {
                return leaf_is(expected, context);
              });
        else
          tls.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
        co_await tls.async_handshake(asio::ssl::stream_base::client,
                                     asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout) throw timed_out();
        if (ec)
          throw HttpClientError("TLS handshake with " + authority + " failed: " + ec.message());
      }
    }
    connection->tcp().expires_at(deadline);
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body);
    // The header first: Beast 1.74 misses the body limit when the body's first bytes arrive with
    // the header, so a Content-Length over the limit is refused here, before any body is read.
    if (connection->stream.index() == 0) {
      auto& stream = std::get<0>(connection->stream);
      co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec)
        co_await http::async_read_header(stream, connection->buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && parser.content_length().value_or(0) > max_body) ec = http::error::body_limit;
      if (!ec && !parser.is_done())
        co_await http::async_read(stream, connection->buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
    } else {
      auto& stream = std::get<1>(connection->stream);
      co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec)
        co_await http::async_read_header(stream, connection->buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && parser.content_length().value_or(0) > max_body) ec = http::error::body_limit;
      if (!ec && !parser.is_done())
        co_await http::async_read(stream, connection->buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!ec && parser.get().body().size() > max_body) ec = http::error::body_limit;
    if (ec) {
      if (ec == http::error::body_limit)
        throw HttpClientError(
            "The response from " + authority + " is over " + std::to_string(max_body) + " bytes",
            HttpClientError::Kind::TooLarge);
      if (reused && attempt == 0 && ec != beast::error::timeout) continue;  // stale: retry fresh
      if (ec == beast::error::timeout) throw timed_out();
      throw HttpClientError("Request to " + authority + " failed: " + ec.message());
    }
    Response response = parser.release();
    if (response.keep_alive()) {
      connection->tcp().expires_never();
      if (pool->idle.size() < 64) pool->idle.push_back(std::move(connection));
    }
    co_return response;
  }
  throw HttpClientError("Request to " + authority + " failed");
}

}  // namespace switchboard::net
