// The `switchboard` command line: `service` runs the real-time service; `token` mints access
// tokens for clients and for the REST API.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "auth/connection_string.hpp"
#include "auth/crypto.hpp"
#include "auth/jwt.hpp"
#include "service/service.hpp"

namespace {

using namespace switchboard;

std::chrono::milliseconds seconds_option(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

sigset_t block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

struct ServiceArgs {
  unsigned short port = 8888;
  std::string bind = "127.0.0.1";
  std::vector<std::string> access_keys;
  std::string connection_string;
  double keep_alive = 15, client_timeout = 30, handshake_timeout = 15;
  std::size_t max_message_size = 32 * 1024;
  std::size_t max_queue = 1 << 20;
  unsigned threads = 0;
};

int run_service(const ServiceArgs& args, bool port_given) {
  service::ServiceOptions options;
  options.bind_address = args.bind;
  options.port = args.port;
  options.access_keys = args.access_keys;
  if (!args.connection_string.empty()) {
    auto cs = auth::ConnectionString::parse(args.connection_string);
    if (cs.access_key.empty())
      throw auth::ConfigError("Connection string: 'AccessKey' is required by the service.");
    options.access_keys.insert(options.access_keys.begin(), cs.access_key);
    if (!port_given) {
      auto base = cs.base_url();  // scheme://host[:port]/
      auto colon = base.find(':', base.find("//") + 2);
      if (cs.port) {
        options.port = static_cast<unsigned short>(*cs.port);
      } else if (colon != std::string::npos) {
        options.port = static_cast<unsigned short>(std::stoi(base.substr(colon + 1)));
      }
    }
    auto host_begin = cs.endpoint.find("//") + 2;
    auto host_end = cs.endpoint.find_first_of(":/", host_begin);
    options.public_host = cs.endpoint.substr(host_begin, host_end - host_begin);
  }
  bool generated = false;
  if (options.access_keys.empty()) {
    options.access_keys.push_back(auth::base64_encode(auth::random_id(24)).substr(0, 43));
    generated = true;
  }
  options.keep_alive_interval = seconds_option(args.keep_alive);
  options.client_timeout_interval = seconds_option(args.client_timeout);
  options.handshake_timeout = seconds_option(args.handshake_timeout);
  options.max_message_size = args.max_message_size;
  options.max_outbound_queue_bytes = args.max_queue;
  options.threads = args.threads;

  auto signals = block_termination_signals();
  service::Service service(options);
  service.start();
  const auto port = service.port();
  const std::string base = "http://" + options.public_host + ":" + std::to_string(port);
  std::cout << "Switchboard service listening on http://" << options.bind_address << ":" << port
            << "\n"
            << "  Connection string: Endpoint=http://" << options.public_host << ";Port=" << port
            << ";AccessKey=" << options.access_keys.front() << ";Version=1.0;\n"
            << "  Client endpoint:   " << base << "/client/?hub=<hub>\n"
            << "  REST API:          " << base << "/api/hubs/<hub>/:send?api-version=2022-06-01\n"
            << "  Health:            " << base << "/api/health\n";
  if (generated)
    std::cout << "  (no --access-key given: a random key was generated for this run)\n";
  if (options.access_keys.size() > 1)
    std::cout << "  Accepting tokens signed with any of " << options.access_keys.size()
              << " access keys\n";
  std::cout << std::flush;

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("signal {} received, shutting down", signal_number);
  service.stop();
  service.wait();
  return 0;
}

struct TokenArgs {
  std::string connection_string;
  std::string access_key;
  std::string endpoint = "http://localhost";
  std::string hub;
  std::string user;
  std::string audience;
  bool rest = false;
  long long lifetime = 3600;
};

int run_token(const TokenArgs& args) {
  std::string key = args.access_key;
  std::string endpoint = args.endpoint;
  auth::ConnectionString cs;
  if (!args.connection_string.empty()) {
    cs = auth::ConnectionString::parse(args.connection_string);
    key = cs.access_key;
  } else {
    if (key.empty()) throw auth::ConfigError("token: give --connection-string or --access-key.");
    cs = auth::ConnectionString::parse("Endpoint=" + endpoint + ";AccessKey=" + key + ";");
  }
  auth::TokenRequest request;
  if (!args.audience.empty()) {
    request.audience = args.audience;
  } else if (args.hub.empty()) {
    throw auth::ConfigError("token: give --hub (or --audience).");
  } else if (args.rest) {
    std::string hub;
    for (char c : args.hub) hub.push_back(static_cast<char>(std::tolower(c)));
    request.audience = cs.audience_base() + "api/hubs/" + hub;
  } else {
    request.audience = cs.client_audience(args.hub);
  }
  request.user_id = args.user;
  request.lifetime_seconds = args.lifetime;
  request.now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::cout << auth::issue_token(request, key) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Switchboard: a self-hosted, SignalR-compatible real-time service (Azure SignalR Service "
      "REST API and tokens)."};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str();

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
      ->check(CLI::PositiveNumber);
  service_cmd
      ->add_option("--client-timeout-interval", service_args.client_timeout,
                   "Seconds without hearing from a client before it is closed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  service_cmd
      ->add_option("--handshake-timeout", service_args.handshake_timeout,
                   "Seconds a new connection has to complete the hub handshake")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  service_cmd
      ->add_option("--max-message-size", service_args.max_message_size,
                   "Largest incoming hub message in bytes")
      ->capture_default_str();
  service_cmd
      ->add_option("--max-outbound-queue", service_args.max_queue,
                   "Bytes queued for one connection before it is dropped as not reading")
      ->capture_default_str();
  service_cmd->add_option("--threads", service_args.threads, "Worker threads (0: one per core)")
      ->capture_default_str();

  TokenArgs token_args;
  auto* token_cmd = app.add_subcommand(
      "token", "Print an access token: a client token for --hub, or with --rest a REST API token.");
  token_cmd->add_option("--connection-string", token_args.connection_string,
                        "Connection string whose AccessKey and Endpoint are used");
  token_cmd->add_option("--access-key", token_args.access_key,
                        "Access key (without a connection string)");
  token_cmd->add_option("--endpoint", token_args.endpoint, "Endpoint with --access-key")
      ->capture_default_str();
  token_cmd->add_option("--hub", token_args.hub, "Hub name");
  token_cmd->add_option("--user", token_args.user, "User id (asrs.s.uid claim)");
  token_cmd->add_flag("--rest", token_args.rest, "A token for the REST API of the hub");
  token_cmd->add_option("--audience", token_args.audience, "Explicit audience URL");
  token_cmd->add_option("--lifetime", token_args.lifetime, "Lifetime in seconds")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  try {
    if (*service_cmd) return run_service(service_args, port_opt->count() > 0);
    if (*token_cmd) return run_token(token_args);
  } catch (const auth::ConfigError& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
