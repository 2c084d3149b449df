// The functions host: serves a loaded function app over HTTP (httpTrigger routes under the route
// prefix), with authLevel keys, CORS from local.settings.json, App Service-style principal headers
// from a verified bearer token, the signalRConnectionInfo input binding, and the signalR and http
// output bindings. Functions run in C++ (registered in code) or in a custom handler process.
#pragma once

#include <map>
#include <memory>
#include <switchboard/functions.hpp>
#include <vector>

#include "auth/connection_string.hpp"
#include "auth/identity_token.hpp"
#include "backplane/hub_router.hpp"
#include "functions/app_config.hpp"
#include "functions/route_template.hpp"
#include "functions/runtime/host_keys.hpp"
#include "functions/runtime/invoker.hpp"
#include "functions/runtime/service_client.hpp"
#include "net/http_server.hpp"
#include "exec/shard_pool.hpp"
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
  const FunctionApp& app() const { return app_; }
  const HostKeys& keys() const { return keys_; }
  // Lines describing the functions and their URLs, for the start banner.
  std::vector<std::string> describe() const;

  boost::asio::awaitable<net::Response> handle(net::Request& request) override;
  void upgrade(boost::asio::ip::tcp::socket socket, net::Request request,
               exec::Shard& shard) override;

 private:
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
  std::map<std::string, Connection> connections_;  // by connection setting name
  std::unique_ptr<net::HttpServer> server_;
};

enum class FunctionLanguage { Unknown, JavaScript, Python };
// The language of a function's code: scriptFile's extension, else index.js / __init__.py.
FunctionLanguage function_language(const FunctionSpec& function);
// Where the language workers live: $SWITCHBOARD_WORKERS_DIR, else the source tree's workers/.
std::filesystem::path workers_directory();

// The calling shard thread's HTTP client (created on first use).
net::HttpClient& thread_http_client();

}  // namespace switchboard::functions
