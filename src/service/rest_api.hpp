// The data-plane REST API (v1 and 2022-06-01 forms): authentication, validation, and the calls on
// the hub router, with the status codes and x-ms-error-code headers Azure clients rely on.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "net/http_types.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class RestApi {
 public:
  explicit RestApi(ServiceContext& context) : context_(context) {}
  // Answers the request with its id (x-request-id, net/request_id.hpp), logs it (debug, with
  // the request_id and hub log fields) and counts it by hub, operation and status
  // (context.metrics).
  boost::asio::awaitable<net::Response> handle(const net::Request& request);

 private:
  // What answer() found out about the request, for its log line and metrics.
  struct Call {
    std::size_t operation;  // the RestOperation matched (kRestOperationCount: none)
    std::string hub;        // the hub as connections have it; empty: none, or not valid
  };
  // The answer; fills `call` as far as the request gets.
  boost::asio::awaitable<net::Response> answer(const net::Request& request, Call& call);
  // /api/health: 200 and, on a cluster node, {"status": "healthy"|"degraded", "node", "redis",
  // "connections"}.
  net::Response health() const;
  ServiceContext& context_;
};

}  // namespace switchboard::service
