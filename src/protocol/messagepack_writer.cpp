// MessagePack writing (see messagepack_writer.hpp): the smallest format for each value, lengths and
// numbers big-endian.
#include "protocol/messagepack_writer.hpp"

#include <cstring>
#include <limits>

namespace switchboard::protocol::msgpack {

namespace {

void put_byte(std::string& out, unsigned int byte) {
  out += static_cast<char>(byte & 0xFF);
}

void put_big_endian(std::string& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = bytes; i-- > 0;) put_byte(out, static_cast<unsigned int>(value >> (8 * i)));
}

}  // namespace

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

namespace {

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

}  // namespace

void write_array_header(std::string& out, std::size_t count) {
  write_container_header(out, count, 0x90, 0xDC);
}

void write_map_header(std::string& out, std::size_t count) {
  write_container_header(out, count, 0x80, 0xDE);
}

void write_str_or_nil(std::string& out, std::string_view id) {
  if (id.empty()) {
    write_nil(out);
  } else {
    write_str(out, id);
  }
}

}  // namespace switchboard::protocol::msgpack
