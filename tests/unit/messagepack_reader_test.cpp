// Unit tests for the bounded MessagePack reader: every format family read to the right kind and
// value, lengths and counts checked against the remaining bytes, nesting limited, skip() covering
// exactly one value.
#include "protocol/messagepack_reader.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace switchboard::protocol::msgpack {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

Value read_one(const std::string& data, ReadError expected = ReadError::None) {
  Reader reader(data);
  Value value;
  EXPECT_EQ(reader.read(value), expected);
  return value;
}

TEST(MessagePackReader, IntegersOfEveryWidth) {
  EXPECT_EQ(read_one(bytes({0x7f})).uint, 127u);
  EXPECT_EQ(read_one(bytes({0xcc, 0xff})).uint, 255u);
  EXPECT_EQ(read_one(bytes({0xcd, 0x01, 0x00})).uint, 256u);
  EXPECT_EQ(read_one(bytes({0xce, 0xff, 0xff, 0xff, 0xff})).uint, 0xffffffffu);
  EXPECT_EQ(read_one(bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})).uint,
            0xffffffffffffffffull);
  const std::string neg_data = bytes({0xe0});
  const Value neg = read_one(neg_data);
  EXPECT_EQ(neg.kind, Kind::NegInt);
  EXPECT_EQ(neg.sint, -32);
  EXPECT_EQ(read_one(bytes({0xd0, 0x80})).sint, -128);
  EXPECT_EQ(read_one(bytes({0xd1, 0x80, 0x00})).sint, -32768);
  EXPECT_EQ(read_one(bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0})).sint, INT64_MIN);
  // A signed format holding a non-negative number reads as UInt.
  const std::string positive_data = bytes({0xd2, 0x00, 0x00, 0x01, 0x00});
  const Value positive = read_one(positive_data);
  EXPECT_EQ(positive.kind, Kind::UInt);
  EXPECT_EQ(positive.uint, 256u);
}

TEST(MessagePackReader, ScalarsAndPayloads) {
  EXPECT_EQ(read_one(bytes({0xc0})).kind, Kind::Nil);
  EXPECT_TRUE(read_one(bytes({0xc3})).boolean);
  EXPECT_FALSE(read_one(bytes({0xc2})).boolean);
  EXPECT_EQ(read_one(bytes({0xca, 0x3f, 0x80, 0x00, 0x00})).f32, 1.0f);
  EXPECT_EQ(read_one(bytes({0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})).f64, 1.0);
  const std::string str_data = bytes({0xa3, 'a', 'b', 'c'});
  const Value str = read_one(str_data);
  EXPECT_EQ(str.kind, Kind::Str);
  EXPECT_EQ(str.bytes, "abc");
  EXPECT_EQ(read_one(bytes({0xd9, 0x01, 'x'})).bytes, "x");
  const std::string bin_data = bytes({0xc4, 0x02, 0x00, 0xff});
  const Value bin = read_one(bin_data);
  EXPECT_EQ(bin.kind, Kind::Bin);
  EXPECT_EQ(bin.bytes.size(), 2u);
  const std::string ext_data = bytes({0xd6, 0xff, 0, 0, 0, 1});
  const Value ext = read_one(ext_data);
  EXPECT_EQ(ext.kind, Kind::Ext);
  EXPECT_EQ(ext.ext_type, kTimestampExtType);
  EXPECT_EQ(ext.bytes.size(), 4u);
  EXPECT_EQ(read_one(bytes({0xc7, 0x00, 0x05})).ext_type, 5);
}

TEST(MessagePackReader, ContainerHeadersCarryTheirCount) {
  const std::string array_data = bytes({0x92, 0x01, 0x02});
  const Value array = read_one(array_data);
  EXPECT_EQ(array.kind, Kind::Array);
  EXPECT_EQ(array.count, 2u);
  const std::string map_data = bytes({0xde, 0x00, 0x01, 0xa1, 'k', 0xc0});
  const Value map = read_one(map_data);
  EXPECT_EQ(map.kind, Kind::Map);
  EXPECT_EQ(map.count, 1u);
}

TEST(MessagePackReader, LengthsBeyondTheBufferAreTruncated) {
  read_one("", ReadError::Truncated);
  read_one(bytes({0xa5, 'a'}), ReadError::Truncated);                     // fixstr of 5, 1 byte
  read_one(bytes({0xdb, 0xff, 0xff, 0xff, 0xff}), ReadError::Truncated);  // str32 of 4 GiB
  read_one(bytes({0xcd, 0x01}), ReadError::Truncated);                    // uint16 cut short
  read_one(bytes({0xd7, 0xff, 0, 0}), ReadError::Truncated);              // fixext8 cut short
  // A count above the remaining bytes is refused before any element is read.
  read_one(bytes({0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}), ReadError::Truncated);
  read_one(bytes({0x81, 0x01}), ReadError::Truncated);  // a map needs 2 bytes per pair
}

TEST(MessagePackReader, ReservedByteIsInvalid) {
  read_one(bytes({0xc1}), ReadError::InvalidByte);
  EXPECT_EQ(describe(ReadError::InvalidByte), "Invalid MessagePack: reserved type byte 0xc1");
  EXPECT_EQ(describe(ReadError::Truncated), "Invalid MessagePack: truncated");
  EXPECT_EQ(describe(ReadError::None), "");
}

TEST(MessagePackReader, SkipCoversExactlyOneValue) {
  const std::string data = bytes({0x92, 0x81, 0xa1, 'k', 0x91, 0xc0, 0xc4, 0x01, 0x00, 0x07});
  Reader reader(data);
  EXPECT_EQ(reader.skip(0), ReadError::None);
  EXPECT_EQ(reader.position(), data.size() - 1);
  EXPECT_EQ(reader.slice(0), data.substr(0, data.size() - 1));
  EXPECT_EQ(reader.remaining(), 1u);
}

TEST(MessagePackReader, SkipLimitsNesting) {
  std::string deep(static_cast<std::size_t>(kMaxDepth), '\x91');
  deep += '\xc0';
  EXPECT_EQ(Reader(deep).skip(0), ReadError::None);
  const std::string deeper = "\x91" + deep;
  EXPECT_EQ(Reader(deeper).skip(0), ReadError::TooDeep);
  EXPECT_EQ(describe(ReadError::TooDeep), "Invalid MessagePack: nested deeper than 64 levels");
}

TEST(MessagePackReader, SkipReportsATruncatedElement) {
  EXPECT_EQ(Reader(bytes({0x92, 0x01, 0xa3, 'a'})).skip(0), ReadError::Truncated);
}

}  // namespace
}  // namespace switchboard::protocol::msgpack
