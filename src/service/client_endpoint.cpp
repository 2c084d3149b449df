// Client negotiate and WebSocket connect: see client_endpoint.hpp.
#include "service/client_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>

#include "protocol/names.hpp"
#include "protocol/negotiate.hpp"
#include "service/request_auth.hpp"
#include "service/websocket_connection.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace http = net::http;
using net::make_error;
using net::Response;

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ClientRequest {
  std::string hub;  // lower-cased
  std::optional<auth::VerifiedToken> token;
  std::optional<Response> error;
};

// Checks the hub parameter and the access token shared by negotiate and connect.
ClientRequest check_client_request(const net::Request& request, const util::Target& target,
                                   const ServiceOptions& options, bool allow_query_token) {
  ClientRequest result;
  auto hubs = target.get_all("hub");
  if (hubs.size() != 1) {
    result.error = make_error(http::status::bad_request, "InvalidArgument",
                              hubs.empty() ? "The 'hub' query parameter is required."
                                           : "The 'hub' query parameter appears more than once.");
    return result;
  }
  if (auto problem = protocol::validate_hub_name(hubs[0]); !problem.empty()) {
    result.error = make_error(http::status::bad_request, "InvalidArgument", problem);
    return result;
  }
  result.hub = protocol::to_lower(hubs[0]);
  std::string token(net::bearer_token(request));
  if (token.empty() && allow_query_token) {
    if (auto query_token = target.get("access_token")) token = std::string(*query_token);
  }
  auto auth = authenticate(request, token, options, {"/client/?hub=" + result.hub});
  if (!auth.token) {
    result.error = make_error(http::status::unauthorized, "Unauthorized", auth.message);
    return result;
  }
  result.token = std::move(auth.token);
  return result;
}

unsigned allowed_transports(const auth::VerifiedToken& token) {
  unsigned supported = protocol::kWebSockets;
  for (const auto& [type, value] : token.claims) {
    if (type == "asrs.s.htt") {
      try {
        supported &= static_cast<unsigned>(std::stoul(value));
      } catch (const std::exception&) {
      }
    }
  }
  return supported;
}

}  // namespace

Response ClientEndpoint::negotiate(const net::Request& request) {
  if (request.method() != http::verb::post)
    return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                      "Negotiate requires POST.");
  auto target = util::parse_target(request.target());
  auto checked = check_client_request(request, target, context_.options, true);
  if (checked.error) return std::move(*checked.error);

  protocol::NegotiateResponse body;
  body.negotiate_version = 0;
  if (auto version = target.get("negotiateVersion")) {
    try {
      std::size_t used = 0;
      int v = std::stoi(std::string(*version), &used);
      if (used != version->size() || v < 0) throw std::invalid_argument("version");
      body.negotiate_version = v >= 1 ? 1 : 0;
    } catch (const std::exception&) {
      return net::make_response(
          http::status::ok,
          protocol::encode_negotiate_error("The client requested an invalid protocol version '" +
                                           std::string(*version) + "'"),
          "application/json");
    }
  }
  auto identity = context_.tokens->mint(now_seconds());
  body.connection_id = identity.connection_id;
  body.connection_token =
      body.negotiate_version >= 1 ? identity.connection_token : identity.connection_id;
  body.transports = allowed_transports(*checked.token);
  if (body.transports == 0) {
    return net::make_response(http::status::ok,
                              protocol::encode_negotiate_error(
                                  "The access token allows no transport this server offers."),
                              "application/json");
  }
  // With version 0 the client connects with the connection id itself: keep the token form.
  if (body.negotiate_version == 0) body.connection_id = identity.connection_token;
  return net::make_response(http::status::ok, protocol::encode_negotiate_response(body),
                            "application/json");
}

Response ClientEndpoint::connect_without_upgrade(const net::Request& request) {
  auto target = util::parse_target(request.target());
  if (!target.get("id"))
    return make_error(http::status::bad_request, "InvalidArgument", "Connection ID required");
  return make_error(http::status::not_found, "NotFound",
                    "This service offers only the WebSockets transport on /client/: connect "
                    "with a WebSocket upgrade.");
}

boost::asio::awaitable<void> ClientEndpoint::upgrade(boost::asio::ip::tcp::socket socket,
                                                     net::Request request, Shard& shard) {
  auto target = util::parse_target(request.target());
  std::optional<Response> failure;
  ClientRequest checked;
  std::string connection_id;
  if (target.path != "/client" && target.path != "/client/") {
    failure =
        make_error(http::status::not_found, "NotFound", "No WebSocket endpoint at this path.");
  } else {
    checked = check_client_request(request, target, context_.options, true);
    if (checked.error) {
      failure = std::move(checked.error);
    } else if (auto id = target.get("id"); !id || id->empty()) {
      failure = make_error(http::status::bad_request, "InvalidArgument", "Connection ID required");
    } else if (auto resolved = context_.tokens->resolve(*id);
               !resolved || context_.retired.contains(resolved->connection_id)) {
      failure = make_error(http::status::not_found, "NotFound", "No Connection with that ID");
    } else if (now_seconds() - resolved->issued_at > context_.connect_window.count()) {
      failure =
          make_error(http::status::not_found, "NotFound",
                     "No Connection with that ID: the connection token has expired "
                     "(connect within " +
                         std::to_string(context_.connect_window.count()) + " s of negotiate).");
    } else if (co_await context_.router->connection_exists(checked.hub, resolved->connection_id)) {
      failure = make_error(http::status::conflict, "Conflict",
                           "A connection with this ID is already connected.");
    } else {
      connection_id = resolved->connection_id;
    }
  }
  if (failure) {
    failure->version(request.version());
    failure->keep_alive(false);
    failure->prepare_payload();
    boost::beast::tcp_stream stream(std::move(socket));
    boost::system::error_code ec;
    co_await http::async_write(stream, *failure,
                               boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    co_return;
  }
  auto connection = std::make_shared<WebSocketConnection>(
      context_, shard, std::move(socket), connection_id, checked.hub, checked.token->user_id);
  connection->start(std::move(request));
}

}  // namespace switchboard::service
