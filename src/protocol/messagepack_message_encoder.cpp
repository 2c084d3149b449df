// MessagePack hub message encoding (see messagepack_message_encoder.hpp): a body written with the
// MessagePack writer, then framed. Payload fields are copied as the MessagePack bytes they hold.
#include "protocol/messagepack_message_encoder.hpp"

#include "protocol/messagepack_framing.hpp"
#include "protocol/messagepack_writer.hpp"

namespace switchboard::protocol {
namespace {

using namespace msgpack;

// `raw` (one encoded value), or `fallback` when it is empty.
void write_raw_or(std::string& out, std::string_view raw, std::string_view fallback) {
  out += raw.empty() ? fallback : raw;
}

}  // namespace

std::string encode_messagepack_invocation(std::string_view target,
                                          std::string_view arguments_msgpack,
                                          std::string_view invocation_id) {
  std::string out;
  append_messagepack_invocation(out, target, arguments_msgpack, invocation_id);
  return out;
}

void append_messagepack_invocation(std::string& out, std::string_view target,
                                   std::string_view arguments_msgpack,
                                   std::string_view invocation_id) {
  std::string body;
  body.reserve(16 + target.size() + arguments_msgpack.size() + invocation_id.size());
  write_array_header(body, 6);
  write_uint(body, static_cast<int>(MessageType::Invocation));
  write_map_header(body, 0);
  write_str_or_nil(body, invocation_id);
  write_str(body, target);
  write_raw_or(body, arguments_msgpack, "\x90");
  write_array_header(body, 0);
  append_messagepack_record(out, body);
}

std::string encode_messagepack_completion_error(std::string_view invocation_id,
                                                std::string_view error) {
  std::string body;
  write_array_header(body, 5);
  write_uint(body, static_cast<int>(MessageType::Completion));
  write_map_header(body, 0);
  write_str(body, invocation_id);
  write_uint(body, 1);
  write_str(body, error);
  return frame_messagepack_record(body);
}

std::string encode_messagepack_completion_void(std::string_view invocation_id) {
  std::string body;
  write_array_header(body, 4);
  write_uint(body, static_cast<int>(MessageType::Completion));
  write_map_header(body, 0);
  write_str(body, invocation_id);
  write_uint(body, 2);
  return frame_messagepack_record(body);
}

std::string encode_messagepack_completion_result(std::string_view invocation_id,
                                                 std::string_view result_msgpack) {
  std::string body;
  body.reserve(16 + invocation_id.size() + result_msgpack.size());
  write_array_header(body, 5);
  write_uint(body, static_cast<int>(MessageType::Completion));
  write_map_header(body, 0);
  write_str(body, invocation_id);
  write_uint(body, 3);
  write_raw_or(body, result_msgpack, "\xC0");
  return frame_messagepack_record(body);
}

std::string encode_messagepack_close(std::string_view error, bool allow_reconnect) {
  std::string body;
  write_array_header(body, 3);
  write_uint(body, static_cast<int>(MessageType::Close));
  write_str_or_nil(body, error);
  write_bool(body, allow_reconnect);
  return frame_messagepack_record(body);
}

std::string encode_messagepack_ack(std::int64_t sequence_id) {
  std::string body;
  write_array_header(body, 2);
  write_uint(body, static_cast<int>(MessageType::Ack));
  write_int(body, sequence_id);
  return frame_messagepack_record(body);
}

std::string encode_messagepack_sequence(std::int64_t sequence_id) {
  std::string body;
  write_array_header(body, 2);
  write_uint(body, static_cast<int>(MessageType::Sequence));
  write_int(body, sequence_id);
  return frame_messagepack_record(body);
}

std::string_view messagepack_ping_frame() {
  static constexpr std::string_view kPing("\x02\x91\x06", 3);
  return kPing;
}

std::string encode_messagepack_message(const HubMessage& message) {
  const auto payload = [](std::string_view raw, std::string_view fallback) {
    return raw.empty() || raw == "[]" ? fallback : raw;  // "[]": HubMessage's JSON default
  };
  std::string body;
  const auto write_headers = [&] {
    write_map_header(body, message.headers.size());
    for (const auto& [name, value] : message.headers) {
      write_str(body, name);
      write_str(body, value);
    }
  };
  const auto type = static_cast<unsigned int>(message.type);
  switch (message.type) {
    case MessageType::Invocation:
    case MessageType::StreamInvocation:
      write_array_header(body, 6);
      write_uint(body, type);
      write_headers();
      write_str_or_nil(body, message.invocation_id);
      write_str(body, message.target);
      body += payload(message.arguments_json, "\x90");
      write_array_header(body, message.stream_ids.size());
      for (const auto& id : message.stream_ids) write_str(body, id);
      break;
    case MessageType::StreamItem:
      write_array_header(body, 4);
      write_uint(body, type);
      write_headers();
      write_str(body, message.invocation_id);
      body += payload(message.item_json, "\xC0");
      break;
    case MessageType::Completion:
      write_array_header(body, message.has_error || message.has_result ? 5 : 4);
      write_uint(body, type);
      write_headers();
      write_str(body, message.invocation_id);
      if (message.has_error) {
        write_uint(body, 1);
        write_str(body, message.error);
      } else if (message.has_result) {
        write_uint(body, 3);
        body += payload(message.result_json, "\xC0");
      } else {
        write_uint(body, 2);
      }
      break;
    case MessageType::CancelInvocation:
      write_array_header(body, 3);
      write_uint(body, type);
      write_headers();
      write_str(body, message.invocation_id);
      break;
    case MessageType::Ping:
      return std::string(messagepack_ping_frame());
    case MessageType::Close:
      return encode_messagepack_close(message.error, message.allow_reconnect);
    case MessageType::Ack:
      return encode_messagepack_ack(message.sequence_id);
    case MessageType::Sequence:
      return encode_messagepack_sequence(message.sequence_id);
  }
  return frame_messagepack_record(body);
}

}  // namespace switchboard::protocol
