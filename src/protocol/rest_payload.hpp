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

// The binary body form (Content-Type application/octet-stream) the Management SDK sends when hub
// protocols are configured: a MessagePack map {"json": bin(JSON Invocation record with its 0x1E),
// "messagepack": bin(VarInt-prefixed MessagePack Invocation)}; either entry may be absent.
struct BinaryRestMessage {
  std::string json_frame;         // the JSON record, or empty
  std::string messagepack_frame;  // the prefixed MessagePack record, or empty
  std::string target;             // from whichever entry was read
  std::string arguments_json;     // JSON arguments when only MessagePack was given (converted)
};
struct ParsedBinaryRestMessage {
  std::optional<BinaryRestMessage> message;
  std::string error;
};
ParsedBinaryRestMessage parse_binary_rest_message(std::string_view body);

}  // namespace switchboard::protocol
