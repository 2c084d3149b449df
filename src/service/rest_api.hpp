// The data-plane REST API (v1 and 2022-06-01 forms): authentication, validation, and the calls on
// the hub router, with the status codes and x-ms-error-code headers Azure clients rely on.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "net/http_types.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class RestApi {
 public:
  explicit RestApi(ServiceContext& context) : context_(context) {}
  // Answers the request and counts it by operation and status (context.metrics).
  boost::asio::awaitable<net::Response> handle(const net::Request& request);

 private:
  // The answer; sets `operation` to the index of the RestOperation matched.
  boost::asio::awaitable<net::Response> answer(const net::Request& request, std::size_t& operation);
  // /api/health: 200 and, on a cluster node, {"status": "healthy"|"degraded", "node", "redis",
  // "connections"}.
  net::Response health() const;
  ServiceContext& context_;
};

}  // namespace switchboard::service
