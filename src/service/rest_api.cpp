// The data-plane REST API: see rest_api.hpp.
#include "service/rest_api.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "logging/log_fields.hpp"
#include "net/request_id.hpp"
#include "net/response_bytes.hpp"
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

// Whom a send goes to, for the router: its scope, the name in that scope (the user, group or
// connection id; empty for a broadcast) and whether `excluded` applies. Only for is_send().
struct SendTarget {
  backplane::HubRouter::SendScope scope;
  const std::string& name;
  bool takes_excluded;
};
SendTarget send_target(const RestRoute& route) {
  using Scope = backplane::HubRouter::SendScope;
  static const std::string kEveryone;
  switch (route.operation) {
    case RestOperation::SendToUser:
      return {Scope::User, route.user, false};
    case RestOperation::SendToGroup:
      return {Scope::Group, route.group, true};
    case RestOperation::SendToConnection:
      return {Scope::Connection, route.connection_id, false};
    default:
      return {Scope::All, kEveryone, true};
  }
}

// The send `to` describes, through the router's Task form for its scope (`excluded` applies to
// All and Group only).
backplane::Task<void> send_to(backplane::HubRouter& router, SendTarget to, std::string hub,
                              backplane::MessagePtr message, backplane::Excluded excluded) {
  using Scope = backplane::HubRouter::SendScope;
  switch (to.scope) {
    case Scope::All:
      co_await router.send_to_all(std::move(hub), std::move(message), std::move(excluded));
      break;
    case Scope::User:
      co_await router.send_to_user(std::move(hub), to.name, std::move(message));
      break;
    case Scope::Group:
      co_await router.send_to_group(std::move(hub), to.name, std::move(message),
                                    std::move(excluded));
      break;
    case Scope::Connection:
      co_await router.send_to_connection(std::move(hub), to.name, std::move(message));
      break;
  }
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

RestRequest rest_request(const net::Request& request) {
  return {request.method(),
          request.method_string(),
          request.target(),
          request.body(),
          net::field_value(request, http::field::authorization),
          net::field_value(request, http::field::host),
          net::field_value(request, http::field::content_type),
          net::field_value(request, net::kRequestIdHeader)};
}

RestRequest rest_request(const net::RequestView& request) {
  return {request.method,
          request.method_text,
          request.target,
          request.body,
          request.field(http::field::authorization),
          request.field(http::field::host),
          request.field(http::field::content_type),
          request.field(net::kRequestIdHeader)};
}

boost::asio::awaitable<Response> RestApi::handle(const net::Request& beast_request) {
  const RestRequest request = rest_request(beast_request);
  const std::string id = net::request_id_for(request.request_id.value_or(""));
  Call call{kRestOperationCount, {}};  // none matched: "unknown"
  auto response = co_await answer(request, call);
  response.set(net::kRequestIdHeader, id);
  record(request, call, response.result_int(), id);
  co_return response;
}

bool RestApi::answer_now(const net::RequestView& view, std::string& answer) {
  auto& router = *context_.router;
  if (!router.sends_now()) return false;
  const RestRequest request = rest_request(view);
  Call call{kRestOperationCount, {}};
  Checked checked;
  if (check(request, call, checked) || !is_send(checked.route.operation)) return false;
  const SendTarget to = send_target(checked.route);
  router.send_now(to.scope, call.hub, to.name, checked.message,
                  to.takes_excluded ? checked.target.get_all("excluded") : Excluded{});
  // (handle()'s answer: status_only(202) with the request id.)
  const std::string_view id = net::request_id_view(request.request_id.value_or(""));
  net::append_answer_head(http::status::accepted, answer);
  net::append_answer_field(net::kRequestIdHeader, id, answer);
  record(request, call, static_cast<unsigned>(http::status::accepted), id);
  return true;
}

void RestApi::record(const RestRequest& request, const Call& call, unsigned status,
                     std::string_view id) const {
  if (spdlog::should_log(spdlog::level::debug)) {
    std::string_view target = request.target;
    logging::ScopedLogFields fields{{"request_id", id}, {"hub", call.hub}};
    spdlog::debug("REST {} {}: {} (request {})", request.method_text,
                  target.substr(0, target.find('?')), status, id);
  }
  if (context_.metrics)
    if (auto* shard = Shard::current())
      context_.metrics->rest_request(shard->index(), call.operation, call.hub, status);
}

std::optional<Response> RestApi::check(const RestRequest& request, Call& call, Checked& checked) {
  std::string_view raw_target = request.target;
  std::string_view raw_path = raw_target.substr(0, raw_target.find('?'));
  auto match = match_rest_route(request.method, raw_path);
  if (!match.route) {
    if (match.path_known)
      return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                        "Method " + std::string(request.method_text) + " is not allowed on " +
                            std::string(raw_path) + ".");
    return make_error(http::status::not_found, "NotFound",
                      "No REST API endpoint at " + std::string(raw_path) + ".");
  }
  checked.route = std::move(*match.route);
  const RestRoute& route = checked.route;
  call.operation = static_cast<std::size_t>(route.operation);
  if (route.operation == RestOperation::Health) return health();

  // Audience: the request URL (query and port ignored), or the hub-level URL.
  auto auth = authenticate(request.host, net::bearer_token_in(request.authorization),
                           context_.options, {raw_path, route.hub_path});
  if (!auth.token) return make_error(http::status::unauthorized, "Unauthorized", auth.message);

  checked.target = util::parse_query(raw_target);  // (the path is the route's)
  const util::Target& target = checked.target;
  if (auto problem = validate(route, target); !problem.empty()) return bad_request(problem);

  std::string hub = protocol::to_lower(route.hub);
  if (auto application = target.get("application"))
    hub = protocol::to_lower(*application) + "_" + hub;
  call.hub = std::move(hub);

  if (is_send(route.operation)) {
    if (request.content_type.value_or("").starts_with("application/octet-stream")) {
      auto parsed = protocol::parse_binary_rest_message(request.body);
      if (!parsed.message) return bad_request(parsed.error);
      auto& m = *parsed.message;
      checked.message =
          m.messagepack_frame.empty()
              ? OutboundMessage::invocation(std::move(m.target), std::move(m.arguments_json))
              : OutboundMessage::encoded(std::move(m.json_frame), std::move(m.messagepack_frame));
    } else {
      auto parsed = protocol::parse_rest_message(request.body);
      if (!parsed.message) return bad_request(parsed.error);
      checked.message = OutboundMessage::invocation(std::move(parsed.message->target),
                                                    std::move(parsed.message->arguments_json));
    }
  }
  return std::nullopt;
}

boost::asio::awaitable<Response> RestApi::answer(const RestRequest& request, Call& call) {
  Checked checked;
  if (auto answered = check(request, call, checked)) co_return std::move(*answered);
  const RestRoute& route = checked.route;
  const std::string& hub = call.hub;
  const util::Target& target = checked.target;
  Excluded excluded = target.get_all("excluded");
  std::string reason(target.get("reason").value_or(""));
  auto& router = *context_.router;
  MessagePtr& message = checked.message;

  // A cluster node whose Redis is away refuses what needs the cluster's state.
  std::string unavailable;
  try {
    switch (route.operation) {
      case RestOperation::Health:
        break;
      case RestOperation::Broadcast:
      case RestOperation::SendToUser:
      case RestOperation::SendToGroup:
      case RestOperation::SendToConnection: {
        const SendTarget to = send_target(route);
        co_await send_to(router, to, hub, message, std::move(excluded));
        co_return status_only(http::status::accepted);
      }
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
