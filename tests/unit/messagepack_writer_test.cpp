// Unit tests for the MessagePack writer: the smallest format at every boundary, as the official
// MessagePack libraries write it, and values that read back through the bounded reader.
#include "protocol/messagepack_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

#include "protocol/messagepack_reader.hpp"

namespace switchboard::protocol::msgpack {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

template <typename F>
std::string written(F write) {
  std::string out;
  write(out);
  return out;
}

TEST(MessagePackWriter, UnsignedBoundaries) {
  EXPECT_EQ(written([](auto& o) { write_uint(o, 127); }), bytes({0x7f}));
  EXPECT_EQ(written([](auto& o) { write_uint(o, 128); }), bytes({0xcc, 0x80}));
  EXPECT_EQ(written([](auto& o) { write_uint(o, 256); }), bytes({0xcd, 0x01, 0x00}));
  EXPECT_EQ(written([](auto& o) { write_uint(o, 65536); }), bytes({0xce, 0, 1, 0, 0}));
  EXPECT_EQ(written([](auto& o) { write_uint(o, 0x100000000ull); }),
            bytes({0xcf, 0, 0, 0, 1, 0, 0, 0, 0}));
}

TEST(MessagePackWriter, SignedBoundaries) {
  EXPECT_EQ(written([](auto& o) { write_int(o, 5); }), bytes({0x05}));
  EXPECT_EQ(written([](auto& o) { write_int(o, -1); }), bytes({0xff}));
  EXPECT_EQ(written([](auto& o) { write_int(o, -32); }), bytes({0xe0}));
  EXPECT_EQ(written([](auto& o) { write_int(o, -33); }), bytes({0xd0, 0xdf}));
  EXPECT_EQ(written([](auto& o) { write_int(o, -129); }), bytes({0xd1, 0xff, 0x7f}));
  EXPECT_EQ(written([](auto& o) { write_int(o, -32769); }), bytes({0xd2, 0xff, 0xff, 0x7f, 0xff}));
  EXPECT_EQ(written([](auto& o) { write_int(o, std::numeric_limits<std::int64_t>::min()); }),
            bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(MessagePackWriter, StringsAndContainerHeaders) {
  EXPECT_EQ(written([](auto& o) { write_str(o, "ab"); }), bytes({0xa2, 'a', 'b'}));
  EXPECT_EQ(written([](auto& o) { write_str(o, std::string(32, 'x')); }).substr(0, 2),
            bytes({0xd9, 32}));
  EXPECT_EQ(written([](auto& o) { write_str(o, std::string(256, 'x')); }).substr(0, 3),
            bytes({0xda, 0x01, 0x00}));
  EXPECT_EQ(written([](auto& o) { write_str(o, std::string(65536, 'x')); }).substr(0, 5),
            bytes({0xdb, 0, 1, 0, 0}));
  EXPECT_EQ(written([](auto& o) { write_array_header(o, 15); }), bytes({0x9f}));
  EXPECT_EQ(written([](auto& o) { write_array_header(o, 16); }), bytes({0xdc, 0x00, 0x10}));
  EXPECT_EQ(written([](auto& o) { write_array_header(o, 65536); }), bytes({0xdd, 0, 1, 0, 0}));
  EXPECT_EQ(written([](auto& o) { write_map_header(o, 0); }), bytes({0x80}));
  EXPECT_EQ(written([](auto& o) { write_map_header(o, 16); }), bytes({0xde, 0x00, 0x10}));
  EXPECT_EQ(written([](auto& o) { write_str_or_nil(o, ""); }), bytes({0xc0}));
  EXPECT_EQ(written([](auto& o) { write_str_or_nil(o, "i"); }), bytes({0xa1, 'i'}));
}

TEST(MessagePackWriter, ScalarsReadBack) {
  std::string out;
  write_nil(out);
  write_bool(out, true);
  write_float64(out, -2.5);
  write_int(out, -70000);
  write_uint(out, std::numeric_limits<std::uint64_t>::max());
  Reader reader(out);
  Value value;
  ASSERT_EQ(reader.read(value), ReadError::None);
  EXPECT_EQ(value.kind, Kind::Nil);
  ASSERT_EQ(reader.read(value), ReadError::None);
  EXPECT_TRUE(value.boolean);
  ASSERT_EQ(reader.read(value), ReadError::None);
  EXPECT_EQ(value.f64, -2.5);
  ASSERT_EQ(reader.read(value), ReadError::None);
  EXPECT_EQ(value.sint, -70000);
  ASSERT_EQ(reader.read(value), ReadError::None);
  EXPECT_EQ(value.uint, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(reader.remaining(), 0u);
}

}  // namespace
}  // namespace switchboard::protocol::msgpack
