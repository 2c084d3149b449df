// How output bindings reach a SignalR service: sends and group actions with the REST API's
// semantics. Two implementations: over the data-plane REST API (any Azure-compatible service)
// and in-process on the embedded service's router (`switchboard start`).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "auth/connection_string.hpp"
#include "backplane/hub_router.hpp"
#include "functions/output_values.hpp"
#include "net/http_client.hpp"

namespace switchboard::functions {

// A failed service call: the HTTP status to answer the function's caller with, and why.
class ServiceCallError : public std::runtime_error {
 public:
  ServiceCallError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

class ServiceClient {
 public:
  virtual ~ServiceClient() = default;
  // Sends one validated output item to `hub`. Throws ServiceCallError.
  virtual boost::asio::awaitable<void> apply(std::string hub, SignalROutputItem item) = 0;
};

// Over HTTP: 2022-06-01 paths, a Bearer JWT per request (audience = request URL without port),
// keep-alive connections from the calling thread's HttpClient.
class RestServiceClient final : public ServiceClient {
 public:
  // `client_for_thread` returns the HttpClient of the calling thread's io_context.
  RestServiceClient(auth::ConnectionString connection,
                    std::function<net::HttpClient&()> client_for_thread);
  boost::asio::awaitable<void> apply(std::string hub, SignalROutputItem item) override;

 private:
  boost::asio::awaitable<void> call(net::http::verb method, std::string path, std::string body);
  // A bearer token for `audience`, reused while it has more than a few minutes left (so that the
  // service verifies it once, not per call).
  std::string token_for(const std::string& audience);

  struct CachedToken {
    std::string token;
    std::int64_t renew_at = 0;  // epoch seconds
  };
  auth::ConnectionString connection_;
  std::mutex tokens_mutex_;  // calls come from every host thread
  std::unordered_map<std::string, CachedToken> tokens_;
  std::function<net::HttpClient&()> client_for_thread_;
  net::HttpEndpoint endpoint_;
  std::string base_path_;  // path of the server base URL, usually "/"
};

// In-process: the same validation and semantics as the REST API, straight onto the router.
class EmbeddedServiceClient final : public ServiceClient {
 public:
  explicit EmbeddedServiceClient(backplane::HubRouter& router) : router_(router) {}
  boost::asio::awaitable<void> apply(std::string hub, SignalROutputItem item) override;

 private:
  backplane::HubRouter& router_;
};

}  // namespace switchboard::functions
