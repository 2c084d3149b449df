// Negotiate payloads (wire reference §1): the requested version, the v0/v1 response, the error form
// and the redirect form.
#include "protocol/negotiate.hpp"

#include <stdexcept>

#include "protocol/json_hub_protocol.hpp"

namespace switchboard::protocol {

std::optional<int> parse_negotiate_version(std::string_view text) {
  try {
    std::size_t used = 0;
    int version = std::stoi(std::string(text), &used);
    if (used != text.size() || version < 0) return std::nullopt;
    return version >= 1 ? 1 : 0;
  } catch (const std::logic_error&) {  // invalid_argument, out_of_range
    return std::nullopt;
  }
}

std::string encode_negotiate_response(const NegotiateResponse& response) {
  std::string out = "{";
  if (response.use_stateful_reconnect) out += "\"useStatefulReconnect\":true,";
  out += "\"negotiateVersion\":";
  out += std::to_string(response.negotiate_version);
  out += ",\"connectionId\":";
  append_json_string(out, response.connection_id);
  if (response.negotiate_version >= 1) {
    out += ",\"connectionToken\":";
    append_json_string(out, response.connection_token);
  }
  out += ",\"availableTransports\":[";
  bool first = true;
  auto add = [&](unsigned flag, std::string_view transport) {
    if ((response.transports & flag) == 0) return;
    if (!first) out += ',';
    first = false;
    out += transport;
  };
  add(kWebSockets, R"({"transport":"WebSockets","transferFormats":["Text","Binary"]})");
  add(kServerSentEvents, R"({"transport":"ServerSentEvents","transferFormats":["Text"]})");
  add(kLongPolling, R"({"transport":"LongPolling","transferFormats":["Text","Binary"]})");
  out += "]}";
  return out;
}

std::string encode_negotiate_error(std::string_view error) {
  std::string out = "{\"error\":";
  append_json_string(out, error);
  out += '}';
  return out;
}

std::string encode_negotiate_redirect(std::string_view url, std::string_view access_token) {
  std::string out = "{\"url\":";
  append_json_string(out, url);
  out += ",\"accessToken\":";
  append_json_string(out, access_token);
  out += '}';
  return out;
}

}  // namespace switchboard::protocol
