// Azure SignalR connection strings: parsing and validation (reference §1) and the derived URLs.
#include "auth/connection_string.hpp"

#include "util/text.hpp"

#include <cctype>
#include <map>
#include <string>

#include <fmt/format.h>

#include "util/url.hpp"

namespace switchboard::auth {
namespace {

std::string trim_trailing_slashes(std::string_view text) {
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return std::string(text);
}

[[noreturn]] void fail(const std::string& problem) {
  throw ConfigError("Connection string: " + problem);
}

// Why `value` is not an endpoint (an absolute http/https URL naming a host, without user
// information, query or fragment), or "" when it is one.
std::string endpoint_problem(std::string_view value) {
  std::string why;
  const auto url = util::parse_url(value, &why);
  if (!url) return why;
  if (url->scheme != "http" && url->scheme != "https")
    return "the scheme '" + url->scheme + "' is not http or https";
  if (url->userinfo) return "user information ('...@') is not allowed";
  if (url->query) return "a query ('?...') is not allowed";
  if (url->fragment) return "a fragment ('#...') is not allowed";
  return "";
}

// Validates an absolute http/https URI for `field` and returns it without trailing '/'.
std::string require_http_uri(std::string_view field, std::string_view value) {
  if (auto problem = endpoint_problem(value); !problem.empty())
    fail(fmt::format("'{}' must be an absolute http or https URI, got '{}': {}", field, value,
                     problem));
  return trim_trailing_slashes(value);
}

// `^1\.\d+(?:[\w-.]+)?$`
bool valid_version(std::string_view version) {
  if (version.size() < 3 || version[0] != '1' || version[1] != '.') return false;
  if (!std::isdigit(static_cast<unsigned char>(version[2]))) return false;
  for (char c : version.substr(3)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

bool default_port(const std::string& scheme, int port) {
  return (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
}

// `scheme://host[:port]` with `port_override` applied; default ports are left out.
std::string authority_url(const util::Url& uri, std::optional<int> port_override) {
  std::optional<int> port = port_override;
  if (!port && uri.port) port = *uri.port;
  std::string out = uri.scheme + "://" + uri.host_text();
  if (port && !default_port(uri.scheme, *port)) out += ":" + std::to_string(*port);
  return out;
}

}  // namespace

ConnectionString ConnectionString::parse(std::string_view text) {
  // Canonical property name by lower-cased key; unknown keys are accepted and ignored.
  std::map<std::string, std::string> properties;
  std::size_t count = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = util::trim(text.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    const auto equals = part.find('=');
    if (equals == std::string_view::npos) {
      fail(fmt::format("'{}' is not a 'Key=Value' pair", part.substr(0, 64)));
    }
    const std::string_view key = util::trim(part.substr(0, equals));
    const std::string_view value = util::trim(part.substr(equals + 1));
    if (key.empty()) fail("a property has an empty key");
    const auto [it, inserted] = properties.emplace(util::to_lower(key), std::string(value));
    if (!inserted) fail(fmt::format("duplicate key '{}'", key));
    ++count;
  }
  if (count < 2) {
    fail(fmt::format("expected at least 'Endpoint' and 'AccessKey', got {} propert{}", count,
                     count == 1 ? "y" : "ies"));
  }

  auto take = [&](const char* key) -> std::optional<std::string> {
    const auto it = properties.find(key);
    if (it == properties.end()) return std::nullopt;
    return it->second;
  };

  ConnectionString result;
  const auto endpoint = take("endpoint");
  if (!endpoint || endpoint->empty()) fail("'Endpoint' is required");
  result.endpoint = require_http_uri("Endpoint", *endpoint);

  if (const auto auth_type = take("authtype")) {
    const std::string normalized = util::to_lower(*auth_type);
    if (normalized != "aad" && normalized != "azure" && normalized != "azure.app" &&
        normalized != "azure.msi") {
      fail(fmt::format("'AuthType' must be one of aad, azure, azure.app, azure.msi, got '{}'",
                       *auth_type));
    }
    result.auth_type = *auth_type;
  }

  const auto access_key = take("accesskey");
  if (access_key && !access_key->empty()) {
    result.access_key = *access_key;
  } else if (access_key && result.auth_type.empty()) {
    fail("'AccessKey' must not be empty");
  } else if (result.auth_type.empty()) {
    fail("'AccessKey' is required");
  }

  if (const auto version = take("version")) {
    if (!valid_version(*version)) {
      fail(fmt::format("'Version' must look like '1.0', got '{}'", *version));
    }
    result.version = *version;
  }

  if (const auto port = take("port")) {
    int value = 0;
    bool ok = !port->empty() && port->size() <= 5;
    // Only up to 5 digits are added up: more would overflow int (found by the connection_string
    // fuzz target under UBSan).
    for (char c : ok ? *port : std::string_view{}) {
      if (c < '0' || c > '9') {
        ok = false;
        break;
      }
      value = value * 10 + (c - '0');
    }
    if (!ok || value < 1 || value > 65535) {
      fail(fmt::format("'Port' must be an integer between 1 and 65535, got '{}'", *port));
    }
    result.port = value;
  }

  if (const auto client = take("clientendpoint")) {
    result.client_endpoint = require_http_uri("ClientEndpoint", *client);
  }
  if (const auto server = take("serverendpoint")) {
    result.server_endpoint = require_http_uri("ServerEndpoint", *server);
  }
  return result;
}

util::Url ConnectionString::endpoint_url() const {
  auto url = util::parse_url(endpoint);
  if (!url || !endpoint_problem(endpoint).empty())
    fail(fmt::format("'Endpoint' must be an absolute http or https URI, got '{}'", endpoint));
  return *url;
}

bool ConnectionString::names_this_machine() const {
  return util::is_loopback_host(endpoint_url().host);
}

std::uint16_t ConnectionString::port_number() const {
  if (port) return static_cast<std::uint16_t>(*port);
  return *endpoint_url().effective_port();
}

std::string ConnectionString::base_url() const {
  const util::Url uri = endpoint_url();
  return authority_url(uri, port) + trim_trailing_slashes(uri.path) + "/";
}

std::string ConnectionString::audience_base() const {
  const util::Url uri = endpoint_url();
  return uri.scheme + "://" + uri.host_text() + "/";
}

std::string ConnectionString::client_url(std::string_view hub) const {
  const std::string base = client_endpoint.empty() ? base_url() : client_endpoint + "/";
  return base + "client/?hub=" + util::to_lower(hub);
}

std::string ConnectionString::client_audience(std::string_view hub) const {
  return audience_base() + "client/?hub=" + util::to_lower(hub);
}

std::string ConnectionString::server_base_url() const {
  return server_endpoint.empty() ? base_url() : server_endpoint + "/";
}

std::string ConnectionString::to_string() const {
  std::string out = "Endpoint=" + endpoint + ";";
  if (port) out += "Port=" + std::to_string(*port) + ";";
  if (!access_key.empty()) out += "AccessKey=" + access_key + ";";
  out += "Version=" + (version.empty() ? std::string("1.0") : version) + ";";
  if (!client_endpoint.empty()) out += "ClientEndpoint=" + client_endpoint + ";";
  if (!server_endpoint.empty()) out += "ServerEndpoint=" + server_endpoint + ";";
  if (!auth_type.empty()) out += "AuthType=" + auth_type + ";";
  return out;
}

}  // namespace switchboard::auth
