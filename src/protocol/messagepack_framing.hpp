// Hub-message framing of the MessagePack protocol (wire reference §3): every record is preceded by
// its length as a VarInt (1..5 bytes, 7 bits a byte, low first, at most 0x7FFFFFFF). Splits a
// byte stream into records without pre-allocating claimed lengths, and frames encoded bodies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::protocol {

// Appends the VarInt length prefix of the protocol (1..5 bytes, 7 bits a byte, low first).
void append_varint(std::string& out, std::size_t length);

// Accumulates transport bytes and yields whole MessagePack records (without their prefix).
// A prefix announcing more than `max_record_size`, or a malformed prefix (more than 5 bytes, or
// above 0x7FFFFFFF), is an error; the claimed length is never pre-allocated.
class MessagePackRecordReader {
 public:
  explicit MessagePackRecordReader(std::size_t max_record_size = 32 * 1024)
      : max_(max_record_size) {}
  // Appends bytes; false when the stream is invalid or a record is over the limit (then stays
  // failed; the connection must be closed).
  bool append(std::string_view bytes);
  // The next complete record, valid until the next append() or next().
  std::optional<std::string_view> next();
  bool failed() const { return failed_; }
  std::size_t pending_bytes() const { return buffer_.size() - consumed_; }

 private:
  std::size_t max_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t complete_end_ = 0;  // end of the last complete record in buffer_
  bool failed_ = false;
};

// `body` preceded by its VarInt length: one complete record.
std::string frame_messagepack_record(std::string_view body);
// The same record appended to `out`.
void append_messagepack_record(std::string& out, std::string_view body);

}  // namespace switchboard::protocol
