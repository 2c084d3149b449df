// Negotiate payloads: the version a client asks for, the v0/v1 negotiate response, the error form
// and the redirect form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::protocol {

enum TransportFlags : unsigned {
  kWebSockets = 1,
  kServerSentEvents = 2,
  kLongPolling = 4,
  kAllTransports = 7,
};

struct NegotiateResponse {
  int negotiate_version = 1;  // 0 omits connectionToken
  std::string connection_id;
  std::string connection_token;
  unsigned transports = kAllTransports;  // TransportFlags bitmask
  bool use_stateful_reconnect = false;   // written only when true
};

// The negotiate version a client asks for with `?negotiateVersion=` (as ASP.NET Core reads it: an
// integer, leading whitespace and a sign allowed): 1 for 1 and above, 0 for 0; nullopt for
// anything else (negative, not a number, out of int's range), which is answered with an error.
std::optional<int> parse_negotiate_version(std::string_view text);

std::string encode_negotiate_response(const NegotiateResponse& response);
std::string encode_negotiate_error(std::string_view error);
std::string encode_negotiate_redirect(std::string_view url, std::string_view access_token);

}  // namespace switchboard::protocol
