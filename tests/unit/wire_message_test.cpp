// Unit tests for the backplane's message format: every field survives a round trip (binary bytes
// included), and what a node cannot read (another version, an unknown kind, truncation at every
// byte, trailing bytes) is an error with a reason, never a guess.
#include <gtest/gtest.h>

#include "backplane/wire_message.hpp"

namespace switchboard::backplane {
namespace {

WireMessage sample() {
  WireMessage m;
  m.kind = WireKind::SendGroup;
  m.hub = "chat";
  m.target = "room\x01:1";
  m.group = "g";
  m.reason = "bye";
  m.json_frame = std::string("{\"type\":1}\x1e", 11);
  m.messagepack_frame = std::string("\x05\x00\x93\xff", 4);
  m.excluded = {"a", "", std::string(300, 'x')};
  return m;
}

TEST(WireMessage, RoundTripsEveryField) {
  auto m = sample();
  std::string error;
  auto decoded = decode_wire_message(encode_wire_message(m), &error);
  ASSERT_TRUE(decoded) << error;
  EXPECT_EQ(decoded->kind, m.kind);
  EXPECT_EQ(decoded->hub, m.hub);
  EXPECT_EQ(decoded->target, m.target);
  EXPECT_EQ(decoded->group, m.group);
  EXPECT_EQ(decoded->reason, m.reason);
  EXPECT_EQ(decoded->json_frame, m.json_frame);
  EXPECT_EQ(decoded->messagepack_frame, m.messagepack_frame);
  EXPECT_EQ(decoded->excluded, m.excluded);
}

TEST(WireMessage, LargeFramesUseMultiByteLengths) {
  auto m = sample();
  m.json_frame = std::string(1 << 20, 'j');
  auto decoded = decode_wire_message(encode_wire_message(m), nullptr);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->json_frame.size(), 1u << 20);
}

TEST(WireMessage, ANewerVersionIsRefusedWithItsNumber) {
  auto bytes = encode_wire_message(sample());
  bytes[2] = 7;
  std::string error;
  EXPECT_FALSE(decode_wire_message(bytes, &error));
  EXPECT_EQ(error, "format version 7 is newer than this node's 2");
  bytes[2] = 0;
  EXPECT_FALSE(decode_wire_message(bytes, &error));
  EXPECT_EQ(error, "format version 0 differs from this node's 2");
}

TEST(WireMessage, UnknownKindsAndForeignBytesAreRefused) {
  auto bytes = encode_wire_message(sample());
  bytes[3] = 99;
  std::string error;
  EXPECT_FALSE(decode_wire_message(bytes, &error));
  EXPECT_EQ(error, "unknown kind 99");
  EXPECT_FALSE(decode_wire_message("{\"hello\":1}", &error));
  EXPECT_EQ(error, "not a Switchboard message");
  EXPECT_FALSE(decode_wire_message("", &error));
}

TEST(WireMessage, AChangeToAcknowledgeIsVersion2AndRoundTripsItsAddress) {
  auto m = sample();
  m.kind = WireKind::Join;
  m.ack = std::string(
      "node-a\0"
      "42",
      9);
  auto bytes = encode_wire_message(m);
  EXPECT_EQ(bytes[2], 2);
  std::string error;
  auto decoded = decode_wire_message(bytes, &error);
  ASSERT_TRUE(decoded) << error;
  EXPECT_EQ(decoded->kind, WireKind::Join);
  EXPECT_EQ(decoded->ack, m.ack);
  EXPECT_EQ(decoded->excluded, m.excluded);
}

TEST(WireMessage, WithoutAnAddressItIsWrittenAsVersion1AsBeforeAndStillRead) {
  // Sends carry no acknowledgement address: a node of the previous version reads them.
  auto bytes = encode_wire_message(sample());
  EXPECT_EQ(bytes[2], 1);
  auto decoded = decode_wire_message(bytes, nullptr);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->ack.empty());
  // Version 2 with an empty address is not something a node writes.
  bytes[2] = 2;
  bytes.push_back('\0');
  std::string error;
  EXPECT_FALSE(decode_wire_message(bytes, &error));
  EXPECT_EQ(error, "empty acknowledgement address");
}

TEST(WireMessage, AnAckRoundTrips) {
  WireMessage ack;
  ack.kind = WireKind::Ack;
  ack.hub = "chat";
  ack.target = "17";
  auto decoded = decode_wire_message(encode_wire_message(ack), nullptr);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->kind, WireKind::Ack);
  EXPECT_EQ(decoded->target, "17");
}

TEST(WireMessage, EveryTruncationIsAnErrorAndTrailingBytesToo) {
  auto with_ack = sample();
  with_ack.ack = "node-b";
  auto acked = encode_wire_message(with_ack);
  for (std::size_t n = 0; n < acked.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_wire_message(std::string_view(acked).substr(0, n), &error)) << n;
    EXPECT_FALSE(error.empty()) << n;
  }
  auto bytes = encode_wire_message(sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_wire_message(std::string_view(bytes).substr(0, n), &error)) << n;
    EXPECT_FALSE(error.empty()) << n;
  }
  std::string error;
  EXPECT_FALSE(decode_wire_message(bytes + "x", &error));
  EXPECT_EQ(error, "trailing bytes after the message");
}

TEST(WireMessage, AHugeExcludedCountDoesNotAllocate) {
  std::string bytes = "SB\x01\x01";
  for (int i = 0; i < 6; ++i) bytes += std::string(1, i == 0 ? '\x04' : '\x00');
  bytes.insert(5, "chat");
  bytes += "\xff\xff\xff\xff\xff\xff\xff\xff\x7f";  // a count near 2^63
  std::string error;
  EXPECT_FALSE(decode_wire_message(bytes, &error));
  EXPECT_NE(error.find("excluded count"), std::string::npos) << error;
}

}  // namespace
}  // namespace switchboard::backplane
