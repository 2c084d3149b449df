// The data-plane REST API's message body: {"target": "...", "arguments": [...]}, keys compared
// case-insensitively (the Management SDK writes Target/Arguments).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::protocol {

struct RestMessage {
  std::string target;
  std::string arguments_json = "[]";  // minified JSON array
};

struct ParsedRestMessage {
  std::optional<RestMessage> message;
  std::string error;  // why the body is invalid, for a 400
};

ParsedRestMessage parse_rest_message(std::string_view body);

}  // namespace switchboard::protocol
