// An HTTP/1.1 client for the service REST API (local or Azure, http or https) and custom handlers:
// keep-alive connections pooled per scheme:host:port, one retry when a pooled connection turned
// out to be stale, and a deadline per request. HTTPS verifies the peer against the system's CA
// store (OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR apply), or, for a pinned host:port, accepts
// exactly one certificate (the functions host's own, called over loopback by `start`). The deadline
// covers the whole request (connect, TLS, write, read); a response body over the caller's limit is
// an error. One instance per io_context; not thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/http_types.hpp"

namespace switchboard::net {

class HttpClientError : public std::runtime_error {
 public:
  enum class Kind {
    Failed,    // no connection, or it broke (the peer may not have seen the request)
    Timeout,   // no complete response before the deadline
    TooLarge,  // the response body was over the limit
  };
  explicit HttpClientError(const std::string& message, Kind kind = Kind::Failed)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// The largest response body read unless the caller says otherwise.
inline constexpr std::size_t kDefaultMaxResponseBody = 64 * 1024 * 1024;

class TlsCertificate;

struct HttpEndpoint {
  std::string host;  // a name or an address; an IPv6 address without brackets
  unsigned short port = 80;
  bool tls = false;
  // `host:port` as a URL and a Host header write it (IPv6 in brackets).
  std::string authority() const;
};

// Splits `http[s]://host[:port]/path?query#fragment` (util::parse_url) into the endpoint and the
// origin-form target (path and query; the fragment is not sent). Throws HttpClientError, with the
// parser's reason, for an invalid URL, another scheme or user information.
std::pair<HttpEndpoint, std::string> split_http_url(std::string_view url);

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();

  // Sends `request` (target, method, headers and body set by the caller; Host, Content-Length
  // and keep-alive are filled in) and returns the response. Throws HttpClientError on connect,
  // I/O or timeout failures and for a body over `max_body` bytes, with a message naming the peer.
  boost::asio::awaitable<Response> send(const HttpEndpoint& endpoint, Request request,
                                        std::chrono::milliseconds timeout,
                                        std::size_t max_body = kDefaultMaxResponseBody);

  // HTTPS to `authority` (host:port as in the URL) accepts only the current leaf certificate of
  // `certificate` (chain and host name are not checked: the certificate itself is trusted).
  void pin(const std::string& authority, std::shared_ptr<const TlsCertificate> certificate);

 private:
  struct Pool;
  struct Connection;
  boost::asio::io_context& io_;
  std::unique_ptr<struct TlsContext> tls_;
  std::map<std::string, std::unique_ptr<Pool>> pools_;
  std::map<std::string, std::shared_ptr<const TlsCertificate>> pins_;
};

}  // namespace switchboard::net
