// Bodies of the SignalR webhook: the content type's protocol, the client's Invocation (JSON or
// MessagePack, without framing), a disconnected event's error, and the framed CompletionMessage
// the webhook answers an invocation with, in the request's protocol. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::functions::trigger {

enum class BodyProtocol { Json, MessagePack };

// The media type (parameters such as charset ignored, case-insensitive): application/json or
// application/x-msgpack; nullopt for any other (the webhook answers 415).
std::optional<BodyProtocol> body_protocol(std::string_view content_type);

struct ParsedInvocation {
  std::string error;  // non-empty: the body is not a hub Invocation, with the reason
  std::string target;
  std::optional<std::string> invocation_id;            // absent for a client's send()
  nlohmann::json arguments = nlohmann::json::array();  // MessagePack arguments converted to JSON
};

// A JSON body may end with one record separator (0x1E); a MessagePack body has no length prefix.
ParsedInvocation parse_invocation_body(BodyProtocol protocol, std::string_view body);

// The "error" of a disconnected event's body ({"type":11,"error":"..."}, keys in any case);
// nullopt when absent, empty or the body is not a JSON object.
std::optional<std::string> disconnect_error(std::string_view body);

// Framed CompletionMessages: {"type":3,"invocationId":"..","result":..}\x1e, or the MessagePack
// array with its varint length prefix.
std::string completion_with_result(BodyProtocol protocol, std::string_view invocation_id,
                                   const nlohmann::json& result);
std::string completion_with_error(BodyProtocol protocol, std::string_view invocation_id,
                                  std::string_view error);

}  // namespace switchboard::functions::trigger
