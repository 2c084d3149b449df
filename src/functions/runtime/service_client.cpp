// REST and in-process service clients for output bindings: see service_client.hpp.
#include "functions/runtime/service_client.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "auth/jwt.hpp"
#include "functions/runtime/wall_clock.hpp"
#include "hubs/outbound_message.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/names.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

namespace http = net::http;

namespace {

std::string message_body(const SignalRMessageItem& message) {
  std::string body = "{\"target\":";
  protocol::append_json_string(body, message.target);
  body += ",\"arguments\":";
  body += message.arguments_json;
  body += "}";
  return body;
}

// The same name checks the REST API makes, so both clients fail alike.
void validate_names(const std::string& hub, const SignalROutputItem& item) {
  auto fail = [](const std::string& problem) {
    if (!problem.empty()) throw ServiceCallError(400, problem);
  };
  fail(protocol::validate_hub_name(hub));
  if (auto* message = std::get_if<SignalRMessageItem>(&item)) {
    if (!message->connection_id.empty()) return;
    if (!message->user_id.empty()) return fail(protocol::validate_user_id(message->user_id));
    if (!message->group_name.empty())
      return fail(protocol::validate_group_name(message->group_name));
    return;
  }
  const auto& action = std::get<GroupActionItem>(item);
  if (!action.connection_id.empty())
    fail(protocol::validate_connection_id(action.connection_id));
  else
    fail(protocol::validate_user_id(action.user_id));
  if (action.action != GroupActionKind::RemoveAll)
    fail(protocol::validate_group_name(action.group_name));
}

std::string segment(const std::string& text) {
  return util::percent_encode(text);
}

}  // namespace

RestServiceClient::RestServiceClient(auth::ConnectionString connection,
                                     std::function<net::HttpClient&()> client_for_thread)
    : connection_(std::move(connection)), client_for_thread_(std::move(client_for_thread)) {
  auto [endpoint, path] = net::split_http_url(connection_.server_base_url());
  endpoint_ = endpoint;
  base_path_ = path.empty() ? "/" : path;
  if (base_path_.back() != '/') base_path_ += '/';
}

std::string RestServiceClient::token_for(const std::string& audience) {
  // Tokens live an hour; one is renewed when less than 10 minutes are left. Audiences name the
  // route (hub, group, user...), so the map is bounded and starts over when full.
  constexpr std::int64_t kLifetime = 3600;
  constexpr std::int64_t kRenewBefore = 600;
  constexpr std::size_t kMaxTokens = 256;
  const auto now = now_seconds();
  std::lock_guard lock(tokens_mutex_);
  if (auto it = tokens_.find(audience); it != tokens_.end() && now < it->second.renew_at)
    return it->second.token;
  auth::TokenRequest request;
  request.audience = audience;
  request.now = now;
  request.lifetime_seconds = kLifetime;
  if (tokens_.size() >= kMaxTokens) tokens_.clear();
  auto& cached = tokens_[audience];
  cached.token = auth::issue_token(request, connection_.access_key);
  cached.renew_at = now + kLifetime - kRenewBefore;
  return cached.token;
}

boost::asio::awaitable<void> RestServiceClient::call(http::verb method, std::string path,
                                                     std::string body) {
  // path: relative to the server base, e.g. "api/hubs/chat/:send"
  std::string target = base_path_ + path + "?api-version=2022-06-01";
  net::Request request{method, target, 11};
  request.set(http::field::authorization, "Bearer " + token_for(connection_.audience_base() + path +
                                                                "?api-version=2022-06-01"));
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json; charset=utf-8");
    request.body() = std::move(body);
  }
  net::Response response;
  try {
    response = co_await client_for_thread_().send(endpoint_, std::move(request),
                                                  std::chrono::seconds(100));
  } catch (const net::HttpClientError& e) {
    throw ServiceCallError(503, std::string("SignalR service unreachable: ") + e.what());
  }
  int status = static_cast<int>(response.result_int());
  if (status >= 200 && status < 300) co_return;
  // Like the Management SDK, a connection that is gone is not an error for group actions.
  if (status == 404 && path.find("/connections/") != std::string::npos &&
      method != http::verb::post) {
    spdlog::warn("SignalR service: {} {}: connection does not exist (ignored)",
                 std::string(http::to_string(method)), target);
    co_return;
  }
  std::string detail = response.body().empty() ? std::string(response.reason()) : response.body();
  throw ServiceCallError(status >= 500 ? 502 : status,
                         "SignalR service answered " + std::to_string(status) + " to " +
                             std::string(http::to_string(method)) + " " + target + ": " + detail);
}

boost::asio::awaitable<void> RestServiceClient::apply(std::string hub, SignalROutputItem item) {
  validate_names(hub, item);
  std::string base = "api/hubs/" + segment(protocol::to_lower(hub));
  if (auto* message = std::get_if<SignalRMessageItem>(&item)) {
    std::string body = message_body(*message);
    if (!message->connection_id.empty())
      co_await call(http::verb::post,
                    base + "/connections/" + segment(message->connection_id) + "/:send", body);
    else if (!message->user_id.empty())
      co_await call(http::verb::post, base + "/users/" + segment(message->user_id) + "/:send",
                    body);
    else if (!message->group_name.empty())
      co_await call(http::verb::post, base + "/groups/" + segment(message->group_name) + "/:send",
                    body);
    else
      co_await call(http::verb::post, base + "/:send", body);
    co_return;
  }
  const auto& action = std::get<GroupActionItem>(item);
  if (!action.connection_id.empty()) {
    std::string cid = segment(action.connection_id);
    switch (action.action) {
      case GroupActionKind::Add:
        co_await call(http::verb::put,
                      base + "/groups/" + segment(action.group_name) + "/connections/" + cid, {});
        break;
      case GroupActionKind::Remove:
        co_await call(http::verb::delete_,
                      base + "/groups/" + segment(action.group_name) + "/connections/" + cid, {});
        break;
      case GroupActionKind::RemoveAll:
        co_await call(http::verb::delete_, base + "/connections/" + cid + "/groups", {});
        break;
    }
    co_return;
  }
  std::string user = segment(action.user_id);
  switch (action.action) {
    case GroupActionKind::Add:
      co_await call(http::verb::put,
                    base + "/users/" + user + "/groups/" + segment(action.group_name), {});
      break;
    case GroupActionKind::Remove:
      co_await call(http::verb::delete_,
                    base + "/users/" + user + "/groups/" + segment(action.group_name), {});
      break;
    case GroupActionKind::RemoveAll:
      co_await call(http::verb::delete_, base + "/users/" + user + "/groups", {});
      break;
  }
}

boost::asio::awaitable<void> EmbeddedServiceClient::apply(std::string hub_name,
                                                          SignalROutputItem item) {
  validate_names(hub_name, item);
  std::string hub = protocol::to_lower(hub_name);
  if (auto* message = std::get_if<SignalRMessageItem>(&item)) {
    auto encoded = hubs::OutboundMessage::invocation(message->target, message->arguments_json);
    if (!message->connection_id.empty())
      co_await router_.send_to_connection(hub, message->connection_id, encoded);
    else if (!message->user_id.empty())
      co_await router_.send_to_user(hub, message->user_id, encoded);
    else if (!message->group_name.empty())
      co_await router_.send_to_group(hub, message->group_name, encoded, {});
    else
      co_await router_.send_to_all(hub, encoded, {});
    co_return;
  }
  const auto& action = std::get<GroupActionItem>(item);
  if (!action.connection_id.empty()) {
    bool found = true;
    switch (action.action) {
      case GroupActionKind::Add:
        found =
            co_await router_.add_connection_to_group(hub, action.connection_id, action.group_name);
        break;
      case GroupActionKind::Remove:
        found = co_await router_.remove_connection_from_group(hub, action.connection_id,
                                                              action.group_name);
        break;
      case GroupActionKind::RemoveAll:
        found = co_await router_.remove_connection_from_all_groups(hub, action.connection_id);
        break;
    }
    if (!found)  // like the Management SDK: a connection that is gone is not an error
      spdlog::warn("group action on connection '{}' of hub '{}': the connection does not exist",
                   action.connection_id, hub);
    co_return;
  }
  switch (action.action) {
    case GroupActionKind::Add:
      co_await router_.add_user_to_group(hub, action.user_id, action.group_name, std::nullopt);
      break;
    case GroupActionKind::Remove:
      co_await router_.remove_user_from_group(hub, action.user_id, action.group_name);
      break;
    case GroupActionKind::RemoveAll:
      co_await router_.remove_user_from_all_groups(hub, action.user_id);
      break;
  }
}

}  // namespace switchboard::functions
