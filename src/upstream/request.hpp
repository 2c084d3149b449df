// Building upstream requests: the X-ASRS-* headers that describe the connection, the event's body
// and content type, and the URL from the matching template. Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upstream/call.hpp"
#include "upstream/settings.hpp"

namespace switchboard::upstream {

// What every upstream request says about its connection, computed once per connection.
struct ConnectionFacts {
  std::string connection_id;
  std::string hub;        // lower-cased, as the REST API names it
  std::string user_id;    // empty: X-ASRS-User-Id is left out
  std::string claims;     // X-ASRS-User-Claims; empty: left out
  std::string query;      // X-ASRS-Client-Query; empty: left out
  std::string signature;  // X-ASRS-Signature
};

// X-ASRS-User-Claims: "type: value, type2: value2" in the token's order, one pair per value,
// without the token's own claims (aud, exp, iat, nbf) and the service's (asrs.s.*). Control
// characters become spaces (a header value cannot hold them).
std::string claims_header(const std::vector<std::pair<std::string, std::string>>& claims);

// X-ASRS-Client-Query: the raw query of the client's connect request, with a leading '?', without
// the parameters that are credentials or transport details: access_token, id (the connection
// token), '_' (a cache breaker) and asrs_redirected. Empty when nothing is left. The other
// parameters keep their order and spelling (percent-encoding included).
std::string client_query_header(std::string_view raw_query);

// A value safe for a header: control characters replaced by spaces.
std::string header_value(std::string_view text);

// Bodies of the connections events (application/json).
std::string connect_body();                             // {}
std::string connected_body();                           // {"type":10}
std::string disconnected_body(std::string_view error);  // {"type":11} or {"type":11,"error":"..."}

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kMessagePackContentType = "application/x-msgpack";

// The call for an event of `facts`' connection to the template `target` (which matched it).
Call build_call(const Template& target, const ConnectionFacts& facts, std::string_view category,
                std::string_view event, std::string_view content_type, std::string body);

}  // namespace switchboard::upstream
