// A message encoded once and shared, immutable, by every recipient's outbound queue.
#pragma once

#include <memory>
#include <string>

namespace switchboard::service {

struct OutboundMessage {
  std::string json_frame;  // JSON hub protocol record, ending in 0x1E
};

using MessagePtr = std::shared_ptr<const OutboundMessage>;

inline MessagePtr make_json_message(std::string frame) {
  return std::make_shared<const OutboundMessage>(OutboundMessage{std::move(frame)});
}

}  // namespace switchboard::service
