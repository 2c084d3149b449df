// A record with its one-message WebSocket frame in the same buffer: see framed_record.hpp.
#include "protocol/framed_record.hpp"

#include "protocol/websocket_frame.hpp"

#include <cassert>
#include <cstring>

namespace switchboard::protocol {

FramedRecord FramedRecord::with_header(std::string buffer, WebSocketOpcode opcode) {
  assert(buffer.size() >= kRoom);
  FramedRecord framed;
  unsigned char header[10];
  const std::size_t header_size = encode_websocket_header(opcode, buffer.size() - kRoom, header);
  std::memcpy(buffer.data() + kRoom - header_size, header, header_size);
  framed.bytes_ = std::move(buffer);
  framed.record_at_ = static_cast<std::uint8_t>(kRoom);
  framed.frame_at_ = static_cast<std::uint8_t>(kRoom - header_size);
  return framed;
}

}  // namespace switchboard::protocol
