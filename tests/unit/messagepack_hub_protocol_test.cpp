// Unit tests for the MessagePack hub protocol: VarInt framing and the record reader, message
// parsing (encoder output and hand-written spec bytes), encoders, hostile-input fuzzing, and the
// JSON <-> MessagePack payload conversion.
#include "protocol/messagepack_hub_protocol.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

namespace switchboard::protocol {
namespace {

using namespace std::string_literals;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

std::string hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : data) {
    if (!out.empty()) out += ' ';
    out += kDigits[static_cast<unsigned char>(c) >> 4];
    out += kDigits[static_cast<unsigned char>(c) & 0xF];
  }
  return out;
}

std::string varint(std::size_t n) {
  std::string out;
  append_varint(out, n);
  return out;
}

// A record with its prefix.
std::string framed(std::string_view body) {
  return varint(body.size()) + std::string(body);
}

// The body of a complete framed record (checks that the prefix matches the size).
std::string body_of(std::string_view frame) {
  MessagePackRecordReader reader(1 << 20);
  EXPECT_TRUE(reader.append(frame));
  const auto record = reader.next();
  EXPECT_TRUE(record.has_value()) << hex(frame);
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.pending_bytes(), 0u);
  return record ? std::string(*record) : std::string();
}

std::vector<std::string> drain(MessagePackRecordReader& reader) {
  std::vector<std::string> records;
  while (auto record = reader.next()) records.emplace_back(*record);
  return records;
}

std::string mp(std::string_view json) {
  auto converted = json_to_messagepack(json);
  EXPECT_TRUE(converted.has_value()) << json;
  return converted.value_or("");
}

std::string to_json(std::string_view msgpack) {
  auto converted = messagepack_to_json(msgpack);
  EXPECT_TRUE(converted.has_value()) << hex(msgpack);
  return converted.value_or("<invalid>");
}

HubMessage parse_ok(std::string_view record) {
  auto parsed = parse_messagepack_message(record);
  EXPECT_EQ(parsed.error, "") << hex(record);
  EXPECT_TRUE(parsed.message.has_value()) << hex(record);
  return parsed.message.value_or(HubMessage{});
}

std::string parse_error(std::string_view record) {
  auto parsed = parse_messagepack_message(record);
  EXPECT_FALSE(parsed.message.has_value()) << hex(record);
  EXPECT_NE(parsed.error, "") << hex(record);
  return parsed.error;
}

std::string nested_arrays(int depth) {
  return std::string(depth, '\x91') + "\xc0";
}

// ---- VarInt ----

TEST(MessagePackVarInt, Encoding) {
  EXPECT_EQ(varint(0), bytes({0x00}));
  EXPECT_EQ(varint(1), bytes({0x01}));
  EXPECT_EQ(varint(127), bytes({0x7F}));
  EXPECT_EQ(varint(128), bytes({0x80, 0x01}));
  EXPECT_EQ(varint(300), bytes({0xAC, 0x02}));
  EXPECT_EQ(varint(16383), bytes({0xFF, 0x7F}));
  EXPECT_EQ(varint(16384), bytes({0x80, 0x80, 0x01}));
  EXPECT_EQ(varint(0x7FFFFFFF), bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x07}));
  std::string appended = "x";
  append_varint(appended, 300);
  EXPECT_EQ(appended, "x"s + bytes({0xAC, 0x02}));
}

TEST(MessagePackVarInt, ReaderDecodesEdgeLengths) {
  for (std::size_t length : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 70000u}) {
    MessagePackRecordReader reader(100000);
    const std::string body(length, 'z');
    ASSERT_TRUE(reader.append(framed(body) + framed("\x91\x06")));
    EXPECT_EQ(drain(reader), (std::vector<std::string>{body, "\x91\x06"})) << length;
  }
}

TEST(MessagePackVarInt, MaximumPrefixAcceptedWhenTheLimitAllows) {
  MessagePackRecordReader reader(0x7FFFFFFF);
  EXPECT_TRUE(reader.append(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x07})));
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.append("abc"));  // the body is awaited, never pre-allocated
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.failed());
}

TEST(MessagePackVarInt, AboveMaximumFails) {
  MessagePackRecordReader reader(SIZE_MAX);
  EXPECT_FALSE(reader.append(bytes({0x80, 0x80, 0x80, 0x80, 0x08})));  // 0x80000000
  EXPECT_TRUE(reader.failed());
  MessagePackRecordReader other(SIZE_MAX);
  EXPECT_FALSE(other.append(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F})));
}

TEST(MessagePackVarInt, SixBytePrefixFailsAsSoonAsTheFifthByteArrives) {
  MessagePackRecordReader reader(SIZE_MAX);
  EXPECT_TRUE(reader.append(bytes({0x80, 0x80, 0x80, 0x80})));
  EXPECT_FALSE(reader.append(bytes({0x80})));
  EXPECT_TRUE(reader.failed());
  EXPECT_FALSE(reader.append(bytes({0x00})));
  MessagePackRecordReader whole(SIZE_MAX);
  EXPECT_FALSE(whole.append(bytes({0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x06})));
}

TEST(MessagePackVarInt, TruncatedPrefixWaits) {
  MessagePackRecordReader reader(1024);
  ASSERT_TRUE(reader.append(bytes({0x80})));
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.pending_bytes(), 1u);
  ASSERT_TRUE(reader.append(bytes({0x01})));
  EXPECT_FALSE(reader.next());
  ASSERT_TRUE(reader.append(std::string(127, 'a')));
  EXPECT_FALSE(reader.next());
  ASSERT_TRUE(reader.append("b"));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{std::string(127, 'a') + "b"}));
  EXPECT_EQ(reader.pending_bytes(), 0u);
}

// ---- MessagePackRecordReader ----

TEST(MessagePackRecordReader, RecordSplitByteByByte) {
  MessagePackRecordReader reader;
  const std::string frame = encode_messagepack_invocation("send", mp(R"(["hi",1,[2]])"), "12");
  const std::string body = frame.substr(1);
  for (std::size_t i = 0; i + 1 < frame.size(); ++i) {
    ASSERT_TRUE(reader.append(frame.substr(i, 1)));
    EXPECT_FALSE(reader.next()) << i;
  }
  ASSERT_TRUE(reader.append(frame.substr(frame.size() - 1)));
  const auto record = reader.next();
  ASSERT_TRUE(record);
  EXPECT_EQ(*record, body);
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(parse_ok(*record).target, "send");
}

TEST(MessagePackRecordReader, SeveralRecordsInOneAppend) {
  MessagePackRecordReader reader;
  const std::string stream = std::string(messagepack_ping_frame()) + encode_messagepack_ack(5) +
                             std::string(messagepack_ping_frame()) + "\x06\x95";
  ASSERT_TRUE(reader.append(stream));
  const auto records = drain(reader);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], "\x91\x06");
  EXPECT_EQ(parse_ok(records[1]).sequence_id, 5);
  EXPECT_EQ(records[2], "\x91\x06");
  EXPECT_EQ(reader.pending_bytes(), 2u);
  ASSERT_TRUE(reader.append(bytes({0x05, 0x80, 0xC0, 0xA0})));
  EXPECT_FALSE(reader.next());
  ASSERT_TRUE(reader.append(bytes({0x90})));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{bytes({0x95, 0x05, 0x80, 0xC0, 0xA0, 0x90})}));
}

TEST(MessagePackRecordReader, RecordsAcrossAppendBoundaries) {
  // Every way of cutting a three-record stream in two.
  const std::string stream = encode_messagepack_completion_result("1", mp(R"({"a":[1,2]})")) +
                             std::string(messagepack_ping_frame()) +
                             encode_messagepack_close("bye", true);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    MessagePackRecordReader reader;
    ASSERT_TRUE(reader.append(stream.substr(0, cut)));
    auto records = drain(reader);
    ASSERT_TRUE(reader.append(stream.substr(cut)));
    for (auto& record : drain(reader)) records.push_back(record);
    ASSERT_EQ(records.size(), 3u) << cut;
    EXPECT_EQ(records[1], "\x91\x06");
    EXPECT_EQ(parse_ok(records[2]).error, "bye");
  }
}

TEST(MessagePackRecordReader, EmptyRecordIsYielded) {
  MessagePackRecordReader reader;
  ASSERT_TRUE(reader.append(bytes({0x00, 0x00})));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(parse_error(""), "Invalid MessagePack: empty record");
}

TEST(MessagePackRecordReader, OverLimitRejectedBeforeItsBodyArrives) {
  MessagePackRecordReader reader(16);
  EXPECT_TRUE(reader.append(framed(std::string(16, 'a'))));  // exactly the limit
  EXPECT_EQ(drain(reader).size(), 1u);
  EXPECT_FALSE(reader.append(bytes({0x11})));  // 17: only the prefix has arrived
  EXPECT_TRUE(reader.failed());
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.append("\x91\x06"));  // stays failed
  EXPECT_EQ(reader.pending_bytes(), 0u);

  MessagePackRecordReader big(32 * 1024);
  EXPECT_FALSE(big.append(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x07})));  // 2 GiB claimed
  MessagePackRecordReader later(16);
  EXPECT_FALSE(later.append("\x02\x91\x06\x02\x91\x06\x7f"));  // good records, then too long
  EXPECT_FALSE(later.next());
}

TEST(MessagePackRecordReader, BufferDoesNotGrowWithDrainedTraffic) {
  MessagePackRecordReader reader(64);
  const std::string ping(messagepack_ping_frame());
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(reader.append(ping + ping.substr(0, 2)));
    ASSERT_TRUE(reader.append(ping.substr(2)));
    EXPECT_EQ(drain(reader).size(), 2u);
    EXPECT_EQ(reader.pending_bytes(), 0u);
  }
}

// ---- parsing: hand-written spec bytes ----

TEST(ParseMessagePackMessage, PingWithEveryIntegerWidth) {
  for (const auto& record :
       {bytes({0x91, 0x06}), bytes({0x91, 0xCC, 0x06}), bytes({0x91, 0xCD, 0x00, 0x06}),
        bytes({0x91, 0xCE, 0x00, 0x00, 0x00, 0x06}), bytes({0x91, 0xCF, 0, 0, 0, 0, 0, 0, 0, 0x06}),
        bytes({0x91, 0xD0, 0x06}), bytes({0x91, 0xD1, 0x00, 0x06}),
        bytes({0x91, 0xD2, 0x00, 0x00, 0x00, 0x06}), bytes({0x91, 0xD3, 0, 0, 0, 0, 0, 0, 0, 0x06}),
        bytes({0xDC, 0x00, 0x01, 0x06}), bytes({0xDD, 0x00, 0x00, 0x00, 0x01, 0x06})}) {
    EXPECT_EQ(parse_ok(record).type, MessageType::Ping) << hex(record);
  }
  EXPECT_EQ(messagepack_ping_frame(), bytes({0x02, 0x91, 0x06}));
}

TEST(ParseMessagePackMessage, JsClientInvocationWithFiveElements) {
  // [1, {}, nil, "send", ["hi", 42]] as @microsoft/signalr-protocol-msgpack writes it.
  const std::string record =
      bytes({0x95, 0x01, 0x80, 0xC0, 0xA4}) + "send" + bytes({0x92, 0xA2}) + "hi" + bytes({0x2A});
  const auto m = parse_ok(record);
  EXPECT_EQ(m.type, MessageType::Invocation);
  EXPECT_FALSE(m.has_invocation_id);
  EXPECT_EQ(m.target, "send");
  EXPECT_EQ(m.arguments_json, bytes({0x92, 0xA2}) + "hi" + bytes({0x2A}));
  EXPECT_EQ(to_json(m.arguments_json), R"(["hi",42])");
  EXPECT_TRUE(m.stream_ids.empty());
  EXPECT_TRUE(m.headers.empty());
}

TEST(ParseMessagePackMessage, InvocationWithIdHeadersAndStreams) {
  // [1, {"k": "v", "x": "y"}, "7", "Upload", [1], ["s1", "s2"]]
  const std::string record = bytes({0x96, 0x01, 0x82, 0xA1}) + "k" + bytes({0xA1}) + "v" +
                             bytes({0xA1}) + "x" + bytes({0xA1}) + "y" + bytes({0xA1}) + "7" +
                             bytes({0xA6}) + "Upload" + bytes({0x91, 0x01, 0x92, 0xA2}) + "s1" +
                             bytes({0xA2}) + "s2";
  const auto m = parse_ok(record);
  EXPECT_EQ(m.type, MessageType::Invocation);
  EXPECT_TRUE(m.has_invocation_id);
  EXPECT_EQ(m.invocation_id, "7");
  EXPECT_EQ(m.target, "Upload");
  EXPECT_EQ(m.arguments_json, bytes({0x91, 0x01}));
  EXPECT_EQ(m.stream_ids, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(m.headers, (std::map<std::string, std::string>{{"k", "v"}, {"x", "y"}}));
}

TEST(ParseMessagePackMessage, NilAndEmptyIdsAreAbsent) {
  const std::string tail = bytes({0xA1}) + "t" + bytes({0x90});
  EXPECT_FALSE(parse_ok(bytes({0x95, 0x01, 0x80, 0xC0}) + tail).has_invocation_id);
  EXPECT_FALSE(parse_ok(bytes({0x95, 0x01, 0x80, 0xA0}) + tail).has_invocation_id);
  EXPECT_FALSE(parse_ok(bytes({0x95, 0x01, 0x80, 0xD9, 0x00}) + tail).has_invocation_id);
  const auto m = parse_ok(bytes({0x95, 0x01, 0x80, 0xA1, '0'}) + tail);
  EXPECT_TRUE(m.has_invocation_id);
  EXPECT_EQ(m.invocation_id, "0");
  // Headers may be nil too; StreamIds nil is no streams.
  EXPECT_EQ(parse_ok(bytes({0x96, 0x01, 0xC0, 0xC0}) + tail + bytes({0xC0})).target, "t");
  // Ids that a message requires.
  EXPECT_EQ(parse_error(bytes({0x95, 0x04, 0x80, 0xC0}) + tail),
            "StreamInvocation: 'invocationId' must be a string");
  EXPECT_EQ(parse_error(bytes({0x95, 0x04, 0x80, 0xA0}) + tail),
            "StreamInvocation: 'invocationId' must be a non-empty string");
  EXPECT_EQ(parse_error(bytes({0x93, 0x05, 0x80, 0xC0})),
            "CancelInvocation: 'invocationId' must be a string");
  EXPECT_EQ(parse_error(bytes({0x94, 0x03, 0x80, 0x01, 0x02})),
            "Completion: 'invocationId' must be a string");
}

TEST(ParseMessagePackMessage, StreamInvocationStreamItemCancel) {
  auto m = parse_ok(bytes({0x95, 0x04, 0x80, 0xA1, '3', 0xA7}) + "Counter" +
                    bytes({0x92, 0x0A, 0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(m.type, MessageType::StreamInvocation);
  EXPECT_EQ(m.invocation_id, "3");
  EXPECT_EQ(m.target, "Counter");
  EXPECT_EQ(to_json(m.arguments_json), "[10,1.5]");

  m = parse_ok(bytes({0x94, 0x02, 0x80, 0xA1, '3', 0x81, 0xA1, 'a', 0x93, 0x01, 0x02, 0x03}));
  EXPECT_EQ(m.type, MessageType::StreamItem);
  EXPECT_EQ(m.invocation_id, "3");
  EXPECT_EQ(m.item_json, bytes({0x81, 0xA1, 'a', 0x93, 0x01, 0x02, 0x03}));
  EXPECT_EQ(parse_ok(bytes({0x94, 0x02, 0x80, 0xA1, '3', 0xC0})).item_json, "\xC0");

  m = parse_ok(bytes({0x93, 0x05, 0x81, 0xA1, 'h', 0xA1, 'v', 0xA2, '1', '2'}));
  EXPECT_EQ(m.type, MessageType::CancelInvocation);
  EXPECT_EQ(m.invocation_id, "12");
  EXPECT_EQ(m.headers.at("h"), "v");
}

TEST(ParseMessagePackMessage, CompletionKinds) {
  auto m = parse_ok(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0x01, 0xA4}) + "boom");
  EXPECT_EQ(m.type, MessageType::Completion);
  EXPECT_TRUE(m.has_error);
  EXPECT_EQ(m.error, "boom");
  EXPECT_FALSE(m.has_result);

  m = parse_ok(bytes({0x94, 0x03, 0x80, 0xA1, '1', 0x02}));
  EXPECT_FALSE(m.has_error);
  EXPECT_FALSE(m.has_result);

  m = parse_ok(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0x03, 0x92, 0xC3, 0xC0}));
  EXPECT_TRUE(m.has_result);
  EXPECT_EQ(m.result_json, bytes({0x92, 0xC3, 0xC0}));
  EXPECT_EQ(to_json(m.result_json), "[true,null]");
  EXPECT_EQ(parse_ok(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0xCD, 0x00, 0x03, 0xC0})).result_json,
            "\xC0");

  EXPECT_EQ(parse_error(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0x07, 0xC0})),
            "Completion: invalid result kind 7");
  EXPECT_EQ(parse_error(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0xFF, 0xC0})),
            "Completion: invalid result kind -1");
  EXPECT_EQ(parse_error(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0x00, 0xC0})),
            "Completion: invalid result kind 0");
  EXPECT_EQ(parse_error(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0xA1, '3', 0xC0})),
            "Completion: 'resultKind' must be an integer");
  EXPECT_EQ(parse_error(bytes({0x94, 0x03, 0x80, 0xA1, '1', 0x01})), "Completion: missing 'error'");
  EXPECT_EQ(parse_error(bytes({0x94, 0x03, 0x80, 0xA1, '1', 0x03})),
            "Completion: missing 'result'");
  EXPECT_EQ(parse_error(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0x01, 0x05})),
            "Completion: 'error' must be a string");
  EXPECT_EQ(parse_error(bytes({0x93, 0x03, 0x80, 0xA1})), "Invalid MessagePack: truncated");
  EXPECT_EQ(parse_error(bytes({0x93, 0x03, 0x80, 0xA1, '1'})),
            "Completion: expected at least 4 elements, got 3");
}

TEST(ParseMessagePackMessage, CloseWithTwoAndThreeElements) {
  auto m = parse_ok(bytes({0x92, 0x07, 0xC0}));  // the JS client's Close
  EXPECT_EQ(m.type, MessageType::Close);
  EXPECT_FALSE(m.has_error);
  EXPECT_FALSE(m.allow_reconnect);

  m = parse_ok(bytes({0x93, 0x07, 0xA3, 'e', 'r', 'r', 0xC3}));  // the .NET server's Close
  EXPECT_TRUE(m.has_error);
  EXPECT_EQ(m.error, "err");
  EXPECT_TRUE(m.allow_reconnect);

  m = parse_ok(bytes({0x93, 0x07, 0xA0, 0xC2}));
  EXPECT_FALSE(m.has_error);
  EXPECT_FALSE(m.allow_reconnect);
  EXPECT_FALSE(parse_ok(bytes({0x93, 0x07, 0xC0, 0xC0})).allow_reconnect);

  EXPECT_EQ(parse_error(bytes({0x91, 0x07})), "Close: expected at least 2 elements, got 1");
  EXPECT_EQ(parse_error(bytes({0x92, 0x07, 0x05})), "Close: 'error' must be a string");
  EXPECT_EQ(parse_error(bytes({0x93, 0x07, 0xC0, 0x01})),
            "Close: 'allowReconnect' must be a boolean");
}

TEST(ParseMessagePackMessage, AckAndSequenceWithEveryIntegerWidth) {
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0x05})).sequence_id, 5);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0xCC, 0xC8})).sequence_id, 200);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x09, 0xCD, 0x01, 0x2C})).sequence_id, 300);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x09, 0xCE, 0x00, 0x01, 0x00, 0x00})).sequence_id, 65536);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x09, 0xCF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}))
                .sequence_id,
            INT64_MAX);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0xD2, 0x00, 0x00, 0x01, 0x00})).sequence_id, 256);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0xD3, 0, 0, 0, 1, 0, 0, 0, 0})).sequence_id,
            std::int64_t{1} << 32);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0xFF})).sequence_id, -1);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0xD0, 0x80})).sequence_id, -128);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x08, 0x05})).type, MessageType::Ack);
  EXPECT_EQ(parse_ok(bytes({0x92, 0x09, 0x05})).type, MessageType::Sequence);
  EXPECT_EQ(parse_error(bytes({0x92, 0x08, 0xCF, 0x80, 0, 0, 0, 0, 0, 0, 0})),
            "Ack: 'sequenceId' is out of range");
  EXPECT_EQ(parse_error(bytes({0x92, 0x09, 0xA1, '1'})),
            "Sequence: 'sequenceId' must be an integer");
  EXPECT_EQ(parse_error(bytes({0x92, 0x08, 0xCB, 0, 0, 0, 0, 0, 0, 0, 0})),
            "Ack: 'sequenceId' must be an integer");
}

TEST(ParseMessagePackMessage, UnknownTypesAreIgnored) {
  for (const auto& record : {bytes({0x91, 0x0A}), bytes({0x91, 0x00}), bytes({0x91, 0xFF}),
                             bytes({0x93, 0xCC, 0xC8, 0x80, 0xC0}),
                             bytes({0x91, 0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),
                             bytes({0x91, 0xD3, 0x80, 0, 0, 0, 0, 0, 0, 0})}) {
    const auto parsed = parse_messagepack_message(record);
    EXPECT_FALSE(parsed.message) << hex(record);
    EXPECT_EQ(parsed.error, "") << hex(record);
  }
}

TEST(ParseMessagePackMessage, StructuralErrors) {
  EXPECT_EQ(parse_error(bytes({0x06})), "Message is not an array");
  EXPECT_EQ(parse_error(bytes({0x81, 0xA4, 't', 'y', 'p', 'e', 0x06})), "Message is not an array");
  EXPECT_EQ(parse_error(bytes({0x90})), "Message is an empty array");
  EXPECT_EQ(parse_error(bytes({0x91, 0xA1, '6'})), "Message type must be an integer");
  EXPECT_EQ(parse_error(bytes({0x91, 0xC0})), "Message type must be an integer");
  EXPECT_EQ(parse_error(bytes({0x91, 0xCA, 0x40, 0xC0, 0, 0})), "Message type must be an integer");
  EXPECT_EQ(parse_error(bytes({0x91, 0x06, 0x00})),
            "Invalid MessagePack: 1 trailing bytes after the message");
  EXPECT_EQ(parse_error(bytes({0x91, 0xC1})), "Invalid MessagePack: reserved type byte 0xc1");
  EXPECT_EQ(parse_error(bytes({0x92, 0x06})), "Invalid MessagePack: truncated");
  // Claimed lengths and counts far above the record: rejected without allocating.
  EXPECT_EQ(parse_error(bytes({0xDD, 0xFF, 0xFF, 0xFF, 0xFF, 0x06})),
            "Invalid MessagePack: truncated");
  EXPECT_EQ(parse_error(bytes({0xDF, 0xFF, 0xFF, 0xFF, 0xFF, 0x06, 0x06})),
            "Invalid MessagePack: truncated");
  EXPECT_EQ(parse_error(bytes({0x92, 0x02, 0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 'a'})),
            "Invalid MessagePack: truncated");
  EXPECT_EQ(parse_error(bytes({0x92, 0x02, 0xC6, 0x7F, 0xFF, 0xFF, 0xFF})),
            "Invalid MessagePack: truncated");
  EXPECT_EQ(parse_error(bytes({0x92, 0x02, 0xC9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00})),
            "Invalid MessagePack: truncated");
}

TEST(ParseMessagePackMessage, TooFewElements) {
  EXPECT_EQ(parse_error(bytes({0x94, 0x01, 0x80, 0xC0, 0xA1, 't'})),
            "Invocation: expected at least 5 elements, got 4");
  EXPECT_EQ(parse_error(bytes({0x93, 0x02, 0x80, 0xA1, '1'})),
            "StreamItem: expected at least 4 elements, got 3");
  EXPECT_EQ(parse_error(bytes({0x92, 0x05, 0x80})),
            "CancelInvocation: expected at least 3 elements, got 2");
  EXPECT_EQ(parse_error(bytes({0x91, 0x08})), "Ack: expected at least 2 elements, got 1");
}

TEST(ParseMessagePackMessage, ExtraElementsAreIgnored) {
  EXPECT_EQ(parse_ok(bytes({0x92, 0x06, 0xC0})).type, MessageType::Ping);
  EXPECT_EQ(parse_ok(bytes({0x94, 0x07, 0xC0, 0xC3, 0x93, 0x01, 0x02, 0x03})).allow_reconnect,
            true);
  EXPECT_EQ(parse_ok(bytes({0x95, 0x03, 0x80, 0xA1, '1', 0x02, 0x05})).has_result, false);
}

TEST(ParseMessagePackMessage, WrongElementTypes) {
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x80, 0xC0, 0x05, 0x90})),
            "Invocation: 'target' must be a string");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x80, 0xC0, 0xA1, 't', 0x80})),
            "Invocation: 'arguments' must be an array");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x80, 0xC0, 0xA1, 't', 0xC0})),
            "Invocation: 'arguments' must be an array");
  EXPECT_EQ(parse_error(bytes({0x96, 0x01, 0x80, 0xC0, 0xA1, 't', 0x90, 0x91, 0x01})),
            "Invocation: 'streamIds' must be an array of strings");
  EXPECT_EQ(parse_error(bytes({0x96, 0x04, 0x80, 0xA1, '1', 0xA1, 't', 0x90, 0xA1, 's'})),
            "StreamInvocation: 'streamIds' must be an array of strings");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x90, 0xC0, 0xA1, 't', 0x90})),
            "Invocation: 'headers' must be a map");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x81, 0xA1, 'k', 0x01, 0xC0, 0xA1, 't', 0x90})),
            "Invocation: 'headers' must map strings to strings");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x81, 0x01, 0xA1, 'v', 0xC0, 0xA1, 't', 0x90})),
            "Invocation: 'headers' must map strings to strings");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x80, 0x05, 0xA1, 't', 0x90})),
            "Invocation: 'invocationId' must be a string");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x80, 0xC4, 0x01, '1', 0xA1, 't', 0x90})),
            "Invocation: 'invocationId' must be a string");  // bin is not str
  EXPECT_EQ(parse_error(bytes({0x94, 0x02, 0x80, 0xA1, '1'})), "Invalid MessagePack: truncated");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x80, 0xC0, 0xA2, 0xC3, 0x28, 0x90})),
            "Invocation: 'target' is not valid UTF-8");
  EXPECT_EQ(parse_error(bytes({0x95, 0x01, 0x81, 0xA1, 0xFF, 0xA0, 0xC0, 0xA1, 't', 0x90})),
            "Invocation: 'headers' is not valid UTF-8");
}

TEST(ParseMessagePackMessage, NestingDepthIsLimited) {
  // The message array is level 1 and the arguments array level 2: 62 more levels are allowed.
  const std::string head = bytes({0x95, 0x01, 0x80, 0xC0, 0xA1, 't', 0x91});
  EXPECT_EQ(parse_ok(head + nested_arrays(62)).type, MessageType::Invocation);
  EXPECT_EQ(parse_error(head + nested_arrays(63)),
            "Invalid MessagePack: nested deeper than 64 levels");
  EXPECT_EQ(parse_error(head + nested_arrays(100000)),
            "Invalid MessagePack: nested deeper than 64 levels");
}

TEST(ParseMessagePackMessage, PayloadsKeepEveryMessagePackType) {
  // Arguments with bin, ext, timestamp, float32, map with a non-string key: kept verbatim.
  const std::string arguments =
      bytes({0x96, 0xC4, 0x02, 0x01, 0x02, 0xD4, 0x05, 0x00, 0xD6, 0xFF, 0,    0,   0,
             0,    0xCA, 0x3F, 0xC0, 0x00, 0x00, 0x81, 0x01, 0x02, 0xC7, 0x00, 0x07});
  const auto m = parse_ok(bytes({0x95, 0x01, 0x80, 0xC0, 0xA1, 't'}) + arguments);
  EXPECT_EQ(m.arguments_json, arguments);
}

// ---- parsing: encoder output ----

TEST(ParseMessagePackMessage, EncodedInvocationRoundTrip) {
  const std::string frame =
      encode_messagepack_invocation("ReceiveMessage", mp(R"(["user",{"n":-5},[1.25]])"), "42");
  const auto m = parse_ok(body_of(frame));
  EXPECT_EQ(m.type, MessageType::Invocation);
  EXPECT_EQ(m.invocation_id, "42");
  EXPECT_EQ(m.target, "ReceiveMessage");
  EXPECT_EQ(to_json(m.arguments_json), R"(["user",{"n":-5},[1.25]])");
  EXPECT_TRUE(m.stream_ids.empty());

  const auto no_id = parse_ok(body_of(encode_messagepack_invocation("x", mp("[]"))));
  EXPECT_FALSE(no_id.has_invocation_id);
  EXPECT_EQ(no_id.arguments_json, "\x90");
  EXPECT_EQ(parse_ok(body_of(encode_messagepack_invocation("x", ""))).arguments_json, "\x90");
}

TEST(ParseMessagePackMessage, EveryEncodedMessageParses) {
  auto m = parse_ok(body_of(encode_messagepack_completion_error("9", "failed")));
  EXPECT_EQ(m.type, MessageType::Completion);
  EXPECT_EQ(m.invocation_id, "9");
  EXPECT_TRUE(m.has_error);
  EXPECT_EQ(m.error, "failed");

  m = parse_ok(body_of(encode_messagepack_completion_void("9")));
  EXPECT_FALSE(m.has_error);
  EXPECT_FALSE(m.has_result);

  m = parse_ok(body_of(encode_messagepack_completion_result("9", mp(R"({"ok":true})"))));
  EXPECT_TRUE(m.has_result);
  EXPECT_EQ(to_json(m.result_json), R"({"ok":true})");

  m = parse_ok(body_of(encode_messagepack_close("going away", true)));
  EXPECT_EQ(m.type, MessageType::Close);
  EXPECT_EQ(m.error, "going away");
  EXPECT_TRUE(m.allow_reconnect);
  m = parse_ok(body_of(encode_messagepack_close()));
  EXPECT_FALSE(m.has_error);
  EXPECT_FALSE(m.allow_reconnect);

  for (std::int64_t id :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{127}, std::int64_t{128}, std::int64_t{70000},
        std::int64_t{5000000000}, INT64_MAX, std::int64_t{-1}, INT64_MIN}) {
    m = parse_ok(body_of(encode_messagepack_ack(id)));
    EXPECT_EQ(m.type, MessageType::Ack);
    EXPECT_EQ(m.sequence_id, id);
    m = parse_ok(body_of(encode_messagepack_sequence(id)));
    EXPECT_EQ(m.type, MessageType::Sequence);
    EXPECT_EQ(m.sequence_id, id);
  }
  EXPECT_EQ(parse_ok(body_of(messagepack_ping_frame())).type, MessageType::Ping);
}

// ---- encoders: exact bytes ----

TEST(EncodeMessagePack, InvocationAsTheDotNetServerWritesIt) {
  EXPECT_EQ(encode_messagepack_invocation("send", mp(R"(["hi"])"), "1"),
            bytes({0x0F, 0x96, 0x01, 0x80, 0xA1, '1', 0xA4, 's', 'e', 'n', 'd', 0x91, 0xA2, 'h',
                   'i', 0x90}));
  EXPECT_EQ(encode_messagepack_invocation("send", mp("[]")),
            bytes({0x0B, 0x96, 0x01, 0x80, 0xC0, 0xA4, 's', 'e', 'n', 'd', 0x90, 0x90}));
}

TEST(EncodeMessagePack, CompletionCloseAckSequence) {
  EXPECT_EQ(encode_messagepack_completion_error("1", "e"),
            bytes({0x08, 0x95, 0x03, 0x80, 0xA1, '1', 0x01, 0xA1, 'e'}));
  EXPECT_EQ(encode_messagepack_completion_void("1"),
            bytes({0x06, 0x94, 0x03, 0x80, 0xA1, '1', 0x02}));
  EXPECT_EQ(encode_messagepack_completion_result("1", bytes({0x2A})),
            bytes({0x07, 0x95, 0x03, 0x80, 0xA1, '1', 0x03, 0x2A}));
  EXPECT_EQ(encode_messagepack_completion_result("1", ""),
            bytes({0x07, 0x95, 0x03, 0x80, 0xA1, '1', 0x03, 0xC0}));
  EXPECT_EQ(encode_messagepack_close(), bytes({0x04, 0x93, 0x07, 0xC0, 0xC2}));
  EXPECT_EQ(encode_messagepack_close("x", true), bytes({0x05, 0x93, 0x07, 0xA1, 'x', 0xC3}));
  EXPECT_EQ(encode_messagepack_ack(1), bytes({0x03, 0x92, 0x08, 0x01}));
  EXPECT_EQ(encode_messagepack_ack(300), bytes({0x05, 0x92, 0x08, 0xCD, 0x01, 0x2C}));
  EXPECT_EQ(encode_messagepack_sequence(-1), bytes({0x03, 0x92, 0x09, 0xFF}));
  EXPECT_EQ(encode_messagepack_sequence(1LL << 40),
            bytes({0x0B, 0x92, 0x09, 0xCF, 0, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(EncodeMessagePack, LongBodiesGetMultiBytePrefixes) {
  const std::string error(200, 'e');
  const std::string frame = encode_messagepack_completion_error("1", error);
  // body: 95 03 80 a1 31 01 d9 c8 + 200 bytes = 208 = d0 01
  EXPECT_EQ(frame.substr(0, 2), bytes({0xD0, 0x01}));
  EXPECT_EQ(parse_ok(body_of(frame)).error, error);
  const std::string huge(70000, 'x');
  EXPECT_EQ(parse_ok(body_of(encode_messagepack_close(huge))).error, huge);
}

TEST(EncodeMessagePack, EncodeMessageRoundTripsEveryType) {
  HubMessage invocation;
  invocation.type = MessageType::StreamInvocation;
  invocation.headers = {{"a", "b"}};
  invocation.has_invocation_id = true;
  invocation.invocation_id = "5";
  invocation.target = "Stream";
  invocation.arguments_json = mp("[1,2]");
  invocation.stream_ids = {"s"};
  auto m = parse_ok(body_of(encode_messagepack_message(invocation)));
  EXPECT_EQ(m.type, MessageType::StreamInvocation);
  EXPECT_EQ(m.headers, invocation.headers);
  EXPECT_EQ(m.invocation_id, "5");
  EXPECT_EQ(m.target, "Stream");
  EXPECT_EQ(m.arguments_json, invocation.arguments_json);
  EXPECT_EQ(m.stream_ids, invocation.stream_ids);

  HubMessage defaults;  // arguments_json is the struct's JSON "[]"
  defaults.type = MessageType::Invocation;
  defaults.target = "t";
  m = parse_ok(body_of(encode_messagepack_message(defaults)));
  EXPECT_EQ(m.arguments_json, "\x90");
  EXPECT_FALSE(m.has_invocation_id);

  HubMessage item;
  item.type = MessageType::StreamItem;
  item.invocation_id = "5";
  item.item_json = mp(R"("x")");
  EXPECT_EQ(parse_ok(body_of(encode_messagepack_message(item))).item_json, mp(R"("x")"));
  item.item_json.clear();
  EXPECT_EQ(parse_ok(body_of(encode_messagepack_message(item))).item_json, "\xC0");

  HubMessage completion;
  completion.type = MessageType::Completion;
  completion.invocation_id = "5";
  EXPECT_EQ(encode_messagepack_message(completion), encode_messagepack_completion_void("5"));
  completion.has_result = true;
  completion.result_json = "\x07";
  EXPECT_EQ(encode_messagepack_message(completion),
            encode_messagepack_completion_result("5", "\x07"));
  completion.has_error = true;
  completion.error = "no";
  EXPECT_EQ(encode_messagepack_message(completion), encode_messagepack_completion_error("5", "no"));

  HubMessage cancel;
  cancel.type = MessageType::CancelInvocation;
  cancel.invocation_id = "8";
  EXPECT_EQ(parse_ok(body_of(encode_messagepack_message(cancel))).invocation_id, "8");

  HubMessage close;
  close.type = MessageType::Close;
  close.error = "e";
  close.allow_reconnect = true;
  EXPECT_EQ(encode_messagepack_message(close), encode_messagepack_close("e", true));
  HubMessage ack;
  ack.type = MessageType::Ack;
  ack.sequence_id = 3;
  EXPECT_EQ(encode_messagepack_message(ack), encode_messagepack_ack(3));
  ack.type = MessageType::Sequence;
  EXPECT_EQ(encode_messagepack_message(ack), encode_messagepack_sequence(3));
  EXPECT_EQ(encode_messagepack_message(HubMessage{}), std::string(messagepack_ping_frame()));
}

// ---- hostile input ----

std::vector<std::string> valid_records() {
  std::vector<std::string> records;
  const auto add = [&](const std::string& frame) { records.push_back(body_of(frame)); };
  add(encode_messagepack_invocation(
      "send", mp(R"(["hi",{"a":[1,-2,3.5,null,true]},"\u00e9",18446744073709551615])"), "1"));
  add(encode_messagepack_completion_result("2", mp(R"({"k":[{"x":"y"}]})")));
  add(encode_messagepack_completion_error("3", "oops"));
  add(encode_messagepack_completion_void("4"));
  add(encode_messagepack_close("bye", true));
  add(encode_messagepack_ack(123456));
  add(encode_messagepack_sequence(7));
  add(std::string(messagepack_ping_frame()));
  records.push_back(
      bytes({0x96, 0x04, 0x81, 0xA1, 'k', 0xA1, 'v', 0xA1, '5',  0xA1, 't',  0x93, 0xC4,
             0x01, 0x00, 0xD6, 0xFF, 0,   0,    0,   1,    0xC7, 0x0C, 0xFF, 0,    0,
             0,    1,    0,    0,    0,   0,    0,   0,    0,    1,    0x91, 0xA1, 's'}));
  records.push_back(bytes({0x94, 0x02, 0x80, 0xA1, '5', 0xCA, 0x3F, 0x80, 0, 0}));
  records.push_back(bytes({0x93, 0x05, 0x80, 0xA1, '5'}));
  return records;
}

// A parse must give a message or an error (or neither, for an unknown type) and never crash; a
// parsed message must re-encode into a record that parses again.
void check_parse(std::string_view record) {
  const auto parsed = parse_messagepack_message(record);
  if (parsed.message) {
    ASSERT_EQ(parsed.error, "");
    const std::string again = body_of(encode_messagepack_message(*parsed.message));
    const auto reparsed = parse_messagepack_message(again);
    ASSERT_TRUE(reparsed.message) << hex(record) << " -> " << reparsed.error;
    ASSERT_EQ(reparsed.message->type, parsed.message->type);
  }
  (void)messagepack_to_json(record);
}

TEST(MessagePackFuzz, TruncatedAtEveryPosition) {
  for (const auto& record : valid_records()) {
    EXPECT_TRUE(parse_messagepack_message(record).message) << hex(record);
    for (std::size_t length = 0; length < record.size(); ++length) {
      const auto prefix = std::string_view(record).substr(0, length);
      EXPECT_NE(parse_error(prefix), "");
      EXPECT_FALSE(messagepack_to_json(prefix)) << hex(prefix);
    }
  }
}

TEST(MessagePackFuzz, RandomBuffersNeverCrash) {
  std::mt19937 rng(20240601);
  // Bias towards interesting type bytes so that deeper structures appear.
  const std::vector<int> interesting = {0x90, 0x91, 0x92, 0x95, 0x96, 0x80, 0x81, 0xA1, 0xC0, 0xC1,
                                        0xC4, 0xC7, 0xCA, 0xCB, 0xCC, 0xCF, 0xD3, 0xD6, 0xD7, 0xD9,
                                        0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xFF, 0x01, 0x03, 0x06, 0x07};
  for (int i = 0; i < 20000; ++i) {
    const std::size_t length = rng() % 48;
    std::string buffer;
    for (std::size_t k = 0; k < length; ++k) {
      buffer += static_cast<char>(rng() % 3 == 0 ? interesting[rng() % interesting.size()]
                                                 : static_cast<int>(rng() % 256));
    }
    if (rng() % 2 == 0) buffer.insert(0, "\x95\x01");
    check_parse(buffer);
    MessagePackRecordReader reader(64);
    reader.append(buffer);
    while (auto record = reader.next()) check_parse(*record);
  }
}

TEST(MessagePackFuzz, MutatedValidRecordsNeverCrash) {
  std::mt19937 rng(42);
  const auto records = valid_records();
  int parsed = 0;
  for (int i = 0; i < 40000; ++i) {
    std::string record = records[rng() % records.size()];
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < mutations && !record.empty(); ++k) {
      const std::size_t at = rng() % record.size();
      switch (rng() % 5) {
        case 0:
          record[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          record[at] = static_cast<char>(record[at] ^ (1 << (rng() % 8)));
          break;
        case 2:
          record.insert(at, 1, static_cast<char>(rng() % 256));
          break;
        case 3:
          record.erase(at, 1);
          break;
        default:
          record.resize(at);
      }
    }
    check_parse(record);
    if (parse_messagepack_message(record).message) ++parsed;
  }
  EXPECT_GT(parsed, 0);  // some mutations stay valid, and those re-encode
}

// ---- JSON -> MessagePack ----

TEST(JsonToMessagePack, IntegersUseTheSmallestEncoding) {
  EXPECT_EQ(mp("0"), bytes({0x00}));
  EXPECT_EQ(mp("127"), bytes({0x7F}));
  EXPECT_EQ(mp("128"), bytes({0xCC, 0x80}));
  EXPECT_EQ(mp("255"), bytes({0xCC, 0xFF}));
  EXPECT_EQ(mp("256"), bytes({0xCD, 0x01, 0x00}));
  EXPECT_EQ(mp("65535"), bytes({0xCD, 0xFF, 0xFF}));
  EXPECT_EQ(mp("65536"), bytes({0xCE, 0x00, 0x01, 0x00, 0x00}));
  EXPECT_EQ(mp("4294967295"), bytes({0xCE, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(mp("4294967296"), bytes({0xCF, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(mp("18446744073709551615"),
            bytes({0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(mp("-1"), bytes({0xFF}));
  EXPECT_EQ(mp("-32"), bytes({0xE0}));
  EXPECT_EQ(mp("-33"), bytes({0xD0, 0xDF}));
  EXPECT_EQ(mp("-128"), bytes({0xD0, 0x80}));
  EXPECT_EQ(mp("-129"), bytes({0xD1, 0xFF, 0x7F}));
  EXPECT_EQ(mp("-32768"), bytes({0xD1, 0x80, 0x00}));
  EXPECT_EQ(mp("-32769"), bytes({0xD2, 0xFF, 0xFF, 0x7F, 0xFF}));
  EXPECT_EQ(mp("-2147483648"), bytes({0xD2, 0x80, 0, 0, 0}));
  EXPECT_EQ(mp("-2147483649"), bytes({0xD3, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(mp("-9223372036854775808"), bytes({0xD3, 0x80, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(JsonToMessagePack, ScalarsStringsContainers) {
  EXPECT_EQ(mp("null"), bytes({0xC0}));
  EXPECT_EQ(mp("true"), bytes({0xC3}));
  EXPECT_EQ(mp("false"), bytes({0xC2}));
  EXPECT_EQ(mp("1.5"), bytes({0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(mp("1.0"), bytes({0xCB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}));  // not an integer
  EXPECT_EQ(mp(R"("")"), bytes({0xA0}));
  EXPECT_EQ(mp(R"("abc")"), bytes({0xA3, 'a', 'b', 'c'}));
  EXPECT_EQ(mp("\"" + std::string(31, 'x') + "\""), "\xBF" + std::string(31, 'x'));
  EXPECT_EQ(mp("\"" + std::string(32, 'x') + "\""), "\xD9\x20" + std::string(32, 'x'));
  EXPECT_EQ(mp("\"" + std::string(256, 'x') + "\""), "\xDA\x01\x00"s + std::string(256, 'x'));
  EXPECT_EQ(mp("\"" + std::string(65536, 'x') + "\""),
            "\xDB\x00\x01\x00\x00"s + std::string(65536, 'x'));
  EXPECT_EQ(mp("[]"), bytes({0x90}));
  EXPECT_EQ(mp("{}"), bytes({0x80}));
  EXPECT_EQ(mp(R"({"a":1})"), bytes({0x81, 0xA1, 'a', 0x01}));
  std::string fifteen = "[0";
  for (int i = 1; i < 15; ++i) fifteen += ",0";
  EXPECT_EQ(mp(fifteen + "]"), "\x9F" + std::string(15, '\0'));
  EXPECT_EQ(mp(fifteen + ",0]"), "\xDC\x00\x10"s + std::string(16, '\0'));
  std::string big = "[0";
  for (int i = 1; i < 70000; ++i) big += ",0";
  EXPECT_EQ(mp(big + "]").substr(0, 5), bytes({0xDD, 0x00, 0x01, 0x11, 0x70}));
  std::string map = "{";
  for (int i = 0; i < 16; ++i) map += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
  EXPECT_EQ(mp(map + "}").substr(0, 3), bytes({0xDE, 0x00, 0x10}));
}

TEST(JsonToMessagePack, InvalidJson) {
  EXPECT_FALSE(json_to_messagepack(""));
  EXPECT_FALSE(json_to_messagepack("[1,"));
  EXPECT_FALSE(json_to_messagepack("{'a':1}"));
  EXPECT_FALSE(json_to_messagepack("[1] x"));
}

TEST(JsonToMessagePack, RoundTripsThroughMessagePackToJson) {
  for (const char* json : {
           R"({"a":[1,{"b":null,"c":[true,false]}],"d":"x","e":{}})",
           R"([[[[[[]]]]],{"":""}])",
           R"(["héllo","☃","😀","中文",""])",
           R"(["quote\" backslash\\ newline\n tab\t ctrl\u0001"])",
           R"([0,-1,127,128,-33,65536,4294967296,9223372036854775807,-9223372036854775808])",
           R"([18446744073709551615])",
           R"([1.5,-0.25,0.1,1e+300,-1.7976931348623157e+308,5e-324,1.0,123456.789])",
       }) {
    EXPECT_EQ(to_json(mp(json)), json);
  }
  // Text that does not come back character for character.
  EXPECT_EQ(to_json(mp(R"( { "a" : [ 1 , 2 ] } )")), R"({"a":[1,2]})");
  EXPECT_EQ(to_json(mp("1e2")), "100.0");
  EXPECT_EQ(to_json(mp("\"\\/\"")), R"("/")");
  EXPECT_EQ(to_json(mp(R"(["h\u00e9llo","\u2603","\ud83d\ude00","\u4e2d\u6587"])")),
            R"(["héllo","☃","😀","中文"])");
  EXPECT_EQ(mp(R"("\u00e9")"), "\xA2\xC3\xA9");
}

// ---- MessagePack -> JSON ----

TEST(MessagePackToJson, BinIsBase64) {
  EXPECT_EQ(to_json(bytes({0xC4, 0x03, 0x01, 0x02, 0x03})), R"("AQID")");
  EXPECT_EQ(to_json(bytes({0xC4, 0x00})), R"("")");
  EXPECT_EQ(to_json(bytes({0xC5, 0x00, 0x02, 0xFF, 0xFE})), R"("//4=")");
  EXPECT_EQ(to_json(bytes({0xC6, 0x00, 0x00, 0x00, 0x01, 'a'})), R"("YQ==")");
}

TEST(MessagePackToJson, Timestamps) {
  EXPECT_EQ(to_json(bytes({0xD6, 0xFF, 0, 0, 0, 0})), R"("1970-01-01T00:00:00Z")");
  // 1700000000 = 0x6553F100
  EXPECT_EQ(to_json(bytes({0xD6, 0xFF, 0x65, 0x53, 0xF1, 0x00})), R"("2023-11-14T22:13:20Z")");
  EXPECT_EQ(to_json(bytes({0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})), R"("2106-02-07T06:28:15Z")");
  // timestamp64: nanoseconds << 34 | seconds. 500 ms after second 1.
  const std::uint64_t bits64 = (std::uint64_t{500000000} << 34) | 1;
  std::string t64 = bytes({0xD7, 0xFF});
  for (int i = 7; i >= 0; --i) t64 += static_cast<char>((bits64 >> (8 * i)) & 0xFF);
  EXPECT_EQ(to_json(t64), R"("1970-01-01T00:00:01.500Z")");
  const std::uint64_t micro = (std::uint64_t{123456000} << 34) | 0x3FFFFFFFFull;
  std::string t64b = bytes({0xD7, 0xFF});
  for (int i = 7; i >= 0; --i) t64b += static_cast<char>((micro >> (8 * i)) & 0xFF);
  EXPECT_EQ(to_json(t64b), R"("2514-05-30T01:53:03.123456Z")");
  // timestamp96: DateTime.MinValue (0001-01-01, -62135596800 s) with 123456789 ns.
  const std::int64_t min_seconds = -62135596800;
  std::string t96 = bytes({0xC7, 0x0C, 0xFF, 0x07, 0x5B, 0xCD, 0x15});
  for (int i = 7; i >= 0; --i) {
    t96 += static_cast<char>((static_cast<std::uint64_t>(min_seconds) >> (8 * i)) & 0xFF);
  }
  EXPECT_EQ(to_json(t96), R"("0001-01-01T00:00:00.123456789Z")");
  // Before the epoch and outside 0..9999.
  std::string before = bytes({0xC7, 0x0C, 0xFF, 0, 0, 0, 0});
  for (int i = 7; i >= 0; --i) before += static_cast<char>((~std::uint64_t{0} >> (8 * i)) & 0xFF);
  EXPECT_EQ(to_json(before), R"("1969-12-31T23:59:59Z")");
  std::string far = bytes({0xC7, 0x0C, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0x3A, 0xFF, 0xF4, 0x41, 0x80});
  EXPECT_EQ(to_json(far), R"("+010000-01-01T00:00:00Z")");  // 253402300800 s
  std::string early = bytes({0xC7, 0x0C, 0xFF, 0, 0, 0, 0});
  const std::int64_t year_minus_one = -62198755200;  // -000001-01-01
  for (int i = 7; i >= 0; --i) {
    early += static_cast<char>((static_cast<std::uint64_t>(year_minus_one) >> (8 * i)) & 0xFF);
  }
  EXPECT_EQ(to_json(early), R"("-000001-01-01T00:00:00Z")");
  // Extremes do not overflow.
  std::string min96 = bytes({0xC7, 0x0C, 0xFF, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(messagepack_to_json(min96));
  std::string max96 =
      bytes({0xC7, 0x0C, 0xFF, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  EXPECT_TRUE(messagepack_to_json(max96));
  // Malformed timestamps: wrong size, nanoseconds out of range.
  EXPECT_FALSE(messagepack_to_json(bytes({0xD5, 0xFF, 0, 0})));
  EXPECT_FALSE(messagepack_to_json(
      bytes({0xC7, 0x0C, 0xFF, 0x3B, 0x9A, 0xCA, 0x00, 0, 0, 0, 0, 0, 0, 0, 0})));  // 1000000000 ns
}

TEST(MessagePackToJson, OtherExtensionsAreNull) {
  EXPECT_EQ(to_json(bytes({0xD4, 0x01, 0x00})), "null");
  EXPECT_EQ(to_json(bytes({0x92, 0xC7, 0x00, 0x05, 0xD8, 0x02, 0, 0, 0, 0, 0,
                           0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0})),
            "[null,null]");
  EXPECT_EQ(to_json(bytes({0xC8, 0x00, 0x01, 0x7F, 0x00})), "null");
  EXPECT_EQ(to_json(bytes({0xC9, 0x00, 0x00, 0x00, 0x01, 0x7F, 0x00})), "null");
}

TEST(MessagePackToJson, FloatsAndIntegers) {
  EXPECT_EQ(to_json(bytes({0xCA, 0x3F, 0xC0, 0x00, 0x00})), "1.5");
  EXPECT_EQ(to_json(bytes({0xCA, 0x3D, 0xCC, 0xCC, 0xCD})), "0.1");  // float32 0.1
  EXPECT_EQ(to_json(bytes({0xCA, 0x3F, 0x80, 0x00, 0x00})), "1.0");
  EXPECT_EQ(to_json(bytes({0xCB, 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A})), "0.1");
  EXPECT_EQ(to_json(bytes({0xCB, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0})), "null");  // NaN
  EXPECT_EQ(to_json(bytes({0xCB, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0})), "null");  // +Inf
  EXPECT_EQ(to_json(bytes({0xCA, 0xFF, 0x80, 0x00, 0x00})), "null");        // -Inf
  EXPECT_EQ(to_json(bytes({0xCB, 0x80, 0, 0, 0, 0, 0, 0, 0})), "-0.0");
  EXPECT_EQ(to_json(bytes({0xD0, 0x05})), "5");
  EXPECT_EQ(to_json(bytes({0xD1, 0xFF, 0xFE})), "-2");
  EXPECT_EQ(to_json(bytes({0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
            "18446744073709551615");
  EXPECT_EQ(to_json(bytes({0xD3, 0x80, 0, 0, 0, 0, 0, 0, 0})), "-9223372036854775808");
}

TEST(MessagePackToJson, StringsAndMaps) {
  EXPECT_EQ(to_json(bytes({0xD9, 0x02, 'h', 'i'})), R"("hi")");
  EXPECT_EQ(to_json(bytes({0xDA, 0x00, 0x01, '"'})), R"("\"")");
  EXPECT_EQ(to_json(bytes({0xDB, 0x00, 0x00, 0x00, 0x01, '\n'})), R"("\n")");
  EXPECT_EQ(to_json(bytes({0xA3, 'a', 0xFF, 'b'})),
            "\"a\xEF\xBF\xBD"
            "b\"");  // invalid UTF-8
  EXPECT_EQ(to_json(bytes({0xA3, 0xED, 0xA0, 0x80})), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(to_json(bytes({0x82, 0xA1, 'b', 0x01, 0xA1, 'a', 0x02})), R"({"b":1,"a":2})");
  EXPECT_EQ(to_json(bytes({0xDE, 0x00, 0x01, 0xA1, 'k', 0x90})), R"({"k":[]})");
  EXPECT_FALSE(messagepack_to_json(bytes({0x81, 0x01, 0x02})));  // non-string key
  EXPECT_FALSE(messagepack_to_json(bytes({0x81, 0xC4, 0x01, 'k', 0x02})));
  EXPECT_FALSE(messagepack_to_json(bytes({0x81, 0xA1, 'k'})));
}

TEST(MessagePackToJson, MalformedInput) {
  EXPECT_FALSE(messagepack_to_json(""));
  EXPECT_FALSE(messagepack_to_json(bytes({0xC1})));
  EXPECT_FALSE(messagepack_to_json(bytes({0x01, 0x02})));  // trailing bytes
  EXPECT_FALSE(messagepack_to_json(bytes({0x92, 0x01})));
  EXPECT_FALSE(messagepack_to_json(bytes({0xDD, 0xFF, 0xFF, 0xFF, 0xFF})));
  EXPECT_FALSE(messagepack_to_json(bytes({0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 'a'})));
  EXPECT_EQ(to_json(nested_arrays(63)), std::string(63, '[') + "null" + std::string(63, ']'));
  EXPECT_EQ(to_json(nested_arrays(64)), std::string(64, '[') + "null" + std::string(64, ']'));
  EXPECT_FALSE(messagepack_to_json(nested_arrays(65)));
  EXPECT_FALSE(messagepack_to_json(nested_arrays(1000000)));
}

}  // namespace
}  // namespace switchboard::protocol
