// Parsing of REST message bodies with simdjson: see rest_payload.hpp.
#include "protocol/rest_payload.hpp"

#include <simdjson.h>

#include <algorithm>

#include "protocol/json_hub_protocol.hpp"
#include "protocol/json_member_text.hpp"
#include "protocol/messagepack_hub_protocol.hpp"
#include "util/url.hpp"

namespace switchboard::protocol {

// The arguments as their sender wrote them, whitespace outside strings removed (the DOM's
// minify would rebuild every value, numbers re-printed, for the same JSON).
std::string minified_arguments(std::string_view body, const simdjson::dom::element& arguments) {
  bool unsure = false;
  auto text = json_member_text(body, "arguments", unsure);
  if (unsure || !text) return simdjson::minify(arguments);
  // Most senders write compact JSON: text without a whitespace byte anywhere is minified already.
  if (std::none_of(text->begin(), text->end(),
                   [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }))
    return std::string(*text);
  std::string out(text->size() + simdjson::SIMDJSON_PADDING, '\0');
  std::size_t length = 0;
  if (simdjson::minify(text->data(), text->size(), out.data(), length))
    return simdjson::minify(arguments);
  out.resize(length);
  return out;
}

ParsedRestMessage parse_rest_message(std::string_view body) {
  ParsedRestMessage result;
  // One parser and one padded copy per thread, reused: no allocation per call once warm. A large
  // body gets its own, so that a thread does not keep its memory.
  constexpr std::size_t kReusedUpTo = 64 * 1024;
  thread_local simdjson::dom::parser thread_parser;
  thread_local std::string thread_padded;
  simdjson::dom::parser own_parser;
  std::string own_padded;
  const bool reuse = body.size() <= kReusedUpTo;
  auto& parser = reuse ? thread_parser : own_parser;
  auto& padded = reuse ? thread_padded : own_padded;
  padded.assign(body);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  if (auto error = parser.parse(padded.data(), body.size(), false).get(root)) {
    result.error =
        std::string("The request body is not valid JSON: ") + simdjson::error_message(error);
    return result;
  }
  simdjson::dom::object object;
  if (root.get(object)) {
    result.error = "The request body must be a JSON object with 'target' and 'arguments'.";
    return result;
  }
  RestMessage message;
  bool have_target = false;
  std::optional<simdjson::dom::element> arguments;
  for (auto field : object) {
    if (util::iequals(field.key, "target")) {
      std::string_view target;
      if (field.value.get(target)) {
        result.error = "The 'target' field must be a string.";
        return result;
      }
      message.target = std::string(target);
      have_target = true;
    } else if (util::iequals(field.key, "arguments")) {
      if (field.value.is_null()) continue;
      if (!field.value.is_array()) {
        result.error = "The 'arguments' field must be an array.";
        return result;
      }
      arguments = field.value;
    }
  }
  if (!have_target || message.target.empty()) {
    result.error = "The 'target' field is required and must not be empty.";
    return result;
  }
  if (arguments) message.arguments_json = minified_arguments(body, *arguments);
  result.message = std::move(message);
  return result;
}

namespace {

// A minimal reader for the payload's outer map: str keys and bin values only.
struct MapReader {
  std::string_view in;
  bool take(std::size_t n, std::string_view& out) {
    if (in.size() < n) return false;
    out = in.substr(0, n);
    in.remove_prefix(n);
    return true;
  }
  bool number(std::size_t bytes, std::size_t& out) {
    std::string_view raw;
    if (!take(bytes, raw)) return false;
    out = 0;
    for (unsigned char c : raw) out = (out << 8) | c;
    return true;
  }
  bool map_size(std::size_t& n) {
    std::string_view b;
    if (!take(1, b)) return false;
    auto c = static_cast<unsigned char>(b[0]);
    if ((c & 0xf0) == 0x80) return (n = c & 0x0f), true;
    if (c == 0xde) return number(2, n);
    if (c == 0xdf) return number(4, n);
    return false;
  }
  bool string_or_bin(std::string_view& out) {
    std::string_view b;
    if (!take(1, b)) return false;
    auto c = static_cast<unsigned char>(b[0]);
    std::size_t n = 0;
    if ((c & 0xe0) == 0xa0)
      n = c & 0x1f;
    else if (c == 0xd9 || c == 0xc4) {
      if (!number(1, n)) return false;
    } else if (c == 0xda || c == 0xc5) {
      if (!number(2, n)) return false;
    } else if (c == 0xdb || c == 0xc6) {
      if (!number(4, n)) return false;
    } else
      return false;
    return take(n, out);
  }
};

}  // namespace

ParsedBinaryRestMessage parse_binary_rest_message(std::string_view body) {
  ParsedBinaryRestMessage result;
  MapReader reader{body};
  std::size_t entries = 0;
  if (!reader.map_size(entries)) {
    result.error = "The binary request body must be a MessagePack map of protocol payloads.";
    return result;
  }
  BinaryRestMessage message;
  for (std::size_t i = 0; i < entries; ++i) {
    std::string_view key, value;
    if (!reader.string_or_bin(key) || !reader.string_or_bin(value)) {
      result.error = "The binary request body is not a map of names to binary payloads.";
      return result;
    }
    if (util::iequals(key, "json"))
      message.json_frame = std::string(value);
    else if (util::iequals(key, "messagepack"))
      message.messagepack_frame = std::string(value);
  }
  if (!reader.in.empty()) {
    result.error = "The binary request body has bytes after its map.";
    return result;
  }
  if (message.json_frame.empty() && message.messagepack_frame.empty()) {
    result.error = "The binary request body has neither a 'json' nor a 'messagepack' payload.";
    return result;
  }
  if (!message.json_frame.empty()) {
    std::string_view frame = message.json_frame;
    if (frame.back() != kRecordSeparator) {
      result.error = "The 'json' payload must be one JSON hub message ending in 0x1E.";
      return result;
    }
    auto parsed = parse_json_message(frame.substr(0, frame.size() - 1));
    if (!parsed.message || parsed.message->type != MessageType::Invocation) {
      result.error = "The 'json' payload is not a JSON Invocation message" +
                     (parsed.error.empty() ? std::string(".") : ": " + parsed.error);
      return result;
    }
    message.target = parsed.message->target;
    message.arguments_json = parsed.message->arguments_json;
  }
  if (!message.messagepack_frame.empty()) {
    MessagePackRecordReader records(message.messagepack_frame.size() + 16);
    std::optional<std::string_view> record;
    if (records.append(message.messagepack_frame)) record = records.next();
    auto parsed = record ? parse_messagepack_message(*record) : ParsedMessage{};
    // One whole record and nothing after it: the frame goes to MessagePack clients as it is, and
    // trailing bytes (a record cut short) would break their framing.
    if (!record || records.next() || records.pending_bytes() != 0 || !parsed.message ||
        parsed.message->type != MessageType::Invocation) {
      result.error = "The 'messagepack' payload is not one MessagePack Invocation message" +
                     (parsed.error.empty() ? std::string(".") : ": " + parsed.error);
      return result;
    }
    if (message.json_frame.empty()) {
      auto arguments = messagepack_to_json(parsed.message->arguments_json);
      if (!arguments) {
        result.error = "The 'messagepack' payload's arguments cannot be converted to JSON.";
        return result;
      }
      message.target = parsed.message->target;
      message.arguments_json = *arguments;
      message.json_frame = encode_invocation(message.target, message.arguments_json);
    }
  }
  result.message = std::move(message);
  return result;
}

}  // namespace switchboard::protocol
