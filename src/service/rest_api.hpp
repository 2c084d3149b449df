// The data-plane REST API (v1 and 2022-06-01 forms): authentication, validation, and the calls on
// the hub router, with the status codes and x-ms-error-code headers Azure clients rely on.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.hpp"
#include "net/request_view.hpp"
#include "service/rest_route.hpp"
#include "service/service_context.hpp"
#include "util/target.hpp"

namespace switchboard::service {

// What the REST API reads of a request (views into it): the same from Beast's Request and from
// the session's RequestView.
struct RestRequest {
  net::http::verb method = net::http::verb::unknown;
  std::string_view method_text;
  std::string_view target;
  std::string_view body;
  std::optional<std::string_view> authorization;
  std::optional<std::string_view> host;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> request_id;  // x-request-id
};
RestRequest rest_request(const net::Request& request);
RestRequest rest_request(const net::RequestView& request);

class RestApi {
 public:
  explicit RestApi(ServiceContext& context) : context_(context) {}
  // Answers the request with its id (x-request-id, net/request_id.hpp), logs it (debug, with
  // the request_id and hub log fields) and counts it by hub, operation and status
  // (context.metrics).
  boost::asio::awaitable<net::Response> handle(const net::Request& request);
  // The sends answered at once (net::HttpHandler::answer_now): where the router sends at once (a
  // single node), a send (to all, a user, a group, a connection) that passes every check is done,
  // logged and counted as handle() does, and its 202 answer written into `answer` up to its last
  // field (the caller may add fields, then ends it with net::append_empty_answer_end); true.
  // False for anything else, with nothing done or written: handle() answers it, errors included.
  bool answer_now(const net::RequestView& request, std::string& answer);

 private:
  // What answer() found out about the request, for its log line and metrics.
  struct Call {
    std::size_t operation;  // the RestOperation matched (kRestOperationCount: none)
    std::string hub;        // the hub as connections have it; empty: none, or not valid
  };
  // A request that passed check(): its route, query and (for a send) message.
  struct Checked {
    RestRoute route;
    util::Target target;
    MessagePtr message;
  };
  // Route, authorization, validation and a send's body: fills `checked` and `call`, or gives the
  // answer (an error, or /api/health's).
  std::optional<net::Response> check(const RestRequest& request, Call& call, Checked& checked);
  // The answer; fills `call` as far as the request gets.
  boost::asio::awaitable<net::Response> answer(const RestRequest& request, Call& call);
  // The debug log line and the metrics of one answered call.
  void record(const RestRequest& request, const Call& call, unsigned status,
              std::string_view id) const;
  // /api/health: 200 and, on a cluster node, {"status": "healthy"|"degraded", "node", "redis",
  // "connections"}.
  net::Response health() const;
  ServiceContext& context_;
};

}  // namespace switchboard::service
