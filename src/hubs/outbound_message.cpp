// Shared, encode-once outbound messages: see outbound_message.hpp.
#include "hubs/outbound_message.hpp"

#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"
#include "protocol/websocket_frame.hpp"

namespace switchboard::hubs {

namespace {

using protocol::FramedRecord;
using protocol::WebSocketOpcode;

// An empty buffer with room for a frame header in front of what will be appended.
std::string room_for_header() {
  return std::string(FramedRecord::kRoom, '\0');
}

}  // namespace

std::shared_ptr<const OutboundMessage> OutboundMessage::invocation(std::string target,
                                                                   std::string arguments_json) {
  auto message = std::make_shared<OutboundMessage>();
  std::string buffer = room_for_header();
  protocol::append_invocation(buffer, target, arguments_json);
  message->json_ =
      FramedRecord::with_header(std::move(buffer), websocket_opcode(HubProtocol::Json));
  message->target_ = std::move(target);
  message->arguments_json_ = std::move(arguments_json);
  return message;
}

std::shared_ptr<const OutboundMessage> OutboundMessage::encoded(std::string json_frame,
                                                                std::string messagepack_frame) {
  auto message = std::make_shared<OutboundMessage>();
  message->json_ = FramedRecord(std::move(json_frame));
  if (!messagepack_frame.empty()) {
    std::call_once(message->messagepack_once_,
                   [&] { message->messagepack_ = FramedRecord(std::move(messagepack_frame)); });
  }
  return message;
}

std::shared_ptr<const OutboundMessage> OutboundMessage::raw(std::string frame, bool counted) {
  auto message = std::make_shared<OutboundMessage>();
  message->json_ = FramedRecord(std::move(frame));
  message->raw_ = true;
  message->counted_ = counted;
  return message;
}

const FramedRecord& OutboundMessage::framed(HubProtocol protocol) const {
  if (protocol == HubProtocol::Json || raw_) return json_;
  std::call_once(messagepack_once_, [this] {
    if (target_.empty()) return;  // no JSON source to convert
    if (auto arguments = protocol::json_to_messagepack(arguments_json_)) {
      std::string buffer = room_for_header();
      protocol::append_messagepack_invocation(buffer, target_, *arguments);
      messagepack_ =
          FramedRecord::with_header(std::move(buffer), websocket_opcode(HubProtocol::MessagePack));
    }
  });
  return messagepack_;
}

WebSocketOpcode websocket_opcode(HubProtocol protocol) {
  return protocol == HubProtocol::MessagePack ? WebSocketOpcode::Binary : WebSocketOpcode::Text;
}

}  // namespace switchboard::hubs
