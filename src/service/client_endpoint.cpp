// Client negotiate and WebSocket connect: see client_endpoint.hpp.
#include "service/client_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <boost/asio/this_coro.hpp>
#include "protocol/names.hpp"
#include "protocol/negotiate.hpp"
#include "protocol/websocket_frame.hpp"
#include "service/long_polling_connection.hpp"
#include "service/request_auth.hpp"
#include "service/sse_connection.hpp"
#include "service/upgrade_refusal.hpp"
#include "service/websocket_connection.hpp"
#include "upstream/request.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace http = net::http;
using net::make_error;
using net::Response;

namespace client_detail {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ClientRequest {
  std::string hub;  // lower-cased
  std::shared_ptr<const auth::VerifiedToken> token;
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
  auto auth = authenticate(net::field_value(request, http::field::host), token, options,
                           {"/client/?hub=" + result.hub});
  if (!auth.token) {
    result.error = make_error(http::status::unauthorized, "Unauthorized", auth.message);
    return result;
  }
  result.token = std::move(auth.token);
  return result;
}

// Whom a connection token is issued to, and who alone may use it.
auth::TokenOwner owner_of(const ClientRequest& request) {
  return {request.hub, request.token->user_id};
}

// Whether `connection` was opened by the identity of `request` (the token's MAC already binds
// them; this keeps the rule visible where a live connection is reached).
bool belongs_to(const HubConnection& connection, const ClientRequest& request) {
  return connection.hub() == request.hub && connection.user() == request.token->user_id;
}

unsigned allowed_transports(const auth::VerifiedToken& token) {
  unsigned supported = protocol::kAllTransports;
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

// Gives a new connection what upstream requests say about its client: the access token's claims
// and the connect request's query.
void describe_client(HubConnection& connection, const ServiceContext& context,
                     const ClientRequest& request, std::string_view target) {
  if (!context.upstream) return;
  auto question = target.find('?');
  connection.set_client_details(
      upstream::claims_header(request.token->claims),
      upstream::client_query_header(question == std::string_view::npos ? std::string_view{}
                                                                       : target.substr(question)));
}

}  // namespace client_detail

using namespace client_detail;

Response ClientEndpoint::negotiate(const net::Request& request,
                                   const boost::asio::ip::address& client) {
  if (request.method() != http::verb::post)
    return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                      "Negotiate requires POST.");
  // The rate limit first: a refused client costs no token check.
  if (auto refused = context_.admission->check_negotiate_rate(client)) return std::move(*refused);
  auto target = util::parse_target(request.target());
  auto checked = check_client_request(request, target, context_.options, true);
  if (checked.error) return std::move(*checked.error);

  // A cluster node may send the client to a less-loaded node (as Azure redirects), with the same
  // access token (its audience names the path, not the host). The redirected negotiate carries
  // `asrs_redirected`, so it is answered where it lands.
  if (!target.get("asrs_redirected")) {
    if (auto url = context_.router->redirect_target()) {
      std::string token(net::bearer_token(request));
      if (token.empty()) token = std::string(target.get("access_token").value_or(""));
      return net::make_response(
          http::status::ok,
          protocol::encode_negotiate_redirect(
              *url + "/client/?hub=" + util::percent_encode(checked.hub) + "&asrs_redirected=1",
              token),
          "application/json");
    }
  }

  // Room for the connection here (a full cluster node may have sent the client elsewhere above).
  if (auto refused = context_.admission->check_room(client)) return std::move(*refused);
  protocol::NegotiateResponse body;
  body.negotiate_version = 0;
  if (auto version = target.get("negotiateVersion")) {
    auto parsed = protocol::parse_negotiate_version(*version);
    if (!parsed)
      return net::make_response(
          http::status::ok,
          protocol::encode_negotiate_error("The client requested an invalid protocol version '" +
                                           std::string(*version) + "'"),
          "application/json");
    body.negotiate_version = *parsed;
  }
  // The token is bound to this hub and user: only the same identity can use it. Version 0
  // clients connect with the connection id, so there the id is the token.
  auto identity =
      context_.tokens->mint(now_seconds(), owner_of(checked), body.negotiate_version == 0);
  body.connection_id = identity.connection_id;
  body.connection_token = identity.connection_token;
  body.transports = allowed_transports(*checked.token);
  // Stateful reconnect is granted when the client asks for it (it then uses WebSockets only).
  if (auto stateful = target.get("useStatefulReconnect");
      stateful && util::iequals(*stateful, "true"))
    body.use_stateful_reconnect = true;
  if (body.transports == 0) {
    return net::make_response(http::status::ok,
                              protocol::encode_negotiate_error(
                                  "The access token allows no transport this server offers."),
                              "application/json");
  }
  return net::make_response(http::status::ok, protocol::encode_negotiate_response(body),
                            "application/json");
}

bool ClientEndpoint::is_event_stream(const net::Request& request) {
  if (request.method() != http::verb::get) return false;
  auto accept = request.find(http::field::accept);
  if (accept == request.end() ||
      std::string_view(accept->value()).find("text/event-stream") == std::string_view::npos)
    return false;
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  return path == "/client" || path == "/client/";
}

namespace {

// CORS headers for transport responses written by hand (the event stream).
std::string cors_headers(const net::Request& request) {
  auto origin = request.find(http::field::origin);
  if (origin == request.end()) return {};
  return "Access-Control-Allow-Origin: " + std::string(origin->value()) +
         "\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n";
}

// Accepts the WebSocket of a client that came back too late and tells it why its connection
// cannot be resumed (the hub protocol's Sequence and Close records, then a Close frame); waits a
// little for the client's own Close so that the answer is read before the socket goes.
boost::asio::awaitable<void> say_farewell(boost::asio::ip::tcp::socket socket,
                                          const std::string& accept, const Farewell& farewell) {
  std::string bytes = protocol::websocket_upgrade_response(accept);
  unsigned char header[10];
  std::size_t header_size = protocol::encode_websocket_header(
      farewell.binary ? protocol::WebSocketOpcode::Binary : protocol::WebSocketOpcode::Text,
      farewell.records.size(), header);
  bytes.append(reinterpret_cast<const char*>(header), header_size);
  bytes += farewell.records;
  bytes += protocol::websocket_close_frame(protocol::kWebSocketNormalClosure);
  boost::beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ec;
  stream.expires_after(std::chrono::seconds(5));
  co_await boost::asio::async_write(stream, boost::asio::buffer(bytes),
                                    boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  char scratch[512];
  while (!ec)
    co_await stream.async_read_some(boost::asio::buffer(scratch),
                                    boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace

struct ClientEndpoint::Opening {
  ClientRequest checked;
  std::string connection_id;
  std::optional<Response> failure;
};

boost::asio::awaitable<ClientEndpoint::Opening> ClientEndpoint::open(
    ClientRequest checked, std::optional<std::string_view> id,
    std::optional<auth::ResolvedToken> resolved) {
  Opening opening;
  opening.checked = std::move(checked);
  if (!id || id->empty()) {
    opening.failure =
        make_error(http::status::bad_request, "InvalidArgument", "Connection ID required");
    co_return opening;
  }
  // Another identity's token resolves to nothing: the same answer as an unknown id.
  if (!resolved || context_.retired.contains(resolved->connection_id)) {
    opening.failure = make_error(http::status::not_found, "NotFound", "No Connection with that ID");
    co_return opening;
  }
  switch (auth::connection_token_age(resolved->issued_at, now_seconds(),
                                     context_.connect_window.count())) {
    case auth::TokenAge::Fresh:
      break;
    case auth::TokenAge::Expired:
      opening.failure =
          make_error(http::status::not_found, "NotFound",
                     "No Connection with that ID: the connection token has expired "
                     "(connect within " +
                         std::to_string(context_.connect_window.count()) + " s of negotiate).");
      co_return opening;
    case auth::TokenAge::IssuedInFuture:
      opening.failure = make_error(http::status::not_found, "NotFound",
                                   "No Connection with that ID: the connection token was issued "
                                   "in the future (do the clocks of the cluster's nodes agree?).");
      co_return opening;
  }
  // (No co_await inside a condition: g++ 12 fails on it.)
  bool in_use = context_.connections.find(resolved->connection_id) != nullptr;
  if (!in_use)
    in_use =
        co_await context_.router->connection_exists(opening.checked.hub, resolved->connection_id);
  if (in_use) {
    opening.failure = make_error(http::status::conflict, "Conflict",
                                 "A connection with this ID is already connected.");
    co_return opening;
  }
  opening.connection_id = resolved->connection_id;
  co_return opening;
}

boost::asio::awaitable<Response> ClientEndpoint::transport_request(
    const net::Request& request, const boost::asio::ip::address& client) {
  auto target = util::parse_target(request.target());
  auto id = target.get("id");
  if (!id || id->empty())
    co_return make_error(http::status::bad_request, "InvalidArgument", "Connection ID required");
  // Every request of a connection carries an access token, and only the identity that
  // negotiated the connection token can use it.
  auto checked = check_client_request(request, target, context_.options, true);
  if (checked.error) co_return std::move(*checked.error);
  auto resolved = context_.tokens->resolve(*id, owner_of(checked));
  std::shared_ptr<HubConnection> connection =
      resolved ? context_.connections.find(resolved->connection_id) : nullptr;
  if (connection && !belongs_to(*connection, checked))
    co_return make_error(http::status::not_found, "NotFound", "No Connection with that ID");

  if (request.method() == http::verb::get && !connection && resolved &&
      context_.retired.contains(resolved->connection_id)) {
    // A poll of a connection that has just ended: 204, which the client reads as "closed".
    auto response = net::make_response(http::status::no_content);
    response.set(http::field::cache_control, "no-cache, no-store");
    co_return response;
  }
  if (request.method() == http::verb::delete_ && !connection && resolved &&
      context_.retired.contains(resolved->connection_id)) {
    // The client's DELETE after the service ended the connection (a 1.x client that receives a
    // Close sends one, and does not expect a failure): it is ended already.
    co_return net::make_response(http::status::accepted);
  }
  if (request.method() == http::verb::post && !connection && resolved &&
      context_.retired.ended_within(resolved->connection_id, std::chrono::seconds(5))) {
    // A send that crossed the service's end of the connection (the official client's first ping,
    // right after a handshake answer that an upstream's refusal follows with a Close): a 404 would
    // reach the client before the Close and hide its reason; the end is told on the stream. Later
    // sends to the ended connection get the 404.
    co_return net::make_response(http::status::ok);
  }
  if (request.method() == http::verb::get && !connection) {
    // The first long poll opens the connection.
    auto opening = co_await open(checked, id, resolved);
    if (opening.failure) co_return std::move(*opening.failure);
    auto admitted = context_.admission->admit(client);
    if (admitted.refusal) co_return std::move(*admitted.refusal);
    auto* shard = Shard::current();
    auto lp = std::make_shared<LongPollingConnection>(
        context_, *shard, opening.connection_id, opening.checked.hub,
        opening.checked.token->user_id, context_.options.long_polling_timeout);
    describe_client(*lp, context_, opening.checked, request.target());
    lp->hold_admission(std::move(admitted.ticket));
    lp->start();
    connection = lp;
  }
  if (!connection)
    co_return make_error(http::status::not_found, "NotFound", "No Connection with that ID");
  auto* owner = context_.shards[connection->shard()];

  switch (request.method()) {
    case http::verb::get: {
      if (connection->transport() != TransportKind::LongPolling)
        co_return make_error(http::status::bad_request, "BadRequest",
                             "Cannot change transports mid-connection");
      auto waiter = std::make_shared<PollWaiter>(co_await boost::asio::this_coro::executor);
      auto lp = std::static_pointer_cast<LongPollingConnection>(connection);
      owner->post([lp, waiter] { lp->poll(waiter); });
      co_return co_await waiter->wait();
    }
    case http::verb::post: {
      if (connection->transport() == TransportKind::WebSockets)
        co_return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                             "POST requests are not allowed for WebSocket connections.");
      if (request.body().size() > context_.options.max_rest_body_bytes)
        co_return make_error(http::status::payload_too_large, "PayloadTooLarge",
                             "The message is too large.");
      owner->post([connection, body = request.body()] { connection->deliver(body); });
      co_return net::make_response(http::status::ok);
    }
    case http::verb::delete_: {
      if (connection->transport() != TransportKind::LongPolling)
        co_return make_error(http::status::bad_request, "BadRequest",
                             "DELETE is only for long-polling connections.");
      auto lp = std::static_pointer_cast<LongPollingConnection>(connection);
      owner->post([lp] { lp->stop_by_client(); });
      co_return net::make_response(http::status::accepted);
    }
    default:
      co_return make_error(http::status::method_not_allowed, "MethodNotAllowed",
                           "Method not allowed on the client endpoint.");
  }
}

boost::asio::awaitable<void> ClientEndpoint::upgrade(boost::asio::ip::tcp::socket socket,
                                                     net::Request request, Shard& shard,
                                                     boost::asio::ip::address client) {
  auto target = util::parse_target(request.target());
  std::optional<Response> failure;
  Opening opening;
  // The WebSocket opening handshake's own headers first: a refused one costs no connection.
  std::string accept;
  if (!is_event_stream(request)) {
    auto check = protocol::check_websocket_handshake(request[http::field::sec_websocket_version],
                                                     request[http::field::sec_websocket_key]);
    if (!check.error.empty()) {
      failure = make_error(
          check.wrong_version ? http::status::upgrade_required : http::status::bad_request,
          "InvalidArgument", check.error);
      if (check.wrong_version) failure->set(http::field::sec_websocket_version, "13");
    }
    accept = std::move(check.accept);
  }
  // Stateful reconnect: a WebSocket to the id of a live connection resumes it (no negotiate,
  // no handshake); its shard decides whether the connection is waiting for its client.
  std::optional<ClientRequest> checked;
  if (!failure && (target.path == "/client" || target.path == "/client/")) {
    checked = check_client_request(request, target, context_.options, true);
    if (checked->error) failure = std::move(checked->error);
  }
  // The connection token, resolved once for this identity (its two MACs are most of its cost).
  auto id = target.get("id");
  std::optional<auth::ResolvedToken> resolved;
  if (!failure && checked && id && !id->empty())
    resolved = context_.tokens->resolve(*id, owner_of(*checked));
  if (!failure && checked && !is_event_stream(request)) {
    auto existing = resolved ? context_.connections.find(resolved->connection_id) : nullptr;
    if (!existing && resolved) {
      // A stateful-reconnect client coming back to a connection that ended while it was away.
      if (auto farewell = context_.retired.farewell(resolved->connection_id)) {
        co_await say_farewell(std::move(socket), accept, *farewell);
        co_return;
      }
    }
    if (existing && existing->transport() == TransportKind::WebSockets) {
      if (belongs_to(*existing, *checked)) {
        auto connection = std::static_pointer_cast<WebSocketConnection>(existing);
        auto protocol = socket.local_endpoint().protocol();
        int native = socket.release();
        context_.shards[connection->shard()]->post(
            [connection, protocol, native, accept = std::move(accept)] {
              connection->resume(protocol, native, accept);
            });
        co_return;
      }
      failure = make_error(http::status::not_found, "NotFound", "No Connection with that ID");
    }
  }
  if (failure) {
  } else if (!checked) {
    failure =
        make_error(http::status::not_found, "NotFound", "No WebSocket endpoint at this path.");
  } else {
    opening = co_await open(std::move(*checked), id, std::move(resolved));
    failure = std::move(opening.failure);
  }
  // The node's and the address's connection limits hold for clients that skip negotiate too.
  Admission::Admitted admitted;
  if (!failure) {
    admitted = context_.admission->admit(client);
    failure = std::move(admitted.refusal);
  }
  if (failure) {
    co_await refuse_upgrade(std::move(socket), std::move(*failure), request.version());
    co_return;
  }
  const auto& user = opening.checked.token->user_id;
  if (is_event_stream(request)) {
    auto connection = std::make_shared<SseConnection>(
        context_, shard, std::move(socket), opening.connection_id, opening.checked.hub, user);
    describe_client(*connection, context_, opening.checked, request.target());
    connection->hold_admission(std::move(admitted.ticket));
    connection->start(cors_headers(request));
    co_return;
  }
  auto connection = std::make_shared<WebSocketConnection>(
      context_, shard, std::move(socket), opening.connection_id, opening.checked.hub, user);
  describe_client(*connection, context_, opening.checked, request.target());
  connection->hold_admission(std::move(admitted.ticket));
  connection->start(accept);
}

}  // namespace switchboard::service
