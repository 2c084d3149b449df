// MessagePack hub message parsing (see messagepack_message_parser.hpp). Payloads (arguments, item,
// result) are kept as their raw MessagePack bytes; only the protocol's own fields are decoded.
#include "protocol/messagepack_message_parser.hpp"

#include <limits>
#include <optional>
#include <string>

#include "protocol/messagepack_reader.hpp"
#include "util/utf8.hpp"

namespace switchboard::protocol {
namespace {

using msgpack::describe;
using msgpack::Kind;
using msgpack::Reader;
using msgpack::ReadError;
using msgpack::Value;

const char* type_name(MessageType type) {
  switch (type) {
    case MessageType::Invocation:
      return "Invocation";
    case MessageType::StreamItem:
      return "StreamItem";
    case MessageType::Completion:
      return "Completion";
    case MessageType::StreamInvocation:
      return "StreamInvocation";
    case MessageType::CancelInvocation:
      return "CancelInvocation";
    case MessageType::Ping:
      return "Ping";
    case MessageType::Close:
      return "Close";
    case MessageType::Ack:
      return "Ack";
    case MessageType::Sequence:
      return "Sequence";
  }
  return "Message";
}

std::uint32_t min_elements(MessageType type) {
  switch (type) {
    case MessageType::Invocation:
    case MessageType::StreamInvocation:
      return 5;
    case MessageType::StreamItem:
    case MessageType::Completion:
      return 4;
    case MessageType::CancelInvocation:
      return 3;
    case MessageType::Ping:
      return 1;
    case MessageType::Close:
    case MessageType::Ack:
    case MessageType::Sequence:
      return 2;
  }
  return 1;
}

// Reads the fields of one message from a record already validated structurally (so reads do not
// fail for want of bytes; only the element types are checked).
class MessageReader {
 public:
  MessageReader(Reader& reader, HubMessage& message, std::uint32_t count)
      : reader_(reader), message_(message), count_(count) {}

  // Returns the problem, or an empty string.
  std::string read_fields() {
    const MessageType type = message_.type;
    if (type == MessageType::Ping) return {};
    if (type == MessageType::Close) return read_close();
    if (type == MessageType::Ack || type == MessageType::Sequence) return read_sequence_id();
    if (!read_headers()) return error_;
    if (!read_id(type != MessageType::Invocation)) return error_;
    switch (type) {
      case MessageType::Invocation:
      case MessageType::StreamInvocation:
        return read_invocation_body();
      case MessageType::StreamItem:
        message_.item_json = std::string(raw_element());
        return {};
      case MessageType::Completion:
        return read_completion();
      default:  // CancelInvocation
        return {};
    }
  }

 private:
  std::string fail(std::string_view what) {
    error_ = std::string(type_name(message_.type)) + ": " + std::string(what);
    return error_;
  }

  // The header of the next value (the record was validated: this cannot fail).
  Value read_value() {
    Value value;
    reader_.read(value);
    return value;
  }

  // The next element of the message array.
  Value element() {
    ++index_;
    return read_value();
  }

  // The raw bytes of the next element, whole.
  std::string_view raw_element() {
    ++index_;
    const std::size_t start = reader_.position();
    reader_.skip(1);
    return reader_.slice(start);
  }

  bool has_more() const { return index_ < count_; }

  // A string that must be valid UTF-8 (nil gives "" when allowed); nullopt, with the error set,
  // otherwise.
  std::optional<std::string_view> string_value(const Value& value, std::string_view field,
                                               bool allow_nil) {
    if (value.kind == Kind::Nil && allow_nil) return std::string_view{};
    if (value.kind != Kind::Str) {
      fail("'" + std::string(field) + "' must be a string");
      return std::nullopt;
    }
    if (!util::is_valid_utf8(value.bytes)) {
      fail("'" + std::string(field) + "' is not valid UTF-8");
      return std::nullopt;
    }
    return value.bytes;
  }

  bool read_headers() {
    const Value map = element();
    if (map.kind == Kind::Nil) return true;
    if (map.kind != Kind::Map) {
      fail("'headers' must be a map");
      return false;
    }
    for (std::uint32_t i = 0; i < map.count; ++i) {
      const Value key = read_value();
      const Value value = read_value();
      if (key.kind != Kind::Str || value.kind != Kind::Str) {
        fail("'headers' must map strings to strings");
        return false;
      }
      if (!util::is_valid_utf8(key.bytes) || !util::is_valid_utf8(value.bytes)) {
        fail("'headers' is not valid UTF-8");
        return false;
      }
      message_.headers.insert_or_assign(std::string(key.bytes), std::string(value.bytes));
    }
    return true;
  }

  // nil or "" is no id; `required` makes that an error.
  bool read_id(bool required) {
    const auto id = string_value(element(), "invocationId", !required);
    if (!id) return false;
    if (id->empty()) {
      if (required) {
        fail("'invocationId' must be a non-empty string");
        return false;
      }
      return true;
    }
    message_.has_invocation_id = true;
    message_.invocation_id = std::string(*id);
    return true;
  }

  std::string read_invocation_body() {
    const auto target = string_value(element(), "target", false);
    if (!target) return error_;
    message_.target = std::string(*target);
    const std::size_t start = reader_.position();
    const Value arguments = element();
    if (arguments.kind != Kind::Array) return fail("'arguments' must be an array");
    reader_.skip_elements(arguments, 1);
    message_.arguments_json = std::string(reader_.slice(start));
    if (!has_more()) return {};
    const Value ids = element();
    if (ids.kind == Kind::Nil) return {};
    if (ids.kind != Kind::Array) return fail("'streamIds' must be an array of strings");
    for (std::uint32_t i = 0; i < ids.count; ++i) {
      const Value id = read_value();
      if (id.kind != Kind::Str) return fail("'streamIds' must be an array of strings");
      if (!util::is_valid_utf8(id.bytes)) return fail("'streamIds' is not valid UTF-8");
      message_.stream_ids.emplace_back(id.bytes);
    }
    return {};
  }

  std::string read_completion() {
    const Value kind = element();
    if (kind.kind != Kind::UInt && kind.kind != Kind::NegInt) {
      return fail("'resultKind' must be an integer");
    }
    if (kind.kind == Kind::NegInt || kind.uint < 1 || kind.uint > 3) {
      return fail("invalid result kind " + (kind.kind == Kind::NegInt ? std::to_string(kind.sint)
                                                                      : std::to_string(kind.uint)));
    }
    if (kind.uint == 2) return {};  // void
    if (!has_more()) return fail(kind.uint == 1 ? "missing 'error'" : "missing 'result'");
    if (kind.uint == 1) {
      const auto error = string_value(element(), "error", false);
      if (!error) return error_;
      message_.has_error = true;
      message_.error = std::string(*error);
      return {};
    }
    message_.has_result = true;
    message_.result_json = std::string(raw_element());
    return {};
  }

  std::string read_close() {
    const auto error = string_value(element(), "error", true);
    if (!error) return error_;
    if (!error->empty()) {
      message_.has_error = true;
      message_.error = std::string(*error);
    }
    if (!has_more()) return {};
    const Value allow = element();
    if (allow.kind == Kind::Nil) return {};
    if (allow.kind != Kind::Bool) return fail("'allowReconnect' must be a boolean");
    message_.allow_reconnect = allow.boolean;
    return {};
  }

  std::string read_sequence_id() {
    const Value id = element();
    if (id.kind == Kind::NegInt) {
      message_.sequence_id = id.sint;
      return {};
    }
    if (id.kind != Kind::UInt) return fail("'sequenceId' must be an integer");
    if (id.uint > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return fail("'sequenceId' is out of range");
    }
    message_.sequence_id = static_cast<std::int64_t>(id.uint);
    return {};
  }

  Reader& reader_;
  HubMessage& message_;
  std::uint32_t count_;
  std::uint32_t index_ = 1;  // the type was element 0
  std::string error_;
};

}  // namespace

ParsedMessage parse_messagepack_message(std::string_view record) {
  ParsedMessage parsed;
  if (record.empty()) {
    parsed.error = "Invalid MessagePack: empty record";
    return parsed;
  }
  Reader validator(record);
  if (const auto error = validator.skip(0); error != ReadError::None) {
    parsed.error = describe(error);
    return parsed;
  }
  if (validator.remaining() > 0) {
    parsed.error = "Invalid MessagePack: " + std::to_string(validator.remaining()) +
                   " trailing bytes after the message";
    return parsed;
  }
  Reader reader(record);
  Value array;
  reader.read(array);
  if (array.kind != Kind::Array) {
    parsed.error = "Message is not an array";
    return parsed;
  }
  if (array.count == 0) {
    parsed.error = "Message is an empty array";
    return parsed;
  }
  Value type;
  reader.read(type);
  if (type.kind != Kind::UInt && type.kind != Kind::NegInt) {
    parsed.error = "Message type must be an integer";
    return parsed;
  }
  if (type.kind == Kind::NegInt || type.uint < static_cast<int>(MessageType::Invocation) ||
      type.uint > static_cast<int>(MessageType::Sequence)) {
    return parsed;  // unknown type: ignored
  }
  HubMessage message;
  message.type = static_cast<MessageType>(type.uint);
  message.arguments_json = "\x90";  // payloads are MessagePack: an empty array
  if (array.count < min_elements(message.type)) {
    parsed.error = std::string(type_name(message.type)) + ": expected at least " +
                   std::to_string(min_elements(message.type)) + " elements, got " +
                   std::to_string(array.count);
    return parsed;
  }
  // Elements past the known ones are ignored, as the .NET server does.
  if (auto error = MessageReader(reader, message, array.count).read_fields(); !error.empty()) {
    parsed.error = std::move(error);
    return parsed;
  }
  parsed.message = std::move(message);
  return parsed;
}

}  // namespace switchboard::protocol
