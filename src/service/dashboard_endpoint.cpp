// The dashboard's page, files, negotiate and hub connection: see dashboard_endpoint.hpp.
#include "service/dashboard_endpoint.hpp"

#include <chrono>

#include "protocol/negotiate.hpp"
#include "protocol/websocket_frame.hpp"
#include "service/dashboard_assets.hpp"
#include "service/dashboard_feed.hpp"
#include "service/request_auth.hpp"
#include "service/upgrade_refusal.hpp"
#include "service/websocket_connection.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace http = net::http;
using net::make_error;
using net::Response;

namespace {

constexpr std::string_view kAudiencePath = "/dashboard";

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The dashboard token of a request (header first, then the access_token query parameter),
// checked: an empty string when it is accepted, else why not.
std::string check_token(const net::Request& request, const util::Target& target,
                        const ServiceOptions& options) {
  std::string token(net::bearer_token(request));
  if (token.empty()) {
    auto tokens = target.get_all("access_token");
    if (tokens.size() > 1) return "The 'access_token' query parameter appears more than once.";
    if (!tokens.empty()) token = std::string(tokens.front());
  }
  if (token.empty())
    return "A dashboard token is required: open /dashboard?access_token=<token>; "
           "`switchboard dashboard-url` prints such a URL (`switchboard token --dashboard` the "
           "token alone).";
  auto auth =
      authenticate(net::field_value(request, http::field::host), token, options, {kAudiencePath});
  return auth.token ? std::string() : auth.message;
}

Response unauthorized(const std::string& why) {
  return make_error(http::status::unauthorized, "Unauthorized", why);
}

// The page and its files: never cached (the page's URL carries a token), never framed, never
// sending the URL on as a referrer; scripts only from this origin.
Response static_file(std::string_view body, std::string_view content_type) {
  auto response = net::make_response(http::status::ok, std::string(body), content_type);
  response.set(http::field::cache_control, "no-store");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
  return response;
}

// The browser bundle without its last line, which points at a source map that is not served.
std::string_view without_source_map(std::string_view script) {
  auto at = script.rfind("//# sourceMappingURL=");
  if (at == std::string_view::npos || (at > 0 && script[at - 1] != '\n')) return script;
  return script.substr(0, at);
}

bool is_get(const net::Request& request) {
  return request.method() == http::verb::get || request.method() == http::verb::head;
}

}  // namespace

bool DashboardEndpoint::handles(std::string_view path) {
  return path == kAudiencePath || path.starts_with("/dashboard/");
}

bool DashboardEndpoint::is_hub_path(std::string_view path) {
  return path == "/dashboard/hub" || path == "/dashboard/hub/";
}

Response DashboardEndpoint::handle(const net::Request& request) {
  auto target = util::parse_target(request.target());
  const std::string_view path = target.path;
  if (path == "/dashboard/hub/negotiate" || path == "/dashboard/hub/negotiate/")
    return negotiate(request);
  if (path == "/dashboard" || path == "/dashboard/" || path == "/dashboard/index.html") {
    if (!is_get(request))
      return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                        "The dashboard page answers GET.");
    if (auto why = check_token(request, target, context_.options); !why.empty())
      return unauthorized(why);
    return static_file(dashboard_assets::page(), "text/html; charset=utf-8");
  }
  struct File {
    std::string_view path;
    std::string_view body;
    std::string_view type;
  };
  const File files[] = {
      {"/dashboard/dashboard.js", dashboard_assets::script(), "text/javascript; charset=utf-8"},
      {"/dashboard/dashboard.css", dashboard_assets::style(), "text/css; charset=utf-8"},
      {"/dashboard/signalr.js", without_source_map(dashboard_assets::signalr_client()),
       "text/javascript; charset=utf-8"},
  };
  for (const auto& file : files) {
    if (path != file.path) continue;
    if (!is_get(request))
      return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                        std::string(file.path) + " answers GET.");
    if (file.body.empty())
      return make_error(http::status::service_unavailable, "NotBuiltIn",
                        "This build has no SignalR browser client: run `npm ci` at the "
                        "repository root, then build again.");
    return static_file(file.body, file.type);
  }
  return make_error(http::status::not_found, "NotFound", "Nothing at " + std::string(path) + ".");
}

Response DashboardEndpoint::negotiate(const net::Request& request) {
  if (request.method() != http::verb::post)
    return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                      "Negotiate requires POST.");
  auto target = util::parse_target(request.target());
  if (auto why = check_token(request, target, context_.options); !why.empty())
    return unauthorized(why);
  protocol::NegotiateResponse body;
  body.negotiate_version = 1;
  auto identity = context_.tokens->mint(now_seconds(), {kHub, ""}, false);
  body.connection_id = identity.connection_id;
  body.connection_token = identity.connection_token;
  body.transports = protocol::kWebSockets;  // the page's browser has them
  return net::make_response(http::status::ok, protocol::encode_negotiate_response(body),
                            "application/json");
}

boost::asio::awaitable<void> DashboardEndpoint::upgrade(boost::asio::ip::tcp::socket socket,
                                                        net::Request request, Shard& shard) {
  auto target = util::parse_target(request.target());
  auto refuse = [&](Response response) {
    return refuse_upgrade(std::move(socket), std::move(response), request.version());
  };
  // (The HTTP server hands over WebSocket upgrades only.)
  if (!is_hub_path(target.path)) {
    co_await refuse(make_error(http::status::not_found, "NotFound",
                               "The dashboard's hub takes WebSockets at /dashboard/hub."));
    co_return;
  }
  auto check = protocol::check_websocket_handshake(request[http::field::sec_websocket_version],
                                                   request[http::field::sec_websocket_key]);
  if (!check.error.empty()) {
    auto failure =
        make_error(check.wrong_version ? http::status::upgrade_required : http::status::bad_request,
                   "InvalidArgument", check.error);
    if (check.wrong_version) failure.set(http::field::sec_websocket_version, "13");
    co_await refuse(std::move(failure));
    co_return;
  }
  if (auto why = check_token(request, target, context_.options); !why.empty()) {
    co_await refuse(unauthorized(why));
    co_return;
  }
  auto id = target.get("id");
  auto resolved = id ? context_.tokens->resolve(*id, {kHub, ""}) : std::nullopt;
  if (!resolved || context_.retired.contains(resolved->connection_id) ||
      now_seconds() - resolved->issued_at > context_.connect_window.count()) {
    co_await refuse(make_error(http::status::not_found, "NotFound", "No Connection with that ID"));
    co_return;
  }
  if (context_.connections.find(resolved->connection_id)) {
    co_await refuse(make_error(http::status::conflict, "Conflict",
                               "A connection with this ID is already connected."));
    co_return;
  }
  auto connection = std::make_shared<WebSocketConnection>(
      context_, shard, std::move(socket), resolved->connection_id, std::string(kHub), "");
  connection->watch_for_dashboard(context_.dashboard);
  connection->start(check.accept);
}

}  // namespace switchboard::service
