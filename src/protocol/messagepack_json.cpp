// MessagePack <-> JSON conversion (see messagepack_json.hpp): JSON is parsed with simdjson (like
// the JSON protocol and the REST bodies) and written with the MessagePack writer; MessagePack is
// read with the bounded reader and printed as JSON text.
#include "protocol/messagepack_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <simdjson.h>

#include "auth/crypto.hpp"
#include "protocol/json_hub_protocol.hpp"  // append_json_string
#include "protocol/messagepack_reader.hpp"
#include "protocol/messagepack_writer.hpp"
#include "util/calendar.hpp"
#include "util/utf8.hpp"

namespace switchboard::protocol {
namespace {

using namespace msgpack;

// Appends `text` as a JSON string, invalid UTF-8 bytes replaced by U+FFFD (as the JS and .NET
// MessagePack decoders do).
void append_json_string_lossy(std::string& out, std::string_view text) {
  if (util::is_valid_utf8(text)) {
    append_json_string(out, text);
  } else {
    append_json_string(out, util::replace_invalid_utf8(text));
  }
}

// ---- MessagePack to JSON ----

std::uint64_t load_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// The timestamp extension (type -1) as JSON; false when its payload is not 4, 8 or 12 valid bytes.
bool append_timestamp(std::string& out, std::string_view data) {
  std::int64_t seconds = 0;
  std::uint64_t nanoseconds = 0;
  if (data.size() == 4) {
    seconds = static_cast<std::int64_t>(load_big_endian(data));
  } else if (data.size() == 8) {
    const std::uint64_t bits = load_big_endian(data);
    nanoseconds = bits >> 34;
    seconds = static_cast<std::int64_t>(bits & 0x3FFFFFFFFull);
  } else if (data.size() == 12) {
    nanoseconds = load_big_endian(data.substr(0, 4));
    seconds = static_cast<std::int64_t>(load_big_endian(data.substr(4, 8)));
  } else {
    return false;
  }
  if (nanoseconds > 999999999) return false;
  out += '"';
  out += util::iso8601_utc(seconds, static_cast<std::uint32_t>(nanoseconds));
  out += '"';
  return true;
}

// Shortest round-trip form, always with a '.' or exponent so that it reads back as a float;
// NaN and infinities (not representable in JSON) as null.
template <typename F>
void append_float(std::string& out, F value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

bool append_json(Reader& reader, std::string& out, int depth) {
  Value value;
  if (reader.read(value) != ReadError::None) return false;
  switch (value.kind) {
    case Kind::Nil:
      out += "null";
      return true;
    case Kind::Bool:
      out += value.boolean ? "true" : "false";
      return true;
    case Kind::UInt:
      out += std::to_string(value.uint);
      return true;
    case Kind::NegInt:
      out += std::to_string(value.sint);
      return true;
    case Kind::Float32:
      append_float(out, value.f32);
      return true;
    case Kind::Float64:
      append_float(out, value.f64);
      return true;
    case Kind::Str:
      append_json_string_lossy(out, value.bytes);
      return true;
    case Kind::Bin:
      out += '"';
      out += auth::base64_encode(value.bytes);
      out += '"';
      return true;
    case Kind::Ext:
      if (value.ext_type == kTimestampExtType) return append_timestamp(out, value.bytes);
      out += "null";
      return true;
    case Kind::Array:
      if (depth >= kMaxDepth) return false;
      out += '[';
      for (std::uint32_t i = 0; i < value.count; ++i) {
        if (i > 0) out += ',';
        if (!append_json(reader, out, depth + 1)) return false;
      }
      out += ']';
      return true;
    case Kind::Map:
      if (depth >= kMaxDepth) return false;
      out += '{';
      for (std::uint32_t i = 0; i < value.count; ++i) {
        if (i > 0) out += ',';
        Value key;
        if (reader.read(key) != ReadError::None || key.kind != Kind::Str) return false;
        append_json_string_lossy(out, key.bytes);
        out += ':';
        if (!append_json(reader, out, depth + 1)) return false;
      }
      out += '}';
      return true;
  }
  return false;
}

// ---- JSON to MessagePack ----

simdjson::dom::parser& thread_json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

void append_msgpack(std::string& out, simdjson::dom::element element) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::ARRAY: {
      const simdjson::dom::array array = element.get_array().value_unsafe();
      write_array_header(out, array.size());
      for (const auto item : array) append_msgpack(out, item);
      return;
    }
    case element_type::OBJECT: {
      const simdjson::dom::object object = element.get_object().value_unsafe();
      write_map_header(out, object.size());
      for (const auto [key, value] : object) {
        write_str(out, key);
        append_msgpack(out, value);
      }
      return;
    }
    case element_type::INT64:
      write_int(out, element.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      write_uint(out, element.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE:
      write_float64(out, element.get_double().value_unsafe());
      return;
    case element_type::STRING:
      write_str(out, element.get_string().value_unsafe());
      return;
    case element_type::BOOL:
      write_bool(out, element.get_bool().value_unsafe());
      return;
    case element_type::NULL_VALUE:
      write_nil(out);
      return;
  }
}

}  // namespace

std::optional<std::string> json_to_messagepack(std::string_view json) {
  simdjson::dom::element root;
  if (thread_json_parser().parse(json.data(), json.size()).get(root)) return std::nullopt;
  std::string out;
  out.reserve(json.size());
  append_msgpack(out, root);
  return out;
}

std::optional<std::string> messagepack_to_json(std::string_view msgpack) {
  Reader reader(msgpack);
  std::string out;
  if (!append_json(reader, out, 0) || reader.remaining() > 0) return std::nullopt;
  return out;
}

}  // namespace switchboard::protocol
