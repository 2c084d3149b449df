// The functions host: serves a loaded function app over HTTP (httpTrigger routes under the route
// prefix, signalRTrigger functions behind the SignalR webhook /runtime/webhooks/signalr), with
// authLevel keys, CORS from local.settings.json, App Service-style principal headers from a
// verified bearer token, the signalRConnectionInfo input binding, and the signalR and http output
// bindings. Functions run in C++ (registered in code) or in a custom handler process.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <switchboard/functions.hpp>
#include <vector>

#include "auth/connection_string.hpp"
#include "auth/identity_token.hpp"
#include "backplane/hub_router.hpp"
#include "exec/shard_pool.hpp"
#include "functions/app_config.hpp"
#include "functions/route_template.hpp"
#include "functions/runtime/host_keys.hpp"
#include "functions/runtime/invoker.hpp"
#include "functions/runtime/service_client.hpp"
#include "functions/runtime/signalr_webhook.hpp"
#include "metrics/host_metrics.hpp"
#include "metrics/scrape_endpoint.hpp"
#include "net/http_server.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

struct FunctionHostOptions {
  std::string bind_address = "127.0.0.1";
  unsigned short port = 7071;
  // Embedded mode (`switchboard start`): the in-process service's router and connection string,
  // used for every connection setting that is missing or names that service.
  backplane::HubRouter* embedded_router = nullptr;
  std::string embedded_connection_string;
  // Limits and timeouts of the host's HTTP server.
  net::HttpServerOptions http;
  // The host's keys when the caller loaded them already (`start` needs the webhook's key for its
  // service before the host exists); otherwise the host loads APP_DIR/.switchboard/host-keys.json.
  std::optional<HostKeys> keys;
  // GET /metrics on the host's own port (off when --metrics-port moves it elsewhere), and the
  // token a scrape must bring (empty: open).
  bool serve_metrics = true;
  std::string metrics_token;
};

class FunctionHost final : public net::HttpHandler {
 public:
  // Throws AppError (or auth::ConfigError) when the app cannot run: a function with no way to
  // run it, an unparsable connection string.
  FunctionHost(FunctionApp app, FunctionHostOptions options, exec::ShardPool& pool,
               const FunctionRegistry* native_functions = nullptr);
  ~FunctionHost() override;

  void start();  // binds the port, starts worker processes
  void stop();

  unsigned short port() const { return server_->port(); }
  // The certificate the host serves HTTPS with; null: plain HTTP.
  const std::shared_ptr<net::TlsCertificate>& tls() const { return options_.http.tls; }
  const FunctionApp& app() const { return app_; }
  const HostKeys& keys() const { return keys_; }
  // Whether some enabled function has a signalRTrigger (the webhook then has its system key).
  bool has_signalr_triggers() const { return !triggers_.empty(); }
  // Lines describing the functions and their URLs, for the start banner.
  std::vector<std::string> describe() const;
  // Writes the host's metrics (not the process's) in the text format: for a /metrics served
  // elsewhere (--metrics-port).
  void write_metrics(metrics::Exposition& out) const { metrics_->write(out); }

  boost::asio::awaitable<net::Response> handle(net::Request& request,
                                               const boost::asio::ip::address& peer) override;
  void upgrade(boost::asio::ip::tcp::socket socket, net::Request request, exec::Shard& shard,
               const boost::asio::ip::address& peer) override;

 private:
  // The answer to a request (handle() adds its id).
  boost::asio::awaitable<net::Response> answer(net::Request& request);
  struct Route {
    const FunctionSpec* function;
    RouteTemplate route;
    Invoker* invoker;
  };
  struct Connection {
    auth::ConnectionString connection_string;
    std::unique_ptr<ServiceClient> client;
  };

  boost::asio::awaitable<net::Response> invoke(const Route& route, net::Request& request,
                                               std::map<std::string, std::string> params);
  // A signalRTrigger function's run for the webhook: inputs, the invoker, outputs; its return
  // value (null when a `$return` output binding took it). Throws InvocationError.
  boost::asio::awaitable<nlohmann::json> run_trigger(const SignalRWebhook::Trigger& trigger,
                                                     Invocation& invocation,
                                                     const BindingData& data);
  // The signalRConnectionInfo inputs, minted for the resolved hub and user into invocation.data.
  // Throws InvocationError (400) when an expression has no value.
  void add_connection_infos(const FunctionSpec& function, const BindingData& data,
                            Invocation& invocation) const;
  // The function's signalR output items, every item validated before any is sent, then sent in
  // order. Throws InvocationError.
  boost::asio::awaitable<void> send_signalr_outputs(const FunctionSpec& function,
                                                    const InvocationResult& result,
                                                    const BindingData& data);
  const Connection& connection(const std::string& setting) const;
  void setup_connections();
  std::optional<net::Response> check_keys(const FunctionSpec& function, const net::Request& request,
                                          const util::Target& target) const;
  void add_cors(const net::Request& request, net::Response& response) const;
  std::optional<net::Response> static_file(const std::string& path) const;

  FunctionApp app_;
  FunctionHostOptions options_;
  exec::ShardPool& pool_;
  HostKeys keys_;
  auth::IdentitySettings identity_;
  std::vector<std::unique_ptr<Invoker>> invokers_;
  std::vector<Route> routes_;
  std::vector<SignalRWebhook::Trigger> triggers_;
  std::unique_ptr<SignalRWebhook> webhook_;
  std::map<std::string, Connection> connections_;  // by connection setting name
  std::shared_ptr<metrics::HostMetrics> metrics_;
  metrics::ScrapeEndpoint scrape_;  // GET /metrics, when options_.serve_metrics
  std::unique_ptr<net::HttpServer> server_;
};

// The calling shard thread's HTTP client (created on first use).
net::HttpClient& thread_http_client();

}  // namespace switchboard::functions
