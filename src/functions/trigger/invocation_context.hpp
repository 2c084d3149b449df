// The InvocationContext a signalRTrigger function receives, built from the webhook request as the
// Functions extension builds it (PascalCase keys): Arguments (messages), Error (disconnected),
// Category, Event, Hub, ConnectionId, UserId, Headers (every request header; repeats joined with
// ","), Query (parsed from X-ASRS-Client-Query; repeats joined with ","), Claims (parsed from
// X-ASRS-User-Claims, "type: value" entries split on ",", the first value of a type kept). Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::functions::trigger {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;  // as received, in order

// The value of a header (name compared case-insensitively), repeats joined with ","; nullopt when
// absent.
std::optional<std::string> header_value(const HeaderFields& headers, std::string_view name);

// {"name": "value"}: names as first received, repeats (any case) joined with ",".
nlohmann::json headers_object(const HeaderFields& headers);
// "?a=b&c=d" (the leading '?' optional) -> {"a":"b","c":"d"}, percent-decoded, repeats joined.
nlohmann::json parse_client_query(std::string_view query);
// "name: Ann, role: admin, role: x" -> {"name":"Ann","role":"admin"}; an entry without ": " is
// skipped, names and values trimmed.
nlohmann::json parse_user_claims(std::string_view header);

struct InvocationEvent {
  std::string hub;
  std::string category;
  std::string event;
  std::string connection_id;
  std::string user_id;               // empty when the header is absent
  nlohmann::json arguments;          // an array for messages, else null
  std::optional<std::string> error;  // disconnected: the close error, when there was one
};

// The InvocationContext JSON for `event`, with Headers/Query/Claims taken from `headers`.
nlohmann::json build_invocation_context(const InvocationEvent& event, const HeaderFields& headers);

}  // namespace switchboard::functions::trigger
