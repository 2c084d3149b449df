// A bounded MessagePack reader over one buffer: reads value headers (scalars whole, str/bin/ext
// with their payload, arrays and maps with their element count) and skips whole values. Every
// length is checked against the remaining bytes and nesting is limited, so hostile input never
// makes it read out of bounds, allocate or recurse without limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::protocol::msgpack {

// Containers nested deeper than this are rejected (a hostile record cannot exhaust the stack).
inline constexpr int kMaxDepth = 64;
// The extension type of MessagePack timestamps.
inline constexpr std::int8_t kTimestampExtType = -1;

enum class Kind { Nil, Bool, UInt, NegInt, Float32, Float64, Str, Bin, Array, Map, Ext };

// One value's header. Integers: UInt holds any non-negative integer whatever its encoding, NegInt
// the negative ones.
struct Value {
  Kind kind = Kind::Nil;
  bool boolean = false;
  std::uint64_t uint = 0;  // UInt
  std::int64_t sint = 0;   // NegInt
  float f32 = 0;
  double f64 = 0;
  std::string_view bytes;  // Str, Bin, Ext payload (a view into the reader's buffer)
  std::int8_t ext_type = 0;
  std::uint32_t count = 0;  // Array: elements; Map: key/value pairs
};

enum class ReadError { None, Truncated, TooDeep, InvalidByte };

// "Invalid MessagePack: truncated", "... nested deeper than 64 levels", "... reserved type byte
// 0xc1"; empty for None.
std::string describe(ReadError error);

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  // The bytes from `from` to the current position.
  std::string_view slice(std::size_t from) const { return data_.substr(from, pos_ - from); }

  // Reads the next value's header. A container's count is refused (Truncated) when its elements
  // could not fit in the remaining bytes (each takes at least one).
  ReadError read(Value& value);
  // Skips one whole value, validating its structure. `depth`: containers enclosing it.
  ReadError skip(int depth);
  // Skips the elements of a container whose header `value` was just read (nothing for scalars).
  ReadError skip_elements(const Value& value, int depth);

 private:
  bool byte(unsigned char& out);
  template <typename T>
  bool big_endian(T& out);
  ReadError set_uint(Value& value, std::uint64_t number);
  template <typename T>
  ReadError unsigned_int(Value& value);
  template <typename U, typename S>
  ReadError signed_int(Value& value);
  ReadError payload(Value& value, Kind kind, std::uint64_t length);
  template <typename T>
  ReadError sized_payload(Value& value, Kind kind);
  ReadError ext(Value& value, std::uint64_t length);
  template <typename T>
  ReadError sized_ext(Value& value);
  ReadError container(Value& value, Kind kind, std::uint64_t count);
  template <typename T>
  ReadError sized_container(Value& value, Kind kind);

  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace switchboard::protocol::msgpack
