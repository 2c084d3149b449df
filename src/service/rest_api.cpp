// The data-plane REST API: see rest_api.hpp.
#include "service/rest_api.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "logging/log_fields.hpp"
#include "net/request_id.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/names.hpp"
#include "protocol/rest_payload.hpp"
#include "service/request_auth.hpp"
#include "service/rest_route.hpp"
#include "util/duration.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace http = net::http;
using net::make_error;
using net::make_response;
using net::Response;

namespace {

Response status_only(http::status status) {
  return make_response(status);
}

Response not_existed(std::string_view error_code, std::string_view message) {
  auto response = make_error(http::status::not_found, error_code, message);
  response.set("x-ms-error-code", error_code);
  return response;
}

Response bad_request(std::string_view message) {
  return make_error(http::status::bad_request, "InvalidArgument", message);
}

std::string validate(const RestRoute& route, const util::Target& target) {
  if (auto problem = protocol::validate_hub_name(route.hub); !problem.empty()) return problem;
  if (auto application = target.get("application")) {
    if (auto problem = protocol::validate_application_name(*application); !problem.empty())
      return problem;
  }
  switch (route.operation) {
    case RestOperation::SendToUser:
    case RestOperation::CloseUser:
    case RestOperation::UserExists:
    case RestOperation::RemoveUserFromAllGroups:
      return protocol::validate_user_id(route.user);
    case RestOperation::SendToGroup:
    case RestOperation::CloseGroup:
    case RestOperation::GroupExists:
      return protocol::validate_group_name(route.group);
    case RestOperation::UserInGroup:
    case RestOperation::AddUserToGroup:
    case RestOperation::RemoveUserFromGroup:
      if (auto problem = protocol::validate_user_id(route.user); !problem.empty()) return problem;
      return protocol::validate_group_name(route.group);
    case RestOperation::SendToConnection:
    case RestOperation::CloseConnection:
    case RestOperation::ConnectionExists:
    case RestOperation::RemoveConnectionFromAllGroups:
      return protocol::validate_connection_id(route.connection_id);
    case RestOperation::AddConnectionToGroup:
    case RestOperation::RemoveConnectionFromGroup:
      if (auto problem = protocol::validate_connection_id(route.connection_id); !problem.empty())
        return problem;
      return protocol::validate_group_name(route.group);
    default:
      return {};
  }
}

bool is_send(RestOperation op) {
  return op == RestOperation::Broadcast || op == RestOperation::SendToUser ||
         op == RestOperation::SendToGroup || op == RestOperation::SendToConnection;
}

}  // namespace

Response RestApi::health() const {
  auto status = context_.router->status();
  if (!status.clustered) return status_only(http::status::ok);
  nlohmann::json body = {{"status", status.healthy ? "healthy" : "degraded"},
                         {"node", status.node_id},
                         {"redis", status.healthy ? "connected" : "unavailable"},
                         {"connections", status.connections}};
  return make_response(http::status::ok, body.dump(), "application/json");
}

boost::asio::awaitable<Response> RestApi::handle(const net::Request& request) {
  const std::string id =
      net::request_id_for(net::field_value(request, net::kRequestIdHeader).value_or(""));
  Call call{kRestOperationCount, {}};  // none matched: "unknown"
  auto response = co_await answer(request, call);
  response.set(net::kRequestIdHeader, id);
  if (spdlog::should_log(spdlog::level::debug)) {
    std::string_view target = request.target();
    logging::ScopedLogFields fields{{"request_id", id}, {"hub", call.hub}};
    spdlog::debug("REST {} {}: {} (request {})", std::string_view(request.method_string()),
                  target.substr(0, target.find('?')), response.result_int(), id);
  }
  if (context_.metrics)
    if (auto* shard = Shard::current())
      context_.metrics->rest_request(shard->index(), call.operation, call.hub,
                                     response.result_int());
  co_return response;
}

boost::asio::awaitable<Response> RestApi::answer(const net::Request& request, Call& call) {
  std::string_view raw_target = request.target();
  std::string_view raw_path = raw_target.substr(0, raw_target.find('?'));
  auto match = match_rest_route(request.method(), raw_path);
  if (match.route) call.operation = static_cast<std::size_t>(match.route->operation);
  if (!match.route) {
    if (match.path_known)
      co_return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                           "Method " + std::string(request.method_string()) +
                               " is not allowed on " + std::string(raw_path) + ".");
    co_return make_error(http::status::not_found, "NotFound",
                         "No REST API endpoint at " + std::string(raw_path) + ".");
  }
  const RestRoute& route = *match.route;
  if (route.operation == RestOperation::Health) co_return health();

  // Audience: the request URL (query and port ignored), or the hub-level URL.
  auto auth = authenticate(request, net::bearer_token(request), context_.options,
                           {std::string(raw_path), route.hub_path});
  if (!auth.token) co_return make_error(http::status::unauthorized, "Unauthorized", auth.message);

  auto target = util::parse_target(raw_target);
  if (auto problem = validate(route, target); !problem.empty()) co_return bad_request(problem);

  std::string hub = protocol::to_lower(route.hub);
  if (auto application = target.get("application"))
    hub = protocol::to_lower(*application) + "_" + hub;
  call.hub = hub;
  Excluded excluded = target.get_all("excluded");
  std::string reason(target.get("reason").value_or(""));
  auto& router = *context_.router;

  MessagePtr message;
  if (is_send(route.operation)) {
    if (net::field_value(request, http::field::content_type)
            .value_or("")
            .starts_with("application/octet-stream")) {
      auto parsed = protocol::parse_binary_rest_message(request.body());
      if (!parsed.message) co_return bad_request(parsed.error);
      auto& m = *parsed.message;
      message =
          m.messagepack_frame.empty()
              ? OutboundMessage::invocation(std::move(m.target), std::move(m.arguments_json))
              : OutboundMessage::encoded(std::move(m.json_frame), std::move(m.messagepack_frame));
    } else {
      auto parsed = protocol::parse_rest_message(request.body());
      if (!parsed.message) co_return bad_request(parsed.error);
      message = OutboundMessage::invocation(std::move(parsed.message->target),
                                            std::move(parsed.message->arguments_json));
    }
  }

  // A cluster node whose Redis is away refuses what needs the cluster's state.
  std::string unavailable;
  try {
    switch (route.operation) {
      case RestOperation::Health:
        break;
      case RestOperation::Broadcast:
        co_await router.send_to_all(hub, message, std::move(excluded));
        co_return status_only(http::status::accepted);
      case RestOperation::SendToUser:
        co_await router.send_to_user(hub, route.user, message);
        co_return status_only(http::status::accepted);
      case RestOperation::SendToGroup:
        co_await router.send_to_group(hub, route.group, message, std::move(excluded));
        co_return status_only(http::status::accepted);
      case RestOperation::SendToConnection:
        co_await router.send_to_connection(hub, route.connection_id, message);
        co_return status_only(http::status::accepted);
      case RestOperation::CloseAll:
        co_await router.close_all(hub, std::move(excluded), reason);
        co_return status_only(http::status::no_content);
      case RestOperation::CloseGroup:
        co_await router.close_group(hub, route.group, std::move(excluded), reason);
        co_return status_only(http::status::no_content);
      case RestOperation::CloseUser:
        co_await router.close_user(hub, route.user, std::move(excluded), reason);
        co_return status_only(http::status::no_content);
      case RestOperation::CloseConnection:
        if (!co_await router.close_connection(hub, route.connection_id, reason))
          co_return not_existed("Warning.Connection.NotExisted",
                                "Connection '" + route.connection_id + "' does not exist.");
        co_return status_only(route.v1 ? http::status::accepted : http::status::ok);
      case RestOperation::ConnectionExists:
        if (co_await router.connection_exists(hub, route.connection_id))
          co_return status_only(http::status::ok);
        co_return not_existed("Warning.Connection.NotExisted",
                              "Connection '" + route.connection_id + "' does not exist.");
      case RestOperation::UserExists:
        if (co_await router.user_exists(hub, route.user)) co_return status_only(http::status::ok);
        co_return not_existed("Warning.User.NotExisted",
                              "User '" + route.user + "' has no connection.");
      case RestOperation::GroupExists:
        if (co_await router.group_exists(hub, route.group)) co_return status_only(http::status::ok);
        co_return not_existed("Warning.Group.NotExisted",
                              "Group '" + route.group + "' has no connection.");
      case RestOperation::UserInGroup:
        if (co_await router.user_in_group(hub, route.user, route.group))
          co_return status_only(http::status::ok);
        co_return not_existed("Info.User.NotInGroup",
                              "User '" + route.user + "' is not in group '" + route.group + "'.");
      case RestOperation::AddConnectionToGroup:
        if (!co_await router.add_connection_to_group(hub, route.connection_id, route.group))
          co_return not_existed("Error.Connection.NotExisted",
                                "Connection '" + route.connection_id + "' does not exist.");
        co_return status_only(http::status::ok);
      case RestOperation::RemoveConnectionFromGroup:
        if (!co_await router.remove_connection_from_group(hub, route.connection_id, route.group))
          co_return not_existed("Warning.Connection.NotExisted",
                                "Connection '" + route.connection_id + "' does not exist.");
        co_return status_only(http::status::ok);
      case RestOperation::RemoveConnectionFromAllGroups:
        co_await router.remove_connection_from_all_groups(hub, route.connection_id);
        co_return status_only(http::status::ok);
      case RestOperation::AddUserToGroup: {
        std::optional<std::chrono::seconds> ttl;
        if (auto text = target.get("ttl")) {
          auto value = util::parse_duration_seconds(*text);
          if (!value) co_return bad_request("Invalid 'ttl': " + util::duration_rule() + ".");
          ttl = std::chrono::seconds(*value);
        }
        co_await router.add_user_to_group(hub, route.user, route.group, ttl);
        co_return status_only(route.v1 ? http::status::accepted : http::status::ok);
      }
      case RestOperation::RemoveUserFromGroup:
        co_await router.remove_user_from_group(hub, route.user, route.group);
        co_return status_only(route.v1 ? http::status::accepted : http::status::no_content);
      case RestOperation::RemoveUserFromAllGroups:
        co_await router.remove_user_from_all_groups(hub, route.user);
        co_return status_only(route.v1 ? http::status::ok : http::status::no_content);
    }
  } catch (const backplane::Unavailable& e) {
    unavailable = e.what();
  }
  if (!unavailable.empty()) {
    auto response = make_error(http::status::service_unavailable, "Error.Cluster.Unavailable",
                               "This node cannot reach the cluster's shared state: " + unavailable +
                                   ". Sends still reach this node's own clients; retry later.");
    response.set("x-ms-error-code", "Error.Cluster.Unavailable");
    response.set(http::field::retry_after, "1");
    co_return response;
  }
  co_return make_error(http::status::internal_server_error, "InternalServerError",
                       "Unhandled operation.");
}

}  // namespace switchboard::service
