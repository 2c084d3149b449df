// The JSON hub protocol: record splitting on 0x1E, message parsing and encoding, the handshake.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/hub_message.hpp"

namespace switchboard::protocol {

inline constexpr char kRecordSeparator = '\x1e';

// Accumulates bytes from a transport (frames may split or join records) and yields whole
// records without the separator. A record longer than `max_record_size` is an error.
class JsonRecordReader {
 public:
  explicit JsonRecordReader(std::size_t max_record_size = 32 * 1024) : max_(max_record_size) {}
  // Appends bytes. Returns false when the pending (unterminated) data exceeds the limit or a
  // complete record is longer than the limit; the reader is then failed for good (the buffer is
  // dropped, next() yields nothing and append() keeps returning false): close the connection.
  bool append(std::string_view bytes);
  // Next complete record, or nullopt when none is complete yet. The view stays valid until the
  // next call to append() or next().
  std::optional<std::string_view> next();
  std::size_t pending_bytes() const { return buffer_.size() - consumed_; }
  bool failed() const { return failed_; }

 private:
  std::size_t max_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t tail_start_ = 0;  // start of the unterminated record in buffer_
  bool failed_ = false;
};

struct ParsedMessage {
  std::optional<HubMessage> message;  // nullopt with empty error: an unknown type (ignore it)
  std::string error;                  // non-empty: malformed, with the reason
};

// Parses one record (without the separator).
ParsedMessage parse_json_message(std::string_view record);

struct HandshakeRequest {
  std::string protocol;  // as sent (compare case-insensitively)
  int version = 0;
};
struct ParsedHandshake {
  std::optional<HandshakeRequest> request;
  std::string error;
};
ParsedHandshake parse_handshake_request(std::string_view record);
// `{}\x1e` when `error` is empty, else `{"error":"..."}\x1e`.
std::string handshake_response(std::string_view error = {});

// Encoders. Every returned frame ends with the record separator.
std::string encode_invocation(std::string_view target, std::string_view arguments_json,
                              std::string_view invocation_id = {});
// The same record appended to `out` (e.g. behind room kept for a frame header).
void append_invocation(std::string& out, std::string_view target, std::string_view arguments_json,
                       std::string_view invocation_id = {});
std::string encode_completion_error(std::string_view invocation_id, std::string_view error);
std::string encode_completion_result(std::string_view invocation_id, std::string_view result_json);
std::string encode_completion_void(std::string_view invocation_id);
std::string encode_close(std::string_view error = {}, bool allow_reconnect = false);
std::string encode_ack(std::int64_t sequence_id);
std::string encode_sequence(std::int64_t sequence_id);
std::string_view ping_frame();  // {"type":6}\x1e
std::string encode_message(const HubMessage& message);

// Appends `text` as a JSON string literal (quoted, escaped) to `out`; bytes that are not valid
// UTF-8 are written as U+FFFD.
void append_json_string(std::string& out, std::string_view text);

}  // namespace switchboard::protocol
