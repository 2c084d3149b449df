// Unit tests for the shared outbound message: each protocol's record, and the one-message
// WebSocket frame kept in front of an invocation's record (header sizes at the 125 / 65,535
// boundaries, Text for JSON, Binary for MessagePack, none for raw or handed-in records).
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "hubs/outbound_message.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"
#include "protocol/websocket_frame.hpp"

namespace {

using namespace switchboard;
using hubs::HubProtocol;
using hubs::OutboundMessage;
using protocol::WebSocketOpcode;

std::string header(WebSocketOpcode opcode, std::size_t size) {
  unsigned char bytes[10];
  const std::size_t n = protocol::encode_websocket_header(opcode, size, bytes);
  return std::string(reinterpret_cast<const char*>(bytes), n);
}

TEST(OutboundMessage, AnInvocationsJsonRecordIsTheEncodersAndItsFrameIsTextHeaderPlusRecord) {
  auto message = OutboundMessage::invocation("newMessage", R"(["hello",1])");
  const std::string record = protocol::encode_invocation("newMessage", R"(["hello",1])");
  EXPECT_EQ(message->frame(HubProtocol::Json), record);
  EXPECT_EQ(message->size(HubProtocol::Json), record.size());
  EXPECT_EQ(message->websocket_frame(HubProtocol::Json),
            header(WebSocketOpcode::Text, record.size()) + record);
  EXPECT_EQ(static_cast<unsigned char>(message->websocket_frame(HubProtocol::Json)[0]), 0x81);
}

TEST(OutboundMessage, TheFramesHeaderGrowsAtTheLengthBoundaries) {
  const std::string empty = protocol::encode_invocation("t", R"([""])");
  // Arguments padded so that the record is exactly `size` bytes.
  for (std::size_t size : {125u, 126u, 65535u, 65536u, 200000u}) {
    const std::string args = "[\"" + std::string(size - empty.size(), 'x') + "\"]";
    auto message = OutboundMessage::invocation("t", args);
    ASSERT_EQ(message->size(HubProtocol::Json), size);
    const auto frame = message->websocket_frame(HubProtocol::Json);
    const std::size_t header_size = size <= 125 ? 2 : size <= 65535 ? 4 : 10;
    EXPECT_EQ(frame.size(), header_size + size) << size;
    EXPECT_EQ(frame.substr(0, header_size), header(WebSocketOpcode::Text, size)) << size;
    EXPECT_EQ(frame.substr(header_size), message->frame(HubProtocol::Json)) << size;
  }
}

TEST(OutboundMessage, TheMessagePackRecordIsMadeOnFirstUseWithABinaryFrame) {
  auto message = OutboundMessage::invocation("newMessage", R"(["hello",{"n":1}])");
  const auto arguments = protocol::json_to_messagepack(R"(["hello",{"n":1}])");
  ASSERT_TRUE(arguments.has_value());
  const std::string record = protocol::encode_messagepack_invocation("newMessage", *arguments);
  EXPECT_EQ(message->frame(HubProtocol::MessagePack), record);
  EXPECT_EQ(message->websocket_frame(HubProtocol::MessagePack),
            header(WebSocketOpcode::Binary, record.size()) + record);
  // The JSON record is untouched by the MessagePack one.
  EXPECT_EQ(message->frame(HubProtocol::Json),
            protocol::encode_invocation("newMessage", R"(["hello",{"n":1}])"));
}

TEST(OutboundMessage, ShardsAskingAtOnceShareOneMessagePackEncoding) {
  auto message = OutboundMessage::invocation("t", R"([1,2,3])");
  std::string_view seen[4];
  std::thread threads[4];
  for (int i = 0; i < 4; ++i)
    threads[i] =
        std::thread([&, i] { seen[i] = message->websocket_frame(HubProtocol::MessagePack); });
  for (auto& thread : threads) thread.join();
  ASSERT_FALSE(seen[0].empty());
  for (const auto& frame : seen) EXPECT_EQ(frame.data(), seen[0].data());
}

TEST(OutboundMessage, RawAndHandedInRecordsHaveNoWholeFrame) {
  auto raw = OutboundMessage::raw(std::string(protocol::ping_frame()));
  EXPECT_EQ(raw->frame(HubProtocol::Json), protocol::ping_frame());
  EXPECT_EQ(raw->frame(HubProtocol::MessagePack), protocol::ping_frame());  // raw: as given
  EXPECT_TRUE(raw->websocket_frame(HubProtocol::Json).empty());
  EXPECT_FALSE(raw->counted());

  auto encoded = OutboundMessage::encoded("{\"type\":1}\x1e", "\x02\x91\x06");
  EXPECT_EQ(encoded->frame(HubProtocol::Json), "{\"type\":1}\x1e");
  EXPECT_EQ(encoded->frame(HubProtocol::MessagePack), "\x02\x91\x06");
  EXPECT_TRUE(encoded->websocket_frame(HubProtocol::Json).empty());
  EXPECT_TRUE(encoded->websocket_frame(HubProtocol::MessagePack).empty());
  EXPECT_TRUE(encoded->counted());
}

TEST(OutboundMessage, AMessageWhoseArgumentsCannotBeMessagePackHasNoMessagePackRecord) {
  // Not a JSON array: nothing to convert; the JSON record is still the encoder's.
  auto message = OutboundMessage::invocation("t", "not json");
  EXPECT_TRUE(message->frame(HubProtocol::MessagePack).empty());
  EXPECT_TRUE(message->websocket_frame(HubProtocol::MessagePack).empty());
  EXPECT_FALSE(message->frame(HubProtocol::Json).empty());
}

}  // namespace
