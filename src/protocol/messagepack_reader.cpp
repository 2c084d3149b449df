// The bounded MessagePack reader (see messagepack_reader.hpp): one switch over the type byte
// (MessagePack spec, "Formats"), big-endian lengths checked against the remaining bytes.
#include "protocol/messagepack_reader.hpp"

#include <cstring>

namespace switchboard::protocol::msgpack {

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

bool Reader::byte(unsigned char& out) {
  if (remaining() < 1) return false;
  out = static_cast<unsigned char>(data_[pos_++]);
  return true;
}

template <typename T>
bool Reader::big_endian(T& out) {
  if (remaining() < sizeof(T)) return false;
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    result = (result << 8) | static_cast<unsigned char>(data_[pos_ + i]);
  }
  pos_ += sizeof(T);
  out = static_cast<T>(result);
  return true;
}

ReadError Reader::set_uint(Value& value, std::uint64_t number) {
  value.kind = Kind::UInt;
  value.uint = number;
  return ReadError::None;
}

template <typename T>
ReadError Reader::unsigned_int(Value& value) {
  T number = 0;
  if (!big_endian(number)) return ReadError::Truncated;
  return set_uint(value, number);
}

template <typename U, typename S>
ReadError Reader::signed_int(Value& value) {
  U bits = 0;
  if (!big_endian(bits)) return ReadError::Truncated;
  const auto number = static_cast<S>(bits);
  if (number >= 0) return set_uint(value, static_cast<std::uint64_t>(number));
  value.kind = Kind::NegInt;
  value.sint = number;
  return ReadError::None;
}

ReadError Reader::payload(Value& value, Kind kind, std::uint64_t length) {
  if (length > remaining()) return ReadError::Truncated;
  value.kind = kind;
  value.bytes = data_.substr(pos_, length);
  pos_ += length;
  return ReadError::None;
}

template <typename T>
ReadError Reader::sized_payload(Value& value, Kind kind) {
  T length = 0;
  if (!big_endian(length)) return ReadError::Truncated;
  return payload(value, kind, length);
}

ReadError Reader::ext(Value& value, std::uint64_t length) {
  unsigned char type = 0;
  if (!byte(type)) return ReadError::Truncated;
  value.ext_type = static_cast<std::int8_t>(type);
  return payload(value, Kind::Ext, length);
}

template <typename T>
ReadError Reader::sized_ext(Value& value) {
  T length = 0;
  if (!big_endian(length)) return ReadError::Truncated;
  return ext(value, length);
}

// Every element takes at least one byte: a count above the remaining bytes is a lie.
ReadError Reader::container(Value& value, Kind kind, std::uint64_t count) {
  const std::uint64_t min_bytes = kind == Kind::Map ? count * 2 : count;
  if (min_bytes > remaining()) return ReadError::Truncated;
  value.kind = kind;
  value.count = static_cast<std::uint32_t>(count);
  return ReadError::None;
}

template <typename T>
ReadError Reader::sized_container(Value& value, Kind kind) {
  T count = 0;
  if (!big_endian(count)) return ReadError::Truncated;
  return container(value, kind, count);
}

ReadError Reader::read(Value& value) {
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

ReadError Reader::skip(int depth) {
  Value value;
  if (const auto error = read(value); error != ReadError::None) return error;
  return skip_elements(value, depth);
}

// Skips the elements of a container whose header `value` was just read.
ReadError Reader::skip_elements(const Value& value, int depth) {
  if (value.kind != Kind::Array && value.kind != Kind::Map) return ReadError::None;
  if (depth >= kMaxDepth) return ReadError::TooDeep;
  const std::uint64_t items =
      value.kind == Kind::Map ? std::uint64_t{value.count} * 2 : value.count;
  for (std::uint64_t i = 0; i < items; ++i) {
    if (const auto error = skip(depth + 1); error != ReadError::None) return error;
  }
  return ReadError::None;
}

}  // namespace switchboard::protocol::msgpack
