// A message encoded once per hub protocol and shared, immutable, by every recipient's outbound
// queue: the JSON record is made when the message is created, the MessagePack record on first
// use by a MessagePack client (once, whichever shard asks first). An invocation's records are
// kept with their one-message WebSocket frame in the same buffer (protocol/framed_record.hpp),
// so that a write of that message alone is one contiguous buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "protocol/framed_record.hpp"

namespace switchboard::hubs {

enum class HubProtocol : std::uint8_t { Json, MessagePack };

class OutboundMessage {
 public:
  // An invocation of `target` with JSON `arguments_json`: both encodings available.
  static std::shared_ptr<const OutboundMessage> invocation(std::string target,
                                                           std::string arguments_json);
  // Both encodings given (the binary REST body form); an empty one is derived from the other
  // only for JSON -> MessagePack.
  static std::shared_ptr<const OutboundMessage> encoded(std::string json_frame,
                                                        std::string messagepack_frame);
  // Bytes for one connection in one protocol (handshake answers, completions, pings, closes).
  // `counted`: whether the message takes a sequence id under stateful reconnect (invocations,
  // stream items, completions do; pings, closes, acks, sequences and the handshake do not).
  static std::shared_ptr<const OutboundMessage> raw(std::string frame, bool counted = false);

  // The record in `protocol` (empty when it cannot be produced).
  std::string_view frame(HubProtocol protocol) const { return framed(protocol).record(); }
  std::size_t size(HubProtocol protocol) const { return frame(protocol).size(); }
  // The record as one whole WebSocket frame (Text for JSON, Binary for MessagePack: the frame a
  // WebSocket connection writes when this message goes out alone), or empty when the message
  // does not keep one (raw frames, records handed in whole).
  std::string_view websocket_frame(HubProtocol protocol) const {
    return framed(protocol).websocket_frame();
  }
  bool counted() const { return counted_; }

 private:
  const protocol::FramedRecord& framed(HubProtocol protocol) const;

  protocol::FramedRecord json_;
  std::string target_;          // for the lazy MessagePack encoding
  std::string arguments_json_;  // idem
  bool raw_ = false;
  bool counted_ = true;
  mutable std::once_flag messagepack_once_;
  mutable protocol::FramedRecord messagepack_;
};

using MessagePtr = std::shared_ptr<const OutboundMessage>;

// The WebSocket frames a hub protocol's records travel in: Text for JSON, Binary for MessagePack
// (the whole frames kept with messages, and every write of a batch).
protocol::WebSocketOpcode websocket_opcode(HubProtocol protocol);

}  // namespace switchboard::hubs
