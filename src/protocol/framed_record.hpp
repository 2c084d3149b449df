// A hub-protocol record kept so that it can also go out as one whole WebSocket frame: one buffer
// holding [unused room][frame header][record]. A write that carries this record alone can then
// hand the kernel a single contiguous buffer (send(), IORING_OP_SEND) instead of a header and the
// record as two pieces (sendmsg()). Records made without the room (handed in whole, or raw frames
// for one connection) have no whole frame, and writers use header + record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::protocol {

enum class WebSocketOpcode : std::uint8_t;  // protocol/websocket_frame.hpp

class FramedRecord {
 public:
  // The room a buffer must leave in front of the record: the longest WebSocket frame header.
  static constexpr std::size_t kRoom = 10;

  FramedRecord() = default;
  // A record without room: no whole frame.
  explicit FramedRecord(std::string record) : bytes_(std::move(record)) {}
  // `buffer` is kRoom bytes of room followed by the record (so at least kRoom bytes); the header of
  // a final, unmasked `opcode` frame carrying the record is written into the end of the room.
  static FramedRecord with_header(std::string buffer, WebSocketOpcode opcode);

  std::string_view record() const { return std::string_view(bytes_).substr(record_at_); }
  // The record as one whole WebSocket frame, or empty when it was made without room.
  std::string_view websocket_frame() const {
    return frame_at_ == record_at_ ? std::string_view{}
                                   : std::string_view(bytes_).substr(frame_at_);
  }

 private:
  std::string bytes_;
  std::uint8_t record_at_ = 0;  // where the record starts in bytes_
  std::uint8_t frame_at_ = 0;   // where its whole frame starts (== record_at_: none)
};

}  // namespace switchboard::protocol
