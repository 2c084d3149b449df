// Shared, encode-once outbound messages: see outbound_message.hpp.
#include "hubs/outbound_message.hpp"

#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"

namespace switchboard::hubs {

std::shared_ptr<const OutboundMessage> OutboundMessage::invocation(std::string target,
                                                                   std::string arguments_json) {
  auto message = std::make_shared<OutboundMessage>();
  message->json_frame_ = protocol::encode_invocation(target, arguments_json);
  message->target_ = std::move(target);
  message->arguments_json_ = std::move(arguments_json);
  return message;
}

std::shared_ptr<const OutboundMessage> OutboundMessage::encoded(std::string json_frame,
                                                                std::string messagepack_frame) {
  auto message = std::make_shared<OutboundMessage>();
  message->json_frame_ = std::move(json_frame);
  if (!messagepack_frame.empty()) {
    std::call_once(message->messagepack_once_,
                   [&] { message->messagepack_frame_ = std::move(messagepack_frame); });
  }
  return message;
}

std::shared_ptr<const OutboundMessage> OutboundMessage::raw(std::string frame, bool counted) {
  auto message = std::make_shared<OutboundMessage>();
  message->json_frame_ = std::move(frame);
  message->raw_ = true;
  message->counted_ = counted;
  return message;
}

const std::string& OutboundMessage::frame(HubProtocol protocol) const {
  if (protocol == HubProtocol::Json || raw_) return json_frame_;
  std::call_once(messagepack_once_, [this] {
    if (target_.empty()) return;  // no JSON source to convert
    if (auto arguments = protocol::json_to_messagepack(arguments_json_))
      messagepack_frame_ = protocol::encode_messagepack_invocation(target_, *arguments);
  });
  return messagepack_frame_;
}

}  // namespace switchboard::hubs
