// Bodies of the SignalR webhook: see webhook_body.hpp.
#include "functions/trigger/webhook_body.hpp"

#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

namespace switchboard::functions::trigger {

using nlohmann::json;

std::optional<BodyProtocol> body_protocol(std::string_view content_type) {
  std::string_view media = util::trim(content_type.substr(0, content_type.find(';')));
  if (util::iequals(media, "application/json")) return BodyProtocol::Json;
  if (util::iequals(media, "application/x-msgpack")) return BodyProtocol::MessagePack;
  return std::nullopt;
}

ParsedInvocation parse_invocation_body(BodyProtocol protocol, std::string_view body) {
  ParsedInvocation out;
  protocol::ParsedMessage parsed;
  if (protocol == BodyProtocol::Json) {
    if (!body.empty() && body.back() == protocol::kRecordSeparator) body.remove_suffix(1);
    parsed = protocol::parse_json_message(body);
  } else {
    parsed = protocol::parse_messagepack_message(body);
  }
  if (!parsed.error.empty()) {
    out.error = "The body is not a hub protocol message: " + parsed.error;
    return out;
  }
  if (!parsed.message || parsed.message->type != protocol::MessageType::Invocation) {
    out.error = "The body is not an Invocation message (type 1).";
    return out;
  }
  const auto& message = *parsed.message;
  out.target = message.target;
  if (message.has_invocation_id && !message.invocation_id.empty())
    out.invocation_id = message.invocation_id;
  std::optional<std::string> arguments_text = message.arguments_json;
  if (protocol == BodyProtocol::MessagePack)
    arguments_text = protocol::messagepack_to_json(message.arguments_json);
  auto arguments = arguments_text ? json::parse(*arguments_text, nullptr, false) : json();
  if (arguments.is_discarded() || !arguments.is_array()) {
    out.error = "The Invocation's arguments are not an array.";
    return out;
  }
  out.arguments = std::move(arguments);
  return out;
}

std::optional<std::string> disconnect_error(std::string_view body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  const json* error = util::find_present_member(parsed, "error");
  if (error == nullptr || !error->is_string() || error->get<std::string>().empty())
    return std::nullopt;
  return error->get<std::string>();
}

std::string completion_with_result(BodyProtocol protocol, std::string_view invocation_id,
                                   const json& result) {
  std::string result_json = result.dump(-1, ' ', false, json::error_handler_t::replace);
  if (protocol == BodyProtocol::Json)
    return protocol::encode_completion_result(invocation_id, result_json);
  auto packed = protocol::json_to_messagepack(result_json);
  return protocol::encode_messagepack_completion_result(invocation_id, packed.value_or("\xc0"));
}

std::string completion_with_error(BodyProtocol protocol, std::string_view invocation_id,
                                  std::string_view error) {
  if (protocol == BodyProtocol::Json)
    return protocol::encode_completion_error(invocation_id, error);
  return protocol::encode_messagepack_completion_error(invocation_id, error);
}

}  // namespace switchboard::functions::trigger
