// Values a function hands back: the items of a `signalR` output binding (messages and group
// actions, validated all before any is sent) and the HTTP response object of an `http` output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace switchboard::functions {

struct SignalRMessageItem {
  std::string target;
  std::string arguments_json = "[]";  // minified JSON array
  std::string connection_id;          // precedence: connection > user > group > broadcast
  std::string user_id;
  std::string group_name;
};

enum class GroupActionKind { Add, Remove, RemoveAll };

struct GroupActionItem {
  GroupActionKind action = GroupActionKind::Add;
  std::string connection_id;  // set: acts on the connection; else on the user
  std::string user_id;
  std::string group_name;
};

using SignalROutputItem = std::variant<SignalRMessageItem, GroupActionItem>;

struct ParsedSignalROutput {
  std::vector<SignalROutputItem> items;
  std::string error;  // non-empty: invalid, nothing may be sent; names the item index and why
};

// `value`: an object, an array of objects, or a string holding the JSON of either (null: no
// items). Keys are case-insensitive; an object with `target` is a message (arguments optional,
// must be an array), else one with `action` (add/remove/removeAll, any case, or 0/1/2) is a group
// action needing a non-empty connectionId or userId, and a groupName for add/remove. Empty
// strings count as unset.
ParsedSignalROutput parse_signalr_output(const nlohmann::json& value);

struct HttpResponseValue {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;  // from headers or inferred: JSON body -> application/json,
                             // string -> text/plain; charset=utf-8, bytes (base64 or
                             // json::binary) -> application/octet-stream; empty when no body
};

// The response object semantics of the Functions host: keys case-insensitive, `body`, `headers`,
// `statusCode` or `status` (number or numeric string); an object with none of these keys (or any
// non-object) is itself the body. With `bodyEncoding: "base64"` the body is base64 of the bytes to
// send (functions/http_body.hpp). Throws std::invalid_argument for a bad status or bad base64.
HttpResponseValue http_response_from_value(const nlohmann::json& value);

}  // namespace switchboard::functions
