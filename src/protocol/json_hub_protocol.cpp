// The JSON hub protocol (wire reference §3): 0x1E record splitting, message parsing with the
// simdjson DOM (payloads kept as minified raw JSON), message encoding and the handshake.
#include "protocol/json_hub_protocol.hpp"

#include <climits>
#include <string>

#include <simdjson.h>

#include "util/utf8.hpp"

namespace switchboard::protocol {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Parses `text` into `doc`; on failure returns the "Malformed JSON: ..." message.
std::string parse_document(std::string_view text, element& doc) {
  if (text.empty()) return "Malformed JSON: empty record";
  const auto error = thread_parser().parse(text.data(), text.size()).get(doc);
  if (error) return std::string("Malformed JSON: ") + simdjson::error_message(error);
  return {};
}

std::optional<element> field(const object& obj, std::string_view key) {
  element value;
  if (obj.at_key(key).get(value)) return std::nullopt;
  return value;
}

bool is_null(const element& value) {
  return value.type() == simdjson::dom::element_type::NULL_VALUE;
}

// The invocation id of a message that requires one.
bool read_required_id(const object& obj, HubMessage& message) {
  const auto value = field(obj, "invocationId");
  std::string_view id;
  if (!value || value->get_string().get(id)) return false;
  message.has_invocation_id = true;
  message.invocation_id = std::string(id);
  return true;
}

// An optional invocation id (absent or null: none).
bool read_optional_id(const object& obj, HubMessage& message) {
  const auto value = field(obj, "invocationId");
  if (!value || is_null(*value)) return true;
  std::string_view id;
  if (value->get_string().get(id)) return false;
  message.has_invocation_id = true;
  message.invocation_id = std::string(id);
  return true;
}

bool read_headers(const object& obj, HubMessage& message) {
  const auto value = field(obj, "headers");
  if (!value || is_null(*value)) return true;
  object headers;
  if (value->get_object().get(headers)) return false;
  for (const auto [key, header] : headers) {
    std::string_view text;
    if (header.get_string().get(text)) return false;
    message.headers.insert_or_assign(std::string(key), std::string(text));
  }
  return true;
}

bool read_stream_ids(const object& obj, HubMessage& message) {
  const auto value = field(obj, "streamIds");
  if (!value || is_null(*value)) return true;
  array ids;
  if (value->get_array().get(ids)) return false;
  for (const auto id : ids) {
    std::string_view text;
    if (id.get_string().get(text)) return false;
    message.stream_ids.emplace_back(text);
  }
  return true;
}

// Target, arguments, stream ids: shared by Invocation and StreamInvocation.
std::string read_invocation_body(const object& obj, HubMessage& message) {
  const auto target = field(obj, "target");
  std::string_view target_text;
  if (!target || target->get_string().get(target_text)) return "Missing or invalid 'target'";
  message.target = std::string(target_text);
  const auto arguments = field(obj, "arguments");
  if (!arguments || !arguments->is_array()) return "Missing or invalid 'arguments'";
  message.arguments_json = simdjson::minify(*arguments);
  if (!read_stream_ids(obj, message)) return "Invalid 'streamIds'";
  return {};
}

std::string read_sequence_id(const object& obj, HubMessage& message) {
  const auto value = field(obj, "sequenceId");
  std::int64_t id = 0;
  if (!value || value->get_int64().get(id)) return "Missing or invalid 'sequenceId'";
  message.sequence_id = id;
  return {};
}

// Validates the fields of `message.type` from `obj`; returns the problem or an empty string.
std::string read_fields(const object& obj, HubMessage& message) {
  if (message.type != MessageType::Ping && !read_headers(obj, message)) return "Invalid 'headers'";
  switch (message.type) {
    case MessageType::Invocation:
      if (!read_optional_id(obj, message)) return "Invalid 'invocationId'";
      return read_invocation_body(obj, message);
    case MessageType::StreamInvocation:
      if (!read_required_id(obj, message)) return "Missing or invalid 'invocationId'";
      return read_invocation_body(obj, message);
    case MessageType::StreamItem: {
      if (!read_required_id(obj, message)) return "Missing or invalid 'invocationId'";
      const auto item = field(obj, "item");
      if (!item) return "Missing 'item'";
      message.item_json = simdjson::minify(*item);
      return {};
    }
    case MessageType::Completion: {
      if (!read_required_id(obj, message)) return "Missing or invalid 'invocationId'";
      const auto error = field(obj, "error");
      if (error && !is_null(*error)) {
        std::string_view text;
        if (error->get_string().get(text)) return "Invalid 'error'";
        message.has_error = true;
        message.error = std::string(text);
      }
      if (const auto result = field(obj, "result")) {
        if (message.has_error) return "Completion has both 'result' and 'error'";
        message.has_result = true;
        message.result_json = simdjson::minify(*result);
      }
      return {};
    }
    case MessageType::CancelInvocation:
      if (!read_required_id(obj, message)) return "Missing or invalid 'invocationId'";
      return {};
    case MessageType::Ping:
      return {};
    case MessageType::Close: {
      const auto error = field(obj, "error");
      if (error && !is_null(*error)) {
        std::string_view text;
        if (error->get_string().get(text)) return "Invalid 'error'";
        message.has_error = true;
        message.error = std::string(text);
      }
      const auto allow = field(obj, "allowReconnect");
      if (allow && !is_null(*allow)) {
        bool value = false;
        if (allow->get_bool().get(value)) return "Invalid 'allowReconnect'";
        message.allow_reconnect = value;
      }
      return {};
    }
    case MessageType::Ack:
    case MessageType::Sequence:
      return read_sequence_id(obj, message);
  }
  return {};
}

void open_message(std::string& out, MessageType type) {
  out += "{\"type\":";
  out += std::to_string(static_cast<int>(type));
}

void append_field_name(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void append_string_field(std::string& out, std::string_view name, std::string_view value) {
  append_field_name(out, name);
  append_json_string(out, value);
}

void append_raw_field(std::string& out, std::string_view name, std::string_view json,
                      std::string_view fallback) {
  append_field_name(out, name);
  out += json.empty() ? fallback : json;
}

void close_message(std::string& out) {
  out += '}';
  out += kRecordSeparator;
}

}  // namespace

bool JsonRecordReader::append(std::string_view bytes) {
  if (failed_) return false;
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    tail_start_ -= consumed_;
    consumed_ = 0;
  }
  if (buffer_.empty() && buffer_.capacity() > 4 * max_ + 4096) {
    std::string().swap(buffer_);
  }
  const std::size_t scan_from = buffer_.size();
  buffer_.append(bytes);
  for (std::size_t pos = buffer_.find(kRecordSeparator, scan_from); pos != std::string::npos;
       pos = buffer_.find(kRecordSeparator, pos + 1)) {
    if (pos - tail_start_ > max_) break;
    tail_start_ = pos + 1;
  }
  // Either a complete record over the limit stopped the scan, or the unterminated tail is too big.
  if (buffer_.size() - tail_start_ > max_) {
    failed_ = true;
    std::string().swap(buffer_);
    consumed_ = 0;
    tail_start_ = 0;
    return false;
  }
  return true;
}

std::optional<std::string_view> JsonRecordReader::next() {
  if (failed_ || consumed_ >= tail_start_) return std::nullopt;
  const std::size_t end = buffer_.find(kRecordSeparator, consumed_);
  const std::string_view record(buffer_.data() + consumed_, end - consumed_);
  consumed_ = end + 1;
  return record;
}

ParsedMessage parse_json_message(std::string_view record) {
  ParsedMessage parsed;
  element doc;
  if (auto error = parse_document(record, doc); !error.empty()) {
    parsed.error = std::move(error);
    return parsed;
  }
  object obj;
  std::int64_t type = 0;
  if (doc.get_object().get(obj)) {
    parsed.error = "Missing or invalid 'type'";
    return parsed;
  }
  const auto type_value = field(obj, "type");
  if (!type_value || type_value->get_int64().get(type)) {
    parsed.error = "Missing or invalid 'type'";
    return parsed;
  }
  if (type < static_cast<int>(MessageType::Invocation) ||
      type > static_cast<int>(MessageType::Sequence)) {
    return parsed;  // unknown type: ignored
  }
  HubMessage message;
  message.type = static_cast<MessageType>(type);
  if (auto error = read_fields(obj, message); !error.empty()) {
    parsed.error = std::move(error);
    return parsed;
  }
  parsed.message = std::move(message);
  return parsed;
}

ParsedHandshake parse_handshake_request(std::string_view record) {
  ParsedHandshake parsed;
  element doc;
  if (auto error = parse_document(record, doc); !error.empty()) {
    parsed.error = std::move(error);
    return parsed;
  }
  object obj;
  if (doc.get_object().get(obj)) {
    parsed.error = "Handshake request must be a JSON object";
    return parsed;
  }
  HandshakeRequest request;
  const auto protocol = field(obj, "protocol");
  std::string_view protocol_text;
  if (!protocol || protocol->get_string().get(protocol_text)) {
    parsed.error = "Missing or invalid 'protocol'";
    return parsed;
  }
  request.protocol = std::string(protocol_text);
  const auto version = field(obj, "version");
  std::int64_t version_value = 0;
  if (!version || version->get_int64().get(version_value) || version_value < INT_MIN ||
      version_value > INT_MAX) {
    parsed.error = "Missing or invalid 'version'";
    return parsed;
  }
  request.version = static_cast<int>(version_value);
  parsed.request = std::move(request);
  return parsed;
}

std::string handshake_response(std::string_view error) {
  if (error.empty()) return std::string("{}") + kRecordSeparator;
  std::string out = "{\"error\":";
  append_json_string(out, error);
  close_message(out);
  return out;
}

std::string encode_invocation(std::string_view target, std::string_view arguments_json,
                              std::string_view invocation_id) {
  std::string out;
  append_invocation(out, target, arguments_json, invocation_id);
  return out;
}

void append_invocation(std::string& out, std::string_view target, std::string_view arguments_json,
                       std::string_view invocation_id) {
  out.reserve(out.size() + 48 + target.size() + arguments_json.size() + invocation_id.size());
  open_message(out, MessageType::Invocation);
  if (!invocation_id.empty()) append_string_field(out, "invocationId", invocation_id);
  append_string_field(out, "target", target);
  append_raw_field(out, "arguments", arguments_json, "[]");
  close_message(out);
}

std::string encode_completion_error(std::string_view invocation_id, std::string_view error) {
  std::string out;
  open_message(out, MessageType::Completion);
  append_string_field(out, "invocationId", invocation_id);
  append_string_field(out, "error", error);
  close_message(out);
  return out;
}

std::string encode_completion_result(std::string_view invocation_id, std::string_view result_json) {
  std::string out;
  out.reserve(40 + invocation_id.size() + result_json.size());
  open_message(out, MessageType::Completion);
  append_string_field(out, "invocationId", invocation_id);
  append_raw_field(out, "result", result_json, "null");
  close_message(out);
  return out;
}

std::string encode_completion_void(std::string_view invocation_id) {
  std::string out;
  open_message(out, MessageType::Completion);
  append_string_field(out, "invocationId", invocation_id);
  close_message(out);
  return out;
}

std::string encode_close(std::string_view error, bool allow_reconnect) {
  std::string out;
  open_message(out, MessageType::Close);
  if (!error.empty()) append_string_field(out, "error", error);
  if (allow_reconnect) out += ",\"allowReconnect\":true";
  close_message(out);
  return out;
}

std::string encode_ack(std::int64_t sequence_id) {
  std::string out;
  open_message(out, MessageType::Ack);
  append_field_name(out, "sequenceId");
  out += std::to_string(sequence_id);
  close_message(out);
  return out;
}

std::string encode_sequence(std::int64_t sequence_id) {
  std::string out;
  open_message(out, MessageType::Sequence);
  append_field_name(out, "sequenceId");
  out += std::to_string(sequence_id);
  close_message(out);
  return out;
}

std::string_view ping_frame() {
  static constexpr std::string_view kPing = "{\"type\":6}\x1e";
  return kPing;
}

std::string encode_message(const HubMessage& message) {
  std::string out;
  open_message(out, message.type);
  if (message.type != MessageType::Ping && message.type != MessageType::Close &&
      message.type != MessageType::Ack && message.type != MessageType::Sequence &&
      !message.headers.empty()) {
    append_field_name(out, "headers");
    out += '{';
    bool first = true;
    for (const auto& [name, value] : message.headers) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, name);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  }
  switch (message.type) {
    case MessageType::Invocation:
    case MessageType::StreamInvocation:
      if (message.type == MessageType::StreamInvocation || message.has_invocation_id ||
          !message.invocation_id.empty()) {
        append_string_field(out, "invocationId", message.invocation_id);
      }
      append_string_field(out, "target", message.target);
      append_raw_field(out, "arguments", message.arguments_json, "[]");
      if (!message.stream_ids.empty()) {
        append_field_name(out, "streamIds");
        out += '[';
        for (std::size_t i = 0; i < message.stream_ids.size(); ++i) {
          if (i > 0) out += ',';
          append_json_string(out, message.stream_ids[i]);
        }
        out += ']';
      }
      break;
    case MessageType::StreamItem:
      append_string_field(out, "invocationId", message.invocation_id);
      append_raw_field(out, "item", message.item_json, "null");
      break;
    case MessageType::Completion:
      append_string_field(out, "invocationId", message.invocation_id);
      if (message.has_error) {
        append_string_field(out, "error", message.error);
      } else if (message.has_result) {
        append_raw_field(out, "result", message.result_json, "null");
      }
      break;
    case MessageType::CancelInvocation:
      append_string_field(out, "invocationId", message.invocation_id);
      break;
    case MessageType::Ping:
      break;
    case MessageType::Close:
      if (message.has_error || !message.error.empty()) {
        append_string_field(out, "error", message.error);
      }
      if (message.allow_reconnect) out += ",\"allowReconnect\":true";
      break;
    case MessageType::Ack:
    case MessageType::Sequence:
      append_field_name(out, "sequenceId");
      out += std::to_string(message.sequence_id);
      break;
  }
  close_message(out);
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  // JSON text is UTF-8 (RFC 8259 8.1): text that is not (a percent-decoded query value quoted in
  // an error, say) is written with U+FFFD for each invalid byte, so the JSON stays valid.
  if (!util::is_valid_utf8(text)) {
    append_json_string(out, util::replace_invalid_utf8(text));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
          out += kHex[static_cast<unsigned char>(c) & 0xF];
        } else {
          out += c;  // UTF-8 passes through
        }
    }
  }
  out += '"';
}

}  // namespace switchboard::protocol
