// `switchboard token` and `switchboard dashboard-url`: see token_commands.hpp.
#include "cli/token_commands.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "auth/connection_string.hpp"
#include "auth/jwt.hpp"
#include "util/text.hpp"

namespace switchboard::cli {

namespace {

struct TokenArgs {
  std::string connection_string;
  std::string access_key;
  std::string endpoint;
  std::string hub;
  std::string user;
  std::string audience;
  bool rest = false;
  bool dashboard = false;
  long long lifetime = 3600;
};

// The key and the endpoint, from --connection-string or --access-key [--endpoint].
auth::ConnectionString key_and_endpoint(const TokenArgs& args, const std::string& command) {
  if (!args.connection_string.empty()) return auth::ConnectionString::parse(args.connection_string);
  if (args.access_key.empty())
    throw auth::ConfigError(command + ": give --connection-string or --access-key.");
  return auth::ConnectionString::parse("Endpoint=" + args.endpoint +
                                       ";AccessKey=" + args.access_key + ";");
}

std::string issue(const auth::ConnectionString& cs, std::string audience, std::string user,
                  long long lifetime) {
  auth::TokenRequest request;
  request.audience = std::move(audience);
  request.user_id = std::move(user);
  request.lifetime_seconds = lifetime;
  request.now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return auth::issue_token(request, cs.access_key);
}

// A dashboard token's audience: http://<host>/dashboard (docs/dashboard.md).
std::string dashboard_audience(const auth::ConnectionString& cs) {
  return cs.audience_base() + "dashboard";
}

int run_token(const TokenArgs& args) {
  auto cs = key_and_endpoint(args, "token");
  std::string audience;
  if (!args.audience.empty()) {
    audience = args.audience;
  } else if (args.dashboard) {
    audience = dashboard_audience(cs);
  } else if (args.hub.empty()) {
    throw auth::ConfigError("token: give --hub (or --dashboard, or --audience).");
  } else if (args.rest) {
    audience = cs.audience_base() + "api/hubs/" + util::to_lower(args.hub);
  } else {
    audience = cs.client_audience(args.hub);
  }
  std::cout << issue(cs, audience, args.user, args.lifetime) << "\n";
  return 0;
}

int run_dashboard_url(const TokenArgs& args) {
  auto cs = key_and_endpoint(args, "dashboard-url");
  std::cout << cs.base_url()
            << "dashboard?access_token=" << issue(cs, dashboard_audience(cs), {}, args.lifetime)
            << "\n";
  return 0;
}

void add_key_options(CLI::App* command, TokenArgs& args, const CLI::Validator& duration) {
  command->add_option("--connection-string", args.connection_string,
                      "Connection string whose AccessKey and Endpoint are used");
  command->add_option("--access-key", args.access_key, "Access key (without a connection string)");
  command->add_option("--endpoint", args.endpoint, "Endpoint with --access-key")
      ->capture_default_str();
  command->add_option("--lifetime", args.lifetime, "Lifetime in seconds")
      ->capture_default_str()
      ->check(duration);
}

}  // namespace

std::function<std::optional<int>()> add_token_commands(CLI::App& app,
                                                       const CLI::Validator& duration) {
  auto token_args = std::make_shared<TokenArgs>();
  token_args->endpoint = "http://localhost";
  auto* token = app.add_subcommand(
      "token",
      "Print an access token: a client token for --hub, with --rest a REST API token, with "
      "--dashboard a token for the dashboard.");
  add_key_options(token, *token_args, duration);
  token->add_option("--hub", token_args->hub, "Hub name");
  token->add_option("--user", token_args->user, "User id (asrs.s.uid claim)");
  token->add_flag("--rest", token_args->rest, "A token for the REST API of the hub");
  token->add_flag("--dashboard", token_args->dashboard,
                  "A token for the dashboard (audience http://<host>/dashboard)");
  token->add_option("--audience", token_args->audience, "Explicit audience URL");

  auto url_args = std::make_shared<TokenArgs>();
  url_args->endpoint = "http://localhost:8888";
  auto* url = app.add_subcommand(
      "dashboard-url",
      "Print the URL of the service's live dashboard with a dashboard token in it.");
  add_key_options(url, *url_args, duration);

  return [token, token_args, url, url_args]() -> std::optional<int> {
    if (*token) return run_token(*token_args);
    if (*url) return run_dashboard_url(*url_args);
    return std::nullopt;
  };
}

}  // namespace switchboard::cli
