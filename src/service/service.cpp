// Service wiring, CORS, threads and shutdown: see service.hpp.
#include "service/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include "auth/crypto.hpp"
#include "backplane/router_factory.hpp"
#include "metrics/process_metrics.hpp"
#include "net/client_address.hpp"
#include "net/pending_connections.hpp"
#include "net/response_bytes.hpp"
#include "service/dashboard_feed.hpp"
#include "service/rest_route.hpp"
#include "upstream/http_dispatcher.hpp"
#include "util/url.hpp"

namespace switchboard::service {

namespace http = net::http;

namespace {

std::chrono::milliseconds heartbeat_period(const ServiceOptions& options) {
  auto period = std::min({std::chrono::milliseconds(1000), options.keep_alive_interval / 2,
                          options.client_timeout_interval / 4, options.handshake_timeout / 4});
  return std::max(period, std::chrono::milliseconds(20));
}

// CORS for browsers calling negotiate (and the REST API) from another origin. Credentials are on
// in the SignalR client, so the origin is echoed rather than `*`.
// A browser's request (one with an Origin) is answered with these fields; set() by name for a
// Response, appended for an answer written at once.
template <typename SetField>
void cors_fields(std::optional<std::string_view> origin, SetField&& set) {
  if (!origin) return;
  set(http::field::access_control_allow_origin, *origin);
  set(http::field::access_control_allow_credentials, "true");
  set(http::field::vary, "Origin");
}

void add_cors(const net::Request& request, net::Response& response) {
  cors_fields(net::field_value(request, http::field::origin),
              [&](http::field name, std::string_view value) { response.set(name, value); });
}

}  // namespace

Service::Service(ServiceOptions options, exec::ShardPool& pool)
    : client_endpoint_(context_),
      dashboard_endpoint_(context_),
      rest_api_(context_),
      scrape_(options.metrics_token) {
  context_.options = std::move(options);
  context_.shards = pool.shards();
  std::vector<std::string> operations;
  for (std::size_t i = 0; i < kRestOperationCount; ++i)
    operations.emplace_back(rest_operation_name(static_cast<RestOperation>(i)));
  // The dashboards' own hub is not the service's traffic: no series, not in the rates.
  context_.metrics = std::make_shared<metrics::ServiceMetrics>(
      context_.shards.size(), std::move(operations), context_.options.metrics_max_hubs,
      std::vector<std::string>{std::string(DashboardEndpoint::kHub)});
  scrape_.add([this](metrics::Exposition& out) { context_.metrics->write(out); });
  scrape_.add(metrics::write_process_metrics);
  context_.router = backplane::make_hub_router(context_.options.cluster, context_.shards);
  context_.tokens = std::make_unique<auth::ConnectionTokenCodec>(auth::random_id(32));
  context_.dashboard = std::make_shared<DashboardFeed>(context_);
  if (!context_.options.upstream.empty()) {
    context_.upstream = context_.options.upstream_dispatcher;
    if (!context_.upstream)
      context_.upstream = std::make_shared<upstream::HttpDispatcher>(
          context_.shards, context_.options.upstream_pins);
  }
  context_.awaiting_handshake = std::make_shared<net::PendingConnections>(
      context_.options.max_pending_connections, "the hub handshake");
  AdmissionLimits limits;
  limits.max_connections = context_.options.max_connections;
  limits.max_connections_per_ip = context_.options.max_connections_per_ip;
  limits.negotiate_rate = context_.options.negotiate_rate;
  limits.negotiate_burst = context_.options.negotiate_burst;
  context_.admission = std::make_shared<Admission>(limits, context_.metrics);
  net::HttpServerOptions http_options;
  http_options.max_body_bytes = context_.options.max_rest_body_bytes;
  http_options.max_header_bytes = context_.options.max_header_bytes;
  http_options.header_timeout = context_.options.header_timeout;
  http_options.keep_alive_timeout = context_.options.keep_alive_timeout;
  http_options.body_timeout = context_.options.body_timeout;
  http_options.max_pending_connections = context_.options.max_pending_connections;
  http_options.tls = context_.options.tls;
  http_options.refusals =
      std::shared_ptr<metrics::HttpRefusals>(context_.metrics, &context_.metrics->http());
  server_ = std::make_unique<net::HttpServer>(context_.shards, *this, http_options);
}

Service::~Service() = default;

boost::asio::ip::address Service::client_of(const net::Request& request,
                                            const boost::asio::ip::address& peer) const {
  if (context_.options.trusted_proxies.empty()) return net::unmapped(peer);
  // Every X-Forwarded-For field, in order, as one list.
  std::string forwarded;
  auto [begin, end] = request.equal_range("X-Forwarded-For");
  for (auto it = begin; it != end; ++it) {
    if (!forwarded.empty()) forwarded += ',';
    forwarded += std::string(it->value());
  }
  return net::client_address(peer, forwarded, context_.options.trusted_proxies);
}

void Service::start() {
  // A cluster node joins (or fails to, and the command exits) before it accepts clients.
  context_.router->start();
  server_->listen(context_.options.bind_address, context_.options.port);
  context_.router->local().start_heartbeats(heartbeat_period(context_.options));
}

void Service::stop() {
  if (stopping_.exchange(true)) return;
  context_.shards.front()->post([this] { server_->stop(); });
  context_.dashboard->stop();
  context_.router->stop();
  context_.router->local().shutdown("Server is shutting down.");
}

boost::asio::awaitable<net::Response> Service::handle(net::Request& request,
                                                      const boost::asio::ip::address& peer) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  net::Response response;
  if (request.method() == http::verb::options) {
    response = net::make_response(http::status::no_content);
    response.set(http::field::access_control_allow_methods,
                 "GET, POST, PUT, DELETE, HEAD, OPTIONS");
    auto requested = request.find(http::field::access_control_request_headers);
    response.set(http::field::access_control_allow_headers,
                 requested != request.end()
                     ? std::string(requested->value())
                     : std::string("Authorization, Content-Type, X-Requested-With, "
                                   "X-SignalR-User-Agent"));
    response.set(http::field::access_control_max_age, "600");
  } else if (path == "/client/negotiate" || path == "/client/negotiate/") {
    response = client_endpoint_.negotiate(request, client_of(request, peer));
    if (auto* shard = Shard::current())
      context_.metrics->negotiate(shard->index(), response.result_int());
  } else if (path == "/client" || path == "/client/") {
    response = co_await client_endpoint_.transport_request(request, client_of(request, peer));
  } else if (context_.options.serve_metrics && path == "/metrics") {
    response = scrape_.answer(request);
  } else if (path.starts_with("/api/")) {
    response = co_await rest_api_.handle(request);
  } else if (DashboardEndpoint::handles(path)) {
    response = dashboard_endpoint_.handle(request);
  } else {
    response = net::make_error(http::status::not_found, "NotFound",
                               "Nothing at " + std::string(path) + ".");
  }
  add_cors(request, response);
  co_return response;
}

bool Service::answer_now(const net::RequestView& request, const boost::asio::ip::address&,
                         std::string& answer) {
  // (handle()'s routing: only POSTs under /api/ can be sends.)
  if (request.method != http::verb::post || !request.target.starts_with("/api/")) return false;
  if (!rest_api_.answer_now(request, answer)) return false;
  cors_fields(request.field(http::field::origin), [&](http::field name, std::string_view value) {
    net::append_answer_field(http::to_string(name), value, answer);
  });
  net::append_empty_answer_end(answer);
  return true;
}

bool Service::wants_socket(const net::Request& request) const {
  return ClientEndpoint::is_event_stream(request);
}

void Service::upgrade(boost::asio::ip::tcp::socket socket, net::Request request, Shard& shard,
                      const boost::asio::ip::address& peer) {
  const auto client = client_of(request, peer);
  std::string_view target = request.target();
  if (DashboardEndpoint::handles(target.substr(0, target.find('?')))) {
    boost::asio::co_spawn(shard.io(),
                          dashboard_endpoint_.upgrade(std::move(socket), std::move(request), shard),
                          boost::asio::detached);
    return;
  }
  boost::asio::co_spawn(
      shard.io(), client_endpoint_.upgrade(std::move(socket), std::move(request), shard, client),
      boost::asio::detached);
}

}  // namespace switchboard::service
