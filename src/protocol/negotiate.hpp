// Negotiate payloads: the v0/v1 negotiate response, the error form and the redirect form.
#pragma once

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

std::string encode_negotiate_response(const NegotiateResponse& response);
std::string encode_negotiate_error(std::string_view error);
std::string encode_negotiate_redirect(std::string_view url, std::string_view access_token);

}  // namespace switchboard::protocol
