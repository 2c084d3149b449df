// The MessagePack hub protocol (wire reference §3): VarInt-prefixed record splitting, a bounded
// hand-written MessagePack reader (every length checked against the remaining bytes, nesting
// limited), message parsing and encoding, and JSON <-> MessagePack conversion of payloads.
#include "protocol/messagepack_hub_protocol.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include <simdjson.h>

#include "auth/crypto.hpp"
#include "util/utf8.hpp"

namespace switchboard::protocol {
namespace {

// Containers nested deeper than this are rejected (a hostile record cannot exhaust the stack).
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxVarIntBytes = 5;
constexpr std::uint64_t kMaxVarIntValue = 0x7FFFFFFF;
constexpr std::int8_t kTimestampExtType = -1;

// ---- VarInt ----

enum class VarIntStatus { Ok, Incomplete, Invalid };

// Decodes the length prefix at the start of `data`: its value and size in bytes.
VarIntStatus read_varint(std::string_view data, std::uint64_t& value, std::size_t& size) {
  value = 0;
  for (std::size_t i = 0; i < kMaxVarIntBytes; ++i) {
    if (i >= data.size()) return VarIntStatus::Incomplete;
    const auto byte = static_cast<unsigned char>(data[i]);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (value > kMaxVarIntValue) return VarIntStatus::Invalid;
      size = i + 1;
      return VarIntStatus::Ok;
    }
  }
  return VarIntStatus::Invalid;  // a sixth prefix byte would be needed
}

// ---- reading ----

enum class Kind { Nil, Bool, UInt, NegInt, Float32, Float64, Str, Bin, Array, Map, Ext };

// One value's header: scalars whole, str/bin/ext with their payload, arrays and maps with their
// element count only (the elements follow in the reader).
struct Value {
  Kind kind = Kind::Nil;
  bool boolean = false;
  std::uint64_t uint = 0;  // UInt: any non-negative integer, whatever its encoding
  std::int64_t sint = 0;   // NegInt
  float f32 = 0;
  double f64 = 0;
  std::string_view bytes;  // Str, Bin, Ext payload
  std::int8_t ext_type = 0;
  std::uint32_t count = 0;  // Array: elements; Map: key/value pairs
};

enum class ReadError { None, Truncated, TooDeep, InvalidByte };

std::string describe(ReadError error) {
  switch (error) {
    case ReadError::None:
      return {};
    case ReadError::Truncated:
      return "Invalid MessagePack: truncated";
    case ReadError::TooDeep:
      return "Invalid MessagePack: nested deeper than " + std::to_string(kMaxDepth) + " levels";
    case ReadError::InvalidByte:
      return "Invalid MessagePack: reserved type byte 0xc1";
  }
  return {};
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  std::string_view slice(std::size_t from) const { return data_.substr(from, pos_ - from); }

  ReadError read(Value& value) {
    unsigned char type = 0;
    if (!byte(type)) return ReadError::Truncated;
    value = Value{};
    if (type <= 0x7F) return set_uint(value, type);
    if (type >= 0xE0) {
      value.kind = Kind::NegInt;
      value.sint = static_cast<std::int8_t>(type);
      return ReadError::None;
    }
    if (type <= 0x8F) return container(value, Kind::Map, type & 0x0F);
    if (type <= 0x9F) return container(value, Kind::Array, type & 0x0F);
    if (type <= 0xBF) return payload(value, Kind::Str, type & 0x1F);
    switch (type) {
      case 0xC0:
        value.kind = Kind::Nil;
        return ReadError::None;
      case 0xC1:
        return ReadError::InvalidByte;
      case 0xC2:
      case 0xC3:
        value.kind = Kind::Bool;
        value.boolean = type == 0xC3;
        return ReadError::None;
      case 0xC4:
        return sized_payload<std::uint8_t>(value, Kind::Bin);
      case 0xC5:
        return sized_payload<std::uint16_t>(value, Kind::Bin);
      case 0xC6:
        return sized_payload<std::uint32_t>(value, Kind::Bin);
      case 0xC7:
        return sized_ext<std::uint8_t>(value);
      case 0xC8:
        return sized_ext<std::uint16_t>(value);
      case 0xC9:
        return sized_ext<std::uint32_t>(value);
      case 0xCA: {
        std::uint32_t bits = 0;
        if (!big_endian(bits)) return ReadError::Truncated;
        value.kind = Kind::Float32;
        std::memcpy(&value.f32, &bits, sizeof bits);
        return ReadError::None;
      }
      case 0xCB: {
        std::uint64_t bits = 0;
        if (!big_endian(bits)) return ReadError::Truncated;
        value.kind = Kind::Float64;
        std::memcpy(&value.f64, &bits, sizeof bits);
        return ReadError::None;
      }
      case 0xCC:
        return unsigned_int<std::uint8_t>(value);
      case 0xCD:
        return unsigned_int<std::uint16_t>(value);
      case 0xCE:
        return unsigned_int<std::uint32_t>(value);
      case 0xCF:
        return unsigned_int<std::uint64_t>(value);
      case 0xD0:
        return signed_int<std::uint8_t, std::int8_t>(value);
      case 0xD1:
        return signed_int<std::uint16_t, std::int16_t>(value);
      case 0xD2:
        return signed_int<std::uint32_t, std::int32_t>(value);
      case 0xD3:
        return signed_int<std::uint64_t, std::int64_t>(value);
      case 0xD4:
        return ext(value, 1);
      case 0xD5:
        return ext(value, 2);
      case 0xD6:
        return ext(value, 4);
      case 0xD7:
        return ext(value, 8);
      case 0xD8:
        return ext(value, 16);
      case 0xD9:
        return sized_payload<std::uint8_t>(value, Kind::Str);
      case 0xDA:
        return sized_payload<std::uint16_t>(value, Kind::Str);
      case 0xDB:
        return sized_payload<std::uint32_t>(value, Kind::Str);
      case 0xDC:
        return sized_container<std::uint16_t>(value, Kind::Array);
      case 0xDD:
        return sized_container<std::uint32_t>(value, Kind::Array);
      case 0xDE:
        return sized_container<std::uint16_t>(value, Kind::Map);
      case 0xDF:
        return sized_container<std::uint32_t>(value, Kind::Map);
      default:
        return ReadError::InvalidByte;  // unreachable: every byte is covered above
    }
  }

  // Skips one whole value, validating its structure. `depth`: containers enclosing it.
  ReadError skip(int depth) {
    Value value;
    if (const auto error = read(value); error != ReadError::None) return error;
    return skip_elements(value, depth);
  }

  // Skips the elements of a container whose header `value` was just read.
  ReadError skip_elements(const Value& value, int depth) {
    if (value.kind != Kind::Array && value.kind != Kind::Map) return ReadError::None;
    if (depth >= kMaxDepth) return ReadError::TooDeep;
    const std::uint64_t items =
        value.kind == Kind::Map ? std::uint64_t{value.count} * 2 : value.count;
    for (std::uint64_t i = 0; i < items; ++i) {
      if (const auto error = skip(depth + 1); error != ReadError::None) return error;
    }
    return ReadError::None;
  }

 private:
  bool byte(unsigned char& out) {
    if (remaining() < 1) return false;
    out = static_cast<unsigned char>(data_[pos_++]);
    return true;
  }

  template <typename T>
  bool big_endian(T& out) {
    if (remaining() < sizeof(T)) return false;
    std::uint64_t result = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      result = (result << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    }
    pos_ += sizeof(T);
    out = static_cast<T>(result);
    return true;
  }

  ReadError set_uint(Value& value, std::uint64_t number) {
    value.kind = Kind::UInt;
    value.uint = number;
    return ReadError::None;
  }

  template <typename T>
  ReadError unsigned_int(Value& value) {
    T number = 0;
    if (!big_endian(number)) return ReadError::Truncated;
    return set_uint(value, number);
  }

  template <typename U, typename S>
  ReadError signed_int(Value& value) {
    U bits = 0;
    if (!big_endian(bits)) return ReadError::Truncated;
    const auto number = static_cast<S>(bits);
    if (number >= 0) return set_uint(value, static_cast<std::uint64_t>(number));
    value.kind = Kind::NegInt;
    value.sint = number;
    return ReadError::None;
  }

  ReadError payload(Value& value, Kind kind, std::uint64_t length) {
    if (length > remaining()) return ReadError::Truncated;
    value.kind = kind;
    value.bytes = data_.substr(pos_, length);
    pos_ += length;
    return ReadError::None;
  }

  template <typename T>
  ReadError sized_payload(Value& value, Kind kind) {
    T length = 0;
    if (!big_endian(length)) return ReadError::Truncated;
    return payload(value, kind, length);
  }

  ReadError ext(Value& value, std::uint64_t length) {
    unsigned char type = 0;
    if (!byte(type)) return ReadError::Truncated;
    value.ext_type = static_cast<std::int8_t>(type);
    return payload(value, Kind::Ext, length);
  }

  template <typename T>
  ReadError sized_ext(Value& value) {
    T length = 0;
    if (!big_endian(length)) return ReadError::Truncated;
    return ext(value, length);
  }

  // Every element takes at least one byte: a count above the remaining bytes is a lie.
  ReadError container(Value& value, Kind kind, std::uint64_t count) {
    const std::uint64_t min_bytes = kind == Kind::Map ? count * 2 : count;
    if (min_bytes > remaining()) return ReadError::Truncated;
    value.kind = kind;
    value.count = static_cast<std::uint32_t>(count);
    return ReadError::None;
  }

  template <typename T>
  ReadError sized_container(Value& value, Kind kind) {
    T count = 0;
    if (!big_endian(count)) return ReadError::Truncated;
    return container(value, kind, count);
  }

  std::string_view data_;
  std::size_t pos_ = 0;
};

// ---- UTF-8 ----

// The length of the valid UTF-8 sequence at text[i], or 0 when it is invalid (overlong forms,
// surrogates and code points above U+10FFFF included): for replacing bad bytes one by one (whole
// strings are checked with util::is_valid_utf8 first).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = at(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  if (at(i + 1) < low || at(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return length;
}

// Appends `text` as a JSON string, invalid UTF-8 bytes replaced by U+FFFD (as the JS and .NET
// MessagePack decoders do).
void append_json_string_lossy(std::string& out, std::string_view text) {
  if (util::is_valid_utf8(text)) {
    append_json_string(out, text);
    return;
  }
  std::string clean;
  clean.reserve(text.size() * 3);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      clean += "\xEF\xBF\xBD";
      ++i;
    } else {
      clean.append(text, i, length);
      i += length;
    }
  }
  append_json_string(out, clean);
}

// ---- writing ----

void put_byte(std::string& out, unsigned int byte) {
  out += static_cast<char>(byte & 0xFF);
}

void put_big_endian(std::string& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = bytes; i-- > 0;) put_byte(out, static_cast<unsigned int>(value >> (8 * i)));
}

void write_nil(std::string& out) {
  put_byte(out, 0xC0);
}

void write_bool(std::string& out, bool value) {
  put_byte(out, value ? 0xC3 : 0xC2);
}

void write_uint(std::string& out, std::uint64_t value) {
  if (value <= 0x7F) {
    put_byte(out, static_cast<unsigned int>(value));
  } else if (value <= 0xFF) {
    put_byte(out, 0xCC);
    put_big_endian(out, value, 1);
  } else if (value <= 0xFFFF) {
    put_byte(out, 0xCD);
    put_big_endian(out, value, 2);
  } else if (value <= 0xFFFFFFFF) {
    put_byte(out, 0xCE);
    put_big_endian(out, value, 4);
  } else {
    put_byte(out, 0xCF);
    put_big_endian(out, value, 8);
  }
}

// Smallest form: non-negative values as unsigned (what MessagePack-CSharp and @msgpack/msgpack
// write), negative ones as negative fixint or int8..64.
void write_int(std::string& out, std::int64_t value) {
  if (value >= 0) {
    write_uint(out, static_cast<std::uint64_t>(value));
    return;
  }
  const auto bits = static_cast<std::uint64_t>(value);
  if (value >= -32) {
    put_byte(out, static_cast<unsigned int>(bits));
  } else if (value >= std::numeric_limits<std::int8_t>::min()) {
    put_byte(out, 0xD0);
    put_big_endian(out, bits, 1);
  } else if (value >= std::numeric_limits<std::int16_t>::min()) {
    put_byte(out, 0xD1);
    put_big_endian(out, bits, 2);
  } else if (value >= std::numeric_limits<std::int32_t>::min()) {
    put_byte(out, 0xD2);
    put_big_endian(out, bits, 4);
  } else {
    put_byte(out, 0xD3);
    put_big_endian(out, bits, 8);
  }
}

void write_float64(std::string& out, double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  put_byte(out, 0xCB);
  put_big_endian(out, bits, 8);
}

void write_str(std::string& out, std::string_view text) {
  const std::size_t size = text.size();
  if (size <= 31) {
    put_byte(out, 0xA0 | static_cast<unsigned int>(size));
  } else if (size <= 0xFF) {
    put_byte(out, 0xD9);
    put_big_endian(out, size, 1);
  } else if (size <= 0xFFFF) {
    put_byte(out, 0xDA);
    put_big_endian(out, size, 2);
  } else {
    put_byte(out, 0xDB);
    put_big_endian(out, size, 4);
  }
  out += text;
}

void write_container_header(std::string& out, std::size_t count, unsigned int fix,
                            unsigned int bits16) {
  if (count <= 15) {
    put_byte(out, fix | static_cast<unsigned int>(count));
  } else if (count <= 0xFFFF) {
    put_byte(out, bits16);
    put_big_endian(out, count, 2);
  } else {
    put_byte(out, bits16 + 1);
    put_big_endian(out, count, 4);
  }
}

void write_array_header(std::string& out, std::size_t count) {
  write_container_header(out, count, 0x90, 0xDC);
}

void write_map_header(std::string& out, std::size_t count) {
  write_container_header(out, count, 0x80, 0xDE);
}

// An optional string (id, Close error): nil when empty.
void write_str_or_nil(std::string& out, std::string_view id) {
  if (id.empty()) {
    write_nil(out);
  } else {
    write_str(out, id);
  }
}

void write_raw_or(std::string& out, std::string_view raw, std::string_view fallback) {
  out += raw.empty() ? fallback : raw;
}

// Prefixes `body` with its VarInt length.
std::string frame(const std::string& body) {
  std::string out;
  out.reserve(body.size() + kMaxVarIntBytes);
  append_varint(out, body.size());
  out += body;
  return out;
}

// ---- message parsing ----

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

// ---- MessagePack to JSON ----

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

void append_padded(std::string& out, std::uint64_t value, std::size_t width) {
  const std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

// "YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z"; years outside 0..9999 as +/-YYYYYY (like JS Date).
std::string iso8601(std::int64_t seconds, std::uint32_t nanoseconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, year, month, day);
  std::string out;
  if (year >= 0 && year <= 9999) {
    append_padded(out, static_cast<std::uint64_t>(year), 4);
  } else {
    out += year < 0 ? '-' : '+';
    const auto magnitude = static_cast<std::uint64_t>(year);
    append_padded(out, year < 0 ? 0 - magnitude : magnitude, 6);
  }
  out += '-';
  append_padded(out, month, 2);
  out += '-';
  append_padded(out, day, 2);
  out += 'T';
  append_padded(out, static_cast<std::uint64_t>(rest / 3600), 2);
  out += ':';
  append_padded(out, static_cast<std::uint64_t>(rest / 60 % 60), 2);
  out += ':';
  append_padded(out, static_cast<std::uint64_t>(rest % 60), 2);
  if (nanoseconds != 0) {
    std::string fraction;
    append_padded(fraction, nanoseconds, 9);
    while (fraction.size() > 3 && fraction.compare(fraction.size() - 3, 3, "000") == 0) {
      fraction.resize(fraction.size() - 3);
    }
    out += '.';
    out += fraction;
  }
  out += 'Z';
  return out;
}

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
  out += iso8601(seconds, static_cast<std::uint32_t>(nanoseconds));
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

void append_varint(std::string& out, std::size_t length) {
  do {
    unsigned int byte = length & 0x7F;
    length >>= 7;
    if (length != 0) byte |= 0x80;
    put_byte(out, byte);
  } while (length != 0);
}

bool MessagePackRecordReader::append(std::string_view bytes) {
  if (failed_) return false;
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    complete_end_ -= consumed_;
    consumed_ = 0;
  }
  if (buffer_.empty() && buffer_.capacity() > 4 * max_ + 4096) std::string().swap(buffer_);
  buffer_.append(bytes);
  // Walk the records after the last complete one: each prefix is checked as soon as it is known.
  while (complete_end_ < buffer_.size()) {
    std::uint64_t length = 0;
    std::size_t prefix = 0;
    const auto status =
        read_varint(std::string_view(buffer_).substr(complete_end_), length, prefix);
    if (status == VarIntStatus::Incomplete) break;
    if (status == VarIntStatus::Invalid || length > max_) {
      failed_ = true;
      std::string().swap(buffer_);
      consumed_ = 0;
      complete_end_ = 0;
      return false;
    }
    if (buffer_.size() - complete_end_ - prefix < length) break;
    complete_end_ += prefix + length;
  }
  return true;
}

std::optional<std::string_view> MessagePackRecordReader::next() {
  if (failed_ || consumed_ >= complete_end_) return std::nullopt;
  std::uint64_t length = 0;
  std::size_t prefix = 0;
  read_varint(std::string_view(buffer_).substr(consumed_), length, prefix);  // validated
  const std::string_view record(buffer_.data() + consumed_ + prefix, length);
  consumed_ += prefix + length;
  return record;
}

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

std::string encode_messagepack_invocation(std::string_view target,
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
  return frame(body);
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
  return frame(body);
}

std::string encode_messagepack_completion_void(std::string_view invocation_id) {
  std::string body;
  write_array_header(body, 4);
  write_uint(body, static_cast<int>(MessageType::Completion));
  write_map_header(body, 0);
  write_str(body, invocation_id);
  write_uint(body, 2);
  return frame(body);
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
  return frame(body);
}

std::string encode_messagepack_close(std::string_view error, bool allow_reconnect) {
  std::string body;
  write_array_header(body, 3);
  write_uint(body, static_cast<int>(MessageType::Close));
  write_str_or_nil(body, error);
  write_bool(body, allow_reconnect);
  return frame(body);
}

std::string encode_messagepack_ack(std::int64_t sequence_id) {
  std::string body;
  write_array_header(body, 2);
  write_uint(body, static_cast<int>(MessageType::Ack));
  write_int(body, sequence_id);
  return frame(body);
}

std::string encode_messagepack_sequence(std::int64_t sequence_id) {
  std::string body;
  write_array_header(body, 2);
  write_uint(body, static_cast<int>(MessageType::Sequence));
  write_int(body, sequence_id);
  return frame(body);
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
  return frame(body);
}

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
