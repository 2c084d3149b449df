// Azure SignalR connection strings: parsing, validation and the URLs derived from them
// (base, client, REST, and the port-less audience base). Pure; throws ConfigError on bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "util/url.hpp"

namespace switchboard::auth {

// A configuration mistake with a message meant for the user (names the field and the problem).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConnectionString {
  std::string endpoint;  // absolute http/https URI as given, trailing '/' trimmed
  std::string access_key;
  std::string version;          // empty when absent
  std::optional<int> port;      // overrides the endpoint's port
  std::string client_endpoint;  // empty when absent (trailing '/' trimmed)
  std::string server_endpoint;  // empty when absent (trailing '/' trimmed)
  std::string auth_type;        // empty when absent

  // Parses `Endpoint=...;AccessKey=...;Version=1.0;[Port=...;]...` exactly as the reference says.
  static ConnectionString parse(std::string_view text);

  // The endpoint, parsed (valid once parse() accepted it; ConfigError otherwise).
  util::Url endpoint_url() const;
  // Whether the endpoint's host is this machine (localhost, 127.0.0.1, ::1).
  bool names_this_machine() const;
  // The port clients use: Port, else the endpoint's, else its scheme's default.
  std::uint16_t port_number() const;
  // `scheme://host[:port]/` with Port applied.
  std::string base_url() const;
  // `scheme://host/`: no port, never the client/server endpoint (what token audiences use).
  std::string audience_base() const;
  // `(ClientEndpoint ?? base)client/?hub=<lower(hub)>`.
  std::string client_url(std::string_view hub) const;
  // `audience_base()client/?hub=<lower(hub)>`.
  std::string client_audience(std::string_view hub) const;
  // `(ServerEndpoint ?? base)`, with trailing '/'.
  std::string server_base_url() const;
  // Canonical text: `Endpoint=...;[Port=...;]AccessKey=...;Version=1.0;`.
  std::string to_string() const;
};

}  // namespace switchboard::auth
