// The MessagePack hub protocol: varint length-prefixed records, message parsing and encoding, and
// the conversion of JSON payloads (REST arguments) to MessagePack. Pure and bounded: a hostile
// record never makes it allocate more than the record's own size or crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/hub_message.hpp"
#include "protocol/json_hub_protocol.hpp"  // ParsedMessage

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

// Parses one record (the MessagePack array, without the prefix). Errors are precise strings:
// "Invalid MessagePack: truncated" (also for a length or count above the remaining bytes),
// "Invalid MessagePack: nested deeper than 64 levels", "Message is not an array",
// "Message type must be an integer", "Invocation: 'target' must be a string",
// "Completion: invalid result kind 7", "Close: expected at least 2 elements, got 1", ... Elements
// past the known ones are ignored (as .NET does). Strings of the protocol (headers, ids, target,
// stream ids, errors) must be valid UTF-8; payloads are not inspected beyond their structure.
// Ids required by StreamInvocation, StreamItem, Completion and CancelInvocation must be non-empty
// strings. For every parsed message arguments_json is MessagePack (0x90 when not an invocation).
// Fills HubMessage like the JSON parser does, except that payloads stay MessagePack:
// arguments_json, item_json and result_json hold the raw MessagePack bytes of the arguments array /
// item / result (the caller knows the protocol). Unknown message types give no message and no
// error. Accepts Invocation and StreamInvocation of 5 or 6 elements, Close of 2 or 3, any integer
// width for type/kind/ids, nil or "" invocation ids as absent.
ParsedMessage parse_messagepack_message(std::string_view record);

// Encoders: every result is a complete record WITH its VarInt prefix.
// `arguments_msgpack` is a MessagePack array (e.g. from json_to_messagepack("[...]")).
std::string encode_messagepack_invocation(std::string_view target,
                                          std::string_view arguments_msgpack,
                                          std::string_view invocation_id = {});
std::string encode_messagepack_completion_error(std::string_view invocation_id,
                                                std::string_view error);
std::string encode_messagepack_completion_void(std::string_view invocation_id);
// `result_msgpack`: one MessagePack value.
std::string encode_messagepack_completion_result(std::string_view invocation_id,
                                                 std::string_view result_msgpack);
std::string encode_messagepack_close(std::string_view error = {}, bool allow_reconnect = false);
std::string encode_messagepack_ack(std::int64_t sequence_id);
std::string encode_messagepack_sequence(std::int64_t sequence_id);
std::string_view messagepack_ping_frame();  // 02 91 06
// Any message, payload fields holding MessagePack (empty, or the struct's JSON default "[]" for
// arguments_json, give an empty array / nil). Invocations are written with 6 elements.
std::string encode_messagepack_message(const HubMessage& message);

// Converts one JSON value (text) to MessagePack bytes: integers in their smallest form, other
// numbers as float64, strings as str, arrays and objects (map, string keys) recursively. Returns
// nullopt for invalid JSON (parsed with simdjson, like the JSON protocol and the REST bodies).
std::optional<std::string> json_to_messagepack(std::string_view json);

// Converts one MessagePack value to JSON text (bin as base64 strings, timestamps as ISO-8601
// strings, other extensions as null). nullopt for malformed input.
// Details: timestamps print as UTC "1970-01-01T00:00:00Z", with .fff/.ffffff/.fffffffff when
// the nanoseconds are non-zero (years outside 0..9999 as +/-YYYYYY); a type -1 extension that is
// not 4, 8 or 12 bytes, or has nanoseconds above 999999999, is malformed. Floats print in their
// shortest round-trip form with a '.' or exponent ("1.0"); NaN/Infinity become null. Map keys
// must be strings. Invalid UTF-8 in strings becomes U+FFFD. Nesting is limited to 64 levels;
// trailing bytes after the value are malformed.
std::optional<std::string> messagepack_to_json(std::string_view msgpack);

}  // namespace switchboard::protocol
