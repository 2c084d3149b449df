// The `switchboard` command line: `start` (service + functions host in one process),
// `functions` (the functions host alone), `service` (the real-time service alone); `token` and
// `dashboard-url` are in cli/token_commands.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>

#include "auth/connection_string.hpp"
#include "auth/crypto.hpp"
#include "auth/jwt.hpp"
#include "cli/commands.hpp"
#include "cli/embedded_upstream.hpp"
#include "cli/env_options.hpp"
#include "cli/metrics_options.hpp"
#include "cli/token_commands.hpp"
#include "functions/app_config.hpp"
#include "functions/languages/language_worker.hpp"
#include "functions/runtime/function_host.hpp"
#include "functions/runtime/host_keys.hpp"
#include "logging/json_formatter.hpp"
#include "net/ip_range.hpp"
#include "net/tls_certificate.hpp"
#include "redis/redis_url.hpp"
#include "service/recent_errors.hpp"
#include "service/service.hpp"
#include "upstream/settings_file.hpp"
#include "util/duration.hpp"
#include "util/url.hpp"

namespace {

using namespace switchboard;
using cli::describe_metrics;
using cli::MetricsArgs;
using cli::start_metrics_server;

// Durations on the command line follow the rule of every duration (util/duration.hpp).
const CLI::Validator kDurationRange(
    [](std::string& text) -> std::string {
      double value = 0;
      try {
        value = std::stod(text);
      } catch (const std::exception&) {
        return "'" + text + "' is not a number of seconds";
      }
      if (!(value >= 0 && value <= static_cast<double>(util::kMaxDurationSeconds)))
        return "'" + text + "' must be from 0 to " + std::to_string(util::kMaxDurationSeconds) +
               " seconds";
      // Durations are kept in whole milliseconds: a smaller one would silently become 0.
      if (value > 0 && value < 0.001)
        return "'" + text + "' is less than a millisecond, the smallest duration there is";
      return {};
    },
    "SECONDS", "duration");

std::chrono::milliseconds seconds_option(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// Blocks (before any thread starts) the signals the main thread waits for: SIGINT and SIGTERM,
// and SIGHUP when there is a TLS certificate to reload (otherwise SIGHUP keeps its default).
sigset_t block_termination_signals(bool reload_on_hangup = false) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (reload_on_hangup) sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits for SIGINT or SIGTERM; each SIGHUP meanwhile re-reads the TLS certificate and key (a bad
// file is logged and the current certificate kept).
void wait_for_termination(const sigset_t& signals,
                          const std::shared_ptr<net::TlsCertificate>& tls) {
  for (;;) {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    if (signal_number == SIGHUP && tls) {
      auto error = tls->reload();
      if (error.empty())
        spdlog::info("TLS certificate reloaded from {}: {}", tls->cert_file(), tls->describe());
      else
        spdlog::error("TLS certificate not reloaded, the current one stays in use: {}", error);
      continue;
    }
    spdlog::info("signal {} received, shutting down", signal_number);
    return;
  }
}

// TLS for every listening port of a command (--tls-cert, --tls-key).
struct TlsArgs {
  std::string cert_file;
  std::string key_file;
};

void add_tls_options(CLI::App* command, TlsArgs& args) {
  command
      ->add_option("--tls-cert", args.cert_file,
                   "Serve HTTPS and WSS with this PEM certificate file (the server's certificate "
                   "first, then any intermediates); needs --tls-key; re-read on SIGHUP "
                   "(default: none, plain HTTP; docs/tls.md)")
      ->envname("SWITCHBOARD_TLS_CERT");
  command
      ->add_option("--tls-key", args.key_file, "The PEM private key of --tls-cert (default: none)")
      ->envname("SWITCHBOARD_TLS_KEY");
}

// The certificate of --tls-cert/--tls-key, or null without them. Throws auth::ConfigError when
// only one is given and net::TlsError for a file that cannot be used.
std::shared_ptr<net::TlsCertificate> load_tls(const TlsArgs& args) {
  if (args.cert_file.empty() && args.key_file.empty()) return nullptr;
  if (args.cert_file.empty())
    throw auth::ConfigError("--tls-key needs --tls-cert (the certificate of that key).");
  if (args.key_file.empty())
    throw auth::ConfigError("--tls-cert needs --tls-key (the private key of that certificate).");
  auto tls = std::make_shared<net::TlsCertificate>(args.cert_file, args.key_file);
  spdlog::debug("TLS certificate from {}: {}", args.cert_file, tls->describe());
  return tls;
}

// The HTTP connection limits shared by `service`, `start` and `functions` (docs/limits.md).
struct ConnectionLimitArgs {
  double header_timeout = 10;
  double keep_alive_timeout = 60;
  double body_timeout = 30;
  std::size_t max_header_size = 16 * 1024;
  std::size_t max_request_body = 1 << 20;
  std::size_t max_pending = 0;  // 0: automatic
};

void add_connection_limit_options(CLI::App* command, ConnectionLimitArgs& args) {
  command
      ->add_option("--header-timeout", args.header_timeout,
                   "Seconds a request's headers have to arrive in full (from the connection for "
                   "the first request, from its first byte for later ones); then 408")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  command
      ->add_option("--keep-alive-timeout", args.keep_alive_timeout,
                   "Seconds a kept-alive HTTP connection may idle before its next request")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  command
      ->add_option("--body-timeout", args.body_timeout,
                   "Seconds a request body has to arrive in full once its headers are in; then "
                   "408")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  command
      ->add_option("--max-header-size", args.max_header_size,
                   "Largest request header section in bytes; larger is a 431")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  command
      ->add_option("--max-request-body", args.max_request_body,
                   "Largest request body in bytes (REST calls, long-polling and SSE sends, "
                   "function requests); larger is a 413")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  command
      ->add_option("--max-pending-connections", args.max_pending,
                   "Connections that have not sent a first request (per listening port), and "
                   "client connections without a completed hub handshake; beyond it the oldest "
                   "are closed, those past their first second or any beyond twice the limit. 0: "
                   "no count; the oldest are closed only when descriptors run short (past "
                   "their first second from 3/4 of the open-file limit, any from 7/8)")
      ->capture_default_str();
}

void apply_connection_limits(const ConnectionLimitArgs& args, net::HttpServerOptions& http) {
  http.header_timeout = seconds_option(args.header_timeout);
  http.keep_alive_timeout = seconds_option(args.keep_alive_timeout);
  http.body_timeout = seconds_option(args.body_timeout);
  http.max_header_bytes = args.max_header_size;
  http.max_body_bytes = args.max_request_body;
  http.max_pending_connections = args.max_pending;
}

void apply_connection_limits(const ConnectionLimitArgs& args, service::ServiceOptions& options) {
  options.header_timeout = seconds_option(args.header_timeout);
  options.keep_alive_timeout = seconds_option(args.keep_alive_timeout);
  options.body_timeout = seconds_option(args.body_timeout);
  options.max_header_bytes = args.max_header_size;
  options.max_rest_body_bytes = args.max_request_body;
  options.max_pending_connections = args.max_pending;
}

// The client connection limits of `service` and `start` (service/admission, docs/limits.md).
struct ClientLimitArgs {
  std::size_t max_connections = 0;         // 0: 9/10 of the open-file limit
  std::size_t max_connections_per_ip = 0;  // 0: none
  std::vector<std::string> trusted_proxies;
  double negotiate_rate = 50;
  double negotiate_burst = 0;  // 0: twice the rate
};

void add_client_limit_options(CLI::App* command, ClientLimitArgs& args) {
  command
      ->add_option("--max-connections", args.max_connections,
                   "Client connections this node holds; one more is refused with 503 and "
                   "Retry-After at negotiate and at connect (0: 9/10 of the open-file limit)")
      ->capture_default_str();
  command
      ->add_option("--max-connections-per-ip", args.max_connections_per_ip,
                   "Client connections from one address; one more is refused with 429 (0: no "
                   "limit)")
      ->capture_default_str();
  command
      ->add_option("--trusted-proxy", args.trusted_proxies,
                   "Address range (CIDR) of a reverse proxy whose X-Forwarded-For names the client "
                   "for these limits; repeat for several (default: none, the peer is the client)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            std::string error;
            if (!net::parse_ip_range(text, &error)) return error;
            return {};
          },
          "CIDR", "address range"));
  command
      ->add_option("--negotiate-rate", args.negotiate_rate,
                   "Negotiate requests a second from one address (a token bucket); beyond it "
                   "429 with Retry-After (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  command
      ->add_option("--negotiate-burst", args.negotiate_burst,
                   "Negotiate requests one address may make at once before the rate applies "
                   "(0: twice --negotiate-rate)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
}

void apply_client_limits(const ClientLimitArgs& args, service::ServiceOptions& options) {
  options.max_connections = args.max_connections;
  options.max_connections_per_ip = args.max_connections_per_ip;
  options.negotiate_rate = args.negotiate_rate;
  options.negotiate_burst = args.negotiate_burst;
  options.trusted_proxies.clear();
  for (const auto& text : args.trusted_proxies)
    options.trusted_proxies.push_back(*net::parse_ip_range(text, nullptr));
}

// Cluster membership, shared by `service` and `start`.
struct ClusterArgs {
  std::string redis;
  std::string node_id;
  std::string public_url;
  std::string balance = "least-loaded";
  double connect_timeout = 30;
};

void add_cluster_options(CLI::App* command, ClusterArgs& args) {
  command
      ->add_option("--redis", args.redis,
                   "Join a cluster of nodes sharing this Redis: "
                   "redis://[[user]:password@]host[:port][/db] (docs/cluster.md)")
      ->envname("SWITCHBOARD_REDIS")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            std::string error;
            if (!redis::parse_redis_url(text, &error)) return error;
            return {};
          },
          "URL", "redis URL"));
  command->add_option("--node-id", args.node_id,
                      "This node's name in the cluster (default: generated)");
  command
      ->add_option("--public-url", args.public_url,
                   "The address clients of this node use, e.g. http://10.0.0.5:8888 (default: "
                   "from --bind and --port)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            std::string why;
            const auto url = util::parse_url(text, &why);
            if (url && url->scheme != "http" && url->scheme != "https")
              why = "the scheme '" + url->scheme + "' is not http or https";
            else if (url && (url->userinfo || url->query || url->fragment))
              why = "user information, a query or a fragment is not allowed";
            return why.empty() ? std::string() : "not an http or https URL: " + why;
          },
          "URL", "public URL"));
  command
      ->add_option("--balance", args.balance,
                   "least-loaded: a negotiate may send its client to the least-loaded node; off")
      ->capture_default_str()
      ->check(CLI::IsMember({"least-loaded", "off"}));
  command
      ->add_option("--redis-connect-timeout", args.connect_timeout,
                   "Seconds to wait for Redis at start before giving up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
}

void apply_cluster_options(const ClusterArgs& args, service::ServiceOptions& options) {
  auto& cluster = options.cluster;
  cluster.redis_url = args.redis;
  cluster.node_id = args.node_id;
  cluster.balance =
      args.balance == "off" ? backplane::Balance::Off : backplane::Balance::LeastLoaded;
  cluster.connect_timeout = seconds_option(args.connect_timeout);
  cluster.public_url = args.public_url;
  if (cluster.public_url.empty()) {
    const auto& bind = options.bind_address;
    bool any = bind == "0.0.0.0" || bind == "::" || bind.empty();
    std::string host =
        any ? options.public_host : (bind.find(':') != std::string::npos ? "[" + bind + "]" : bind);
    cluster.public_url =
        (options.tls ? "https://" : "http://") + host + ":" + std::to_string(options.port);
  }
  while (!cluster.public_url.empty() && cluster.public_url.back() == '/')
    cluster.public_url.pop_back();
}

// Upstream (client events and invocations to a function app), shared by `service` and `start`.
struct UpstreamArgs {
  std::vector<std::string> url_templates;
  std::string settings_file;
  double timeout = 30;
  std::size_t max_pending = 64;
};

void add_upstream_options(CLI::App* command, UpstreamArgs& args) {
  command
      ->add_option("--upstream", args.url_templates,
                   "Send client events (connected, disconnected) and invocations of every hub to "
                   "this URL template, e.g. http://localhost:7071/runtime/webhooks/signalr "
                   "({hub}, {category}, {event} are replaced); repeatable, the first listed "
                   "first (docs/upstream.md)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            auto problem = upstream::check_url_template(text);
            return problem.empty() ? std::string() : "'" + text + "' " + problem;
          },
          "URL_TEMPLATE", "upstream URL template"));
  command->add_option("--upstream-settings", args.settings_file,
                      "A JSON file of upstream templates with Azure's fields (urlTemplate, "
                      "hubPattern, categoryPattern, eventPattern), tried before any --upstream");
  command
      ->add_option("--upstream-timeout", args.timeout,
                   "Seconds an upstream call may take; then an invocation fails")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  command
      ->add_option("--upstream-max-pending", args.max_pending,
                   "Messages of one client that may wait for the upstream; one more closes the "
                   "client")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void apply_upstream_options(const UpstreamArgs& args, service::ServiceOptions& options) {
  if (!args.settings_file.empty())
    options.upstream.templates = upstream::load_settings_file(args.settings_file);
  for (const auto& url : args.url_templates) {
    upstream::Template every;
    every.url_template = url;
    options.upstream.templates.push_back(std::move(every));
  }
  options.upstream_timeout = seconds_option(args.timeout);
  options.upstream_max_pending = args.max_pending;
}

void print_upstream(const service::ServiceOptions& options) {
  for (const auto& t : options.upstream.templates) {
    std::cout << "  Upstream:          " << t.url_template;
    if (!t.hub_pattern.any() || !t.category_pattern.any() || !t.event_pattern.any())
      std::cout << " (hub " << t.hub_pattern.text() << ", category " << t.category_pattern.text()
                << ", event " << t.event_pattern.text() << ")";
    std::cout << "\n";
  }
}

struct ServiceArgs {
  unsigned short port = 8888;
  std::string bind = "127.0.0.1";
  std::vector<std::string> access_keys;
  std::string connection_string;
  double keep_alive = 15, client_timeout = 30, handshake_timeout = 15, long_polling_timeout = 90;
  std::size_t max_message_size = 32 * 1024;
  std::size_t max_queue = 1 << 20;
  std::size_t stateful_buffer = 1 << 20;
  unsigned threads = 0;
  std::string io_uring = "auto";
  ConnectionLimitArgs limits;
  TlsArgs tls;
  ClientLimitArgs client_limits;
  ClusterArgs cluster;
  UpstreamArgs upstream;
  MetricsArgs metrics;
};

void add_io_uring_option(CLI::App* command, std::string& value) {
  command
      ->add_option("--io-uring", value,
                   "How the fan-out writes to WebSocket clients: auto (a flush slice of more than "
                   "4 writes batched through io_uring where the kernel allows it, else one "
                   "send()/sendmsg() per connection) or off (always one call per connection)")
      ->check(CLI::IsMember({"auto", "off"}))
      ->capture_default_str();
}

// The shards' pool, writing as --io-uring says; a fallback the kernel forced is logged.
exec::SendPath send_path(const std::string& io_uring) {
  return io_uring == "off" ? exec::SendPath::Syscall : exec::SendPath::Auto;
}

void log_send_path(const exec::ShardPool& pool) {
  const auto& path = pool.send_path();
  if (path.find("unavailable") != std::string::npos)
    spdlog::info("fan-out writes: {}", path);
  else
    spdlog::debug("fan-out writes: {}", path);
}

int run_service(const ServiceArgs& args, bool port_given,
                std::shared_ptr<service::RecentErrors> recent_errors) {
  service::ServiceOptions options;
  options.bind_address = args.bind;
  options.port = args.port;
  options.access_keys = args.access_keys;
  if (!args.connection_string.empty()) {
    auto cs = auth::ConnectionString::parse(args.connection_string);
    if (cs.access_key.empty())
      throw auth::ConfigError("Connection string: 'AccessKey' is required by the service.");
    options.access_keys.insert(options.access_keys.begin(), cs.access_key);
    const auto endpoint = cs.endpoint_url();
    if (!port_given) {
      if (cs.port)
        options.port = static_cast<unsigned short>(*cs.port);
      else if (endpoint.port)
        options.port = *endpoint.port;
    }
    options.public_host = endpoint.host_text();
  }
  bool generated = false;
  if (options.access_keys.empty()) {
    options.access_keys.push_back(auth::base64_encode(auth::random_id(24)).substr(0, 43));
    generated = true;
  }
  options.keep_alive_interval = seconds_option(args.keep_alive);
  options.client_timeout_interval = seconds_option(args.client_timeout);
  options.handshake_timeout = seconds_option(args.handshake_timeout);
  options.long_polling_timeout = seconds_option(args.long_polling_timeout);
  options.max_message_size = args.max_message_size;
  options.max_outbound_queue_bytes = args.max_queue;
  options.stateful_reconnect_buffer_bytes = args.stateful_buffer;
  options.threads = args.threads;
  options.tls = load_tls(args.tls);
  options.recent_errors = std::move(recent_errors);
  apply_connection_limits(args.limits, options);
  apply_client_limits(args.client_limits, options);
  apply_cluster_options(args.cluster, options);
  apply_upstream_options(args.upstream, options);
  options.metrics_token = args.metrics.token;
  options.serve_metrics = args.metrics.port == 0;
  options.metrics_max_hubs = args.metrics.max_hubs;

  auto signals = block_termination_signals(options.tls != nullptr);
  exec::ShardPool pool(options.threads, send_path(args.io_uring));
  log_send_path(pool);
  service::Service service(options, pool);
  service.start();
  net::HttpServerOptions metrics_http;
  apply_connection_limits(args.limits, metrics_http);
  metrics_http.tls = options.tls;
  auto metrics_server =
      start_metrics_server(args.metrics, options.bind_address, pool.shards(), metrics_http,
                           {[&service](metrics::Exposition& out) { service.write_metrics(out); }});
  pool.start();
  const auto port = service.port();
  const std::string scheme = options.tls ? "https://" : "http://";
  const std::string base = scheme + options.public_host + ":" + std::to_string(port);
  std::cout << "Switchboard service listening on " << scheme << options.bind_address << ":" << port
            << "\n"
            << "  Connection string: Endpoint=" << scheme << options.public_host << ";Port=" << port
            << ";AccessKey=" << options.access_keys.front() << ";Version=1.0;\n"
            << "  Client endpoint:   " << base << "/client/?hub=<hub>\n"
            << "  REST API:          " << base << "/api/hubs/<hub>/:send?api-version=2022-06-01\n"
            << "  Health:            " << base << "/api/health\n"
            << "  Dashboard:         " << base
            << "/dashboard?access_token=<switchboard token --dashboard>\n"
            << "  Metrics:           "
            << describe_metrics(args.metrics, scheme, options.public_host,
                                metrics_server ? metrics_server->port() : port)
            << "\n";
  print_upstream(options);
  if (generated)
    std::cout << "  (no --access-key given: a random key was generated for this run)\n";
  if (options.access_keys.size() > 1)
    std::cout << "  Accepting tokens signed with any of " << options.access_keys.size()
              << " access keys\n";
  if (options.tls)
    std::cout << "  TLS certificate:   " << options.tls->cert_file() << " ("
              << options.tls->describe() << "; SIGHUP re-reads it)\n";
  std::cout << std::flush;

  wait_for_termination(signals, options.tls);
  if (metrics_server) metrics_server->stop();
  service.stop();
  pool.stop();
  pool.wait();
  return 0;
}

struct HostArgs {
  std::string app_dir;
  int port = 0;  // 0: local.settings.json Host.LocalHttpPort, else 7071
  std::string bind = "127.0.0.1";
  int service_port = 0;  // start: 0 = from the app's connection string, else 8888
  unsigned threads = 0;
  std::string io_uring = "auto";  // start only
  ConnectionLimitArgs limits;
  TlsArgs tls;
  ClientLimitArgs client_limits;  // start only
  ClusterArgs cluster;            // start only
  UpstreamArgs upstream;          // start only
  MetricsArgs metrics;
};

functions::FunctionApp load_app(const HostArgs& args, bool embedded,
                                const FunctionRegistry* registry) {
  functions::LoadOptions load;
  load.connection_string_provided = embedded;
  if (registry)
    for (const auto& [name, declaration] : registry->functions())
      load.code_functions[name] = declaration.function_json();
  // Functions declared in the app's code (annotations, attributes, decorators, registrations).
  if (!args.app_dir.empty()) {
    for (auto& [name, doc] : functions::discover_code_functions(args.app_dir)) {
      if (load.code_functions.count(name))
        throw functions::AppError("function '" + name +
                                  "' is declared both in C++ and in the app's code");
      load.code_functions[name] = std::move(doc);
    }
  }
  return functions::load_function_app(args.app_dir, load);
}

unsigned short host_port(const HostArgs& args, const functions::FunctionApp& app) {
  if (args.port > 0) return static_cast<unsigned short>(args.port);
  if (app.settings.local_http_port)
    return static_cast<unsigned short>(*app.settings.local_http_port);
  return 7071;
}

void print_host_banner(const functions::FunctionHost& host) {
  const std::string scheme = host.tls() ? "https://" : "http://";
  std::cout << "Functions host listening on " << scheme << "localhost:" << host.port() << "\n"
            << "Functions:\n";
  for (const auto& line : host.describe()) std::cout << "  " << line << "\n";
  const auto& keys = host.keys();
  std::cout << "Keys (authLevel function/admin; x-functions-key header or code= query):\n"
            << "  function key: " << keys.function_key << "\n"
            << "  master key:   " << keys.master_key << "\n";
  if (auto it = keys.system_keys.find(functions::kSignalRExtensionKey);
      it != keys.system_keys.end())
    std::cout << "  signalr_extension key: " << it->second << "\n"
              << "SignalR webhook (signalRTrigger functions; the service's upstream URL):\n"
              << "  " << scheme << "localhost:" << host.port()
              << "/runtime/webhooks/signalr?code=" << it->second << "\n";
  if (!keys.file.empty()) std::cout << "  (keys kept in " << keys.file.string() << ")\n";
  if (host.tls())
    std::cout << "TLS certificate: " << host.tls()->cert_file() << " (" << host.tls()->describe()
              << "; SIGHUP re-reads it)\n";
}

int run_functions_host(const HostArgs& args, const FunctionRegistry* registry) {
  auto app = load_app(args, false, registry);
  auto tls = load_tls(args.tls);
  auto signals = block_termination_signals(tls != nullptr);
  // No WebSocket clients here: no fan-out to batch.
  exec::ShardPool pool(args.threads, exec::SendPath::Syscall);
  functions::FunctionHostOptions options;
  options.bind_address = args.bind;
  options.port = host_port(args, app);
  apply_connection_limits(args.limits, options.http);
  options.http.tls = tls;
  options.metrics_token = args.metrics.token;
  options.serve_metrics = args.metrics.port == 0;
  functions::FunctionHost host(std::move(app), options, pool, registry);
  host.start();
  auto metrics_server =
      start_metrics_server(args.metrics, args.bind, pool.shards(), options.http,
                           {[&host](metrics::Exposition& out) { host.write_metrics(out); }});
  pool.start();
  print_host_banner(host);
  std::cout << "Metrics: "
            << describe_metrics(args.metrics, tls ? "https://" : "http://", "localhost",
                                metrics_server ? metrics_server->port() : host.port())
            << "\n";
  std::cout << std::flush;
  wait_for_termination(signals, tls);
  if (metrics_server) metrics_server->stop();
  host.stop();
  pool.stop(std::chrono::milliseconds(100));
  pool.wait();
  return 0;
}

int run_start(const HostArgs& args, const FunctionRegistry* registry,
              std::shared_ptr<service::RecentErrors> recent_errors) {
  auto app = load_app(args, true, registry);
  auto tls = load_tls(args.tls);  // both ports: the host's and the embedded service's
  // The embedded service adopts the app's own connection string when it names this machine
  // (e.g. the emulator's), so that clients and tokens agree; otherwise it makes its own.
  service::ServiceOptions service_options;
  service_options.bind_address = args.bind;
  service_options.port = 8888;
  std::string connection_string;
  if (auto text = app.connection_string("AzureSignalRConnectionString")) {
    auto cs = auth::ConnectionString::parse(*text);
    if (cs.names_this_machine()) {
      service_options.port = cs.port_number();
      service_options.access_keys.push_back(cs.access_key);
      service_options.public_host = cs.endpoint_url().host_text();
      connection_string = *text;
    }
  }
  if (args.service_port > 0) service_options.port = static_cast<unsigned short>(args.service_port);
  if (service_options.access_keys.empty())
    service_options.access_keys.push_back(auth::base64_encode(auth::random_id(24)).substr(0, 43));
  // With TLS the connection string clients and functions see names https, whatever the app's says.
  if (connection_string.empty() || args.service_port > 0 || tls)
    connection_string = std::string(tls ? "Endpoint=https://" : "Endpoint=http://") +
                        service_options.public_host +
                        ";Port=" + std::to_string(service_options.port) +
                        ";AccessKey=" + service_options.access_keys.front() + ";Version=1.0;";

  service_options.tls = tls;
  service_options.recent_errors = std::move(recent_errors);
  apply_connection_limits(args.limits, service_options);
  apply_client_limits(args.client_limits, service_options);
  apply_cluster_options(args.cluster, service_options);
  apply_upstream_options(args.upstream, service_options);
  service_options.metrics_token = args.metrics.token;
  service_options.serve_metrics = args.metrics.port == 0;
  service_options.metrics_max_hubs = args.metrics.max_hubs;
  // Without upstream options, client events go to this host's own SignalR webhook, for the
  // events its signalRTrigger functions handle.
  bool embedded_webhook = false;
  std::optional<functions::HostKeys> host_keys;  // read here once, handed to the host
  if (service_options.upstream.empty() &&
      std::any_of(app.functions.begin(), app.functions.end(),
                  [](const auto& f) { return f.signalr_trigger && !f.disabled; })) {
    host_keys = functions::HostKeys::load_or_create(app.root);
    auto embedded = cli::embedded_upstream(app, args.bind, host_port(args, app),
                                           host_keys->system_key(functions::kSignalRExtensionKey),
                                           tls != nullptr);
    service_options.upstream = std::move(embedded.settings);
    // Over TLS the service trusts exactly the host's own certificate on that loopback call.
    if (tls) service_options.upstream_pins[embedded.authority] = tls;
    embedded_webhook = true;
  }

  auto signals = block_termination_signals(tls != nullptr);
  exec::ShardPool pool(args.threads, send_path(args.io_uring));
  log_send_path(pool);
  service::Service service(service_options, pool);
  functions::FunctionHostOptions options;
  options.bind_address = args.bind;
  options.port = host_port(args, app);
  options.embedded_router = service.context().router.get();
  options.embedded_connection_string = connection_string;
  options.keys = std::move(host_keys);
  apply_connection_limits(args.limits, options.http);
  options.http.tls = tls;
  options.metrics_token = args.metrics.token;
  options.serve_metrics = args.metrics.port == 0;
  functions::FunctionHost host(std::move(app), options, pool, registry);
  service.start();
  host.start();
  // One metrics port for both (--metrics-port), or each on its own port.
  auto metrics_server =
      start_metrics_server(args.metrics, args.bind, pool.shards(), options.http,
                           {[&service](metrics::Exposition& out) { service.write_metrics(out); },
                            [&host](metrics::Exposition& out) { host.write_metrics(out); }});
  pool.start();
  std::cout << "Switchboard (service + functions host in one process)\n"
            << "SignalR service listening on " << (tls ? "https://" : "http://")
            << service_options.bind_address << ":" << service.port() << "\n"
            << "  Connection string: " << connection_string << "\n"
            << "  Dashboard:         " << (tls ? "https://" : "http://")
            << service_options.public_host << ":" << service.port()
            << "/dashboard?access_token=<switchboard token --dashboard>\n";
  if (embedded_webhook)
    std::cout << "  Upstream:          this host's SignalR webhook, for the events of its "
              << service_options.upstream.templates.size() << " signalRTrigger function(s)\n";
  else
    print_upstream(service_options);
  print_host_banner(host);
  const std::string scheme = tls ? "https://" : "http://";
  if (metrics_server)
    std::cout << "Metrics (service and host): "
              << describe_metrics(args.metrics, scheme, "localhost", metrics_server->port())
              << "\n";
  else
    std::cout << "Metrics: service "
              << describe_metrics(args.metrics, scheme, "localhost", service.port()) << ", host "
              << describe_metrics(args.metrics, scheme, "localhost", host.port()) << "\n";
  std::cout << std::flush;
  wait_for_termination(signals, tls);
  if (metrics_server) metrics_server->stop();
  host.stop();
  service.stop();
  pool.stop();
  pool.wait();
  return 0;
}

}  // namespace

namespace switchboard::cli {

int run(int argc, char** argv, const FunctionRegistry* registry) {
  CLI::App app{
      "Switchboard: a self-hosted, SignalR-compatible real-time service (Azure SignalR Service "
      "REST API and tokens) and an Azure Functions host with the SignalR Service bindings."};
  app.require_subcommand(1);
  // --log-level and --log-format may also follow the subcommand.
  app.fallthrough();
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str();
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "text, or json: one JSON object per line (time, level, message, and fields such "
                 "as connection_id, hub, user, request_id)")
      ->capture_default_str()
      ->envname("SWITCHBOARD_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));

  ServiceArgs service_args;
  auto* service_cmd = app.add_subcommand(
      "service", "Run the real-time service: client endpoint /client and REST API /api.");
  auto* port_opt = service_cmd->add_option("--port", service_args.port, "Port to listen on")
                       ->capture_default_str();
  service_cmd->add_option("--bind", service_args.bind, "Address to listen on")
      ->capture_default_str();
  service_cmd->add_option("--access-key", service_args.access_keys,
                          "Access key; repeat for key rotation (tokens signed with any are "
                          "accepted). A random one is generated when none is given.");
  service_cmd->add_option("--connection-string", service_args.connection_string,
                          "Take the access key (and port, unless --port) from an Azure SignalR "
                          "connection string");
  service_cmd
      ->add_option("--keep-alive-interval", service_args.keep_alive,
                   "Seconds without sending after which a Ping is sent")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  service_cmd
      ->add_option("--client-timeout-interval", service_args.client_timeout,
                   "Seconds without hearing from a client before it is closed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  service_cmd
      ->add_option("--handshake-timeout", service_args.handshake_timeout,
                   "Seconds a new connection has to complete the hub handshake")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  service_cmd
      ->add_option("--long-polling-timeout", service_args.long_polling_timeout,
                   "Seconds a long poll waits for messages before an empty answer")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(kDurationRange);
  service_cmd
      ->add_option("--max-message-size", service_args.max_message_size,
                   "Largest incoming hub message in bytes")
      ->capture_default_str();
  service_cmd
      ->add_option("--max-outbound-queue", service_args.max_queue,
                   "Bytes queued for one connection before it is dropped as not reading")
      ->capture_default_str();
  service_cmd
      ->add_option("--stateful-reconnect-buffer", service_args.stateful_buffer,
                   "Bytes of sent, unacknowledged messages a stateful-reconnect connection "
                   "keeps for replay")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  service_cmd->add_option("--threads", service_args.threads, "Worker threads (0: one per core)")
      ->capture_default_str();
  add_io_uring_option(service_cmd, service_args.io_uring);
  add_connection_limit_options(service_cmd, service_args.limits);
  add_tls_options(service_cmd, service_args.tls);
  add_client_limit_options(service_cmd, service_args.client_limits);
  add_cluster_options(service_cmd, service_args.cluster);
  add_upstream_options(service_cmd, service_args.upstream);
  add_metrics_options(service_cmd, service_args.metrics);
  add_metrics_hub_option(service_cmd, service_args.metrics);

  HostArgs start_args;
  auto* start_cmd = app.add_subcommand(
      "start", "Run a function app with an embedded SignalR service: both in one process.");
  start_cmd->add_option("APP_DIR", start_args.app_dir, "The function app folder (host.json)")
      ->required(registry == nullptr);
  start_cmd->add_option("--port", start_args.port,
                        "Functions host port (default: Host.LocalHttpPort or 7071)");
  start_cmd->add_option("--service-port", start_args.service_port,
                        "SignalR service port (default: the app's connection string, or 8888)");
  start_cmd->add_option("--bind", start_args.bind, "Address to listen on")->capture_default_str();
  start_cmd->add_option("--threads", start_args.threads, "Worker threads (0: one per core)");
  add_io_uring_option(start_cmd, start_args.io_uring);
  add_connection_limit_options(start_cmd, start_args.limits);
  add_tls_options(start_cmd, start_args.tls);
  add_client_limit_options(start_cmd, start_args.client_limits);
  add_cluster_options(start_cmd, start_args.cluster);
  add_upstream_options(start_cmd, start_args.upstream);
  add_metrics_options(start_cmd, start_args.metrics);
  add_metrics_hub_option(start_cmd, start_args.metrics);

  HostArgs functions_args;
  auto* functions_cmd = app.add_subcommand(
      "functions",
      "Run a function app against the SignalR service its connection string names. signalRTrigger "
      "functions receive that service's upstream events at /runtime/webhooks/signalr (the key is "
      "printed at start).");
  functions_cmd
      ->add_option("APP_DIR", functions_args.app_dir, "The function app folder (host.json)")
      ->required(registry == nullptr);
  functions_cmd->add_option("--port", functions_args.port,
                            "Port (default: Host.LocalHttpPort or 7071)");
  functions_cmd->add_option("--bind", functions_args.bind, "Address to listen on")
      ->capture_default_str();
  functions_cmd->add_option("--threads", functions_args.threads,
                            "Worker threads (0: one per core)");
  add_connection_limit_options(functions_cmd, functions_args.limits);
  add_tls_options(functions_cmd, functions_args.tls);
  add_metrics_options(functions_cmd, functions_args.metrics);

  auto run_token_command = add_token_commands(app, kDurationRange);

  // Every option of the long-running commands can also come from SWITCHBOARD_<OPTION>.
  for (auto* command : {&app, service_cmd, start_cmd, functions_cmd})
    read_options_from_environment(*command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e, argc, argv);
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  logging::set_log_format(log_format);
  // The last warnings and errors, for the dashboard (before any thread logs).
  auto recent_errors = std::make_shared<service::RecentErrors>();
  spdlog::default_logger()->sinks().push_back(service::make_recent_errors_sink(recent_errors));
  try {
    if (*service_cmd) return run_service(service_args, port_opt->count() > 0, recent_errors);
    if (auto status = run_token_command()) return *status;
    if (*start_cmd) return run_start(start_args, registry, recent_errors);
    if (*functions_cmd) return run_functions_host(functions_args, registry);
  } catch (const functions::AppError& e) {
    std::cerr << "switchboard: the function app cannot start: " << e.what() << "\n";
    return 2;
  } catch (const auth::ConfigError& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  } catch (const upstream::SettingsError& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  } catch (const net::TlsError& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace switchboard::cli

namespace switchboard {

int run_functions(int argc, char** argv, const FunctionRegistry& registry) {
  return cli::run(argc, argv, &registry);
}

}  // namespace switchboard
