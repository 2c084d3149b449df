// Unit tests for the JSON hub protocol: record reader, message parsing/encoding, handshake.
#include "protocol/json_hub_protocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::protocol {
namespace {

using namespace std::string_literals;

std::vector<std::string> drain(JsonRecordReader& reader) {
  std::vector<std::string> records;
  while (auto record = reader.next()) records.emplace_back(*record);
  return records;
}

HubMessage parse_ok(std::string_view record) {
  auto parsed = parse_json_message(record);
  EXPECT_EQ(parsed.error, "") << record;
  EXPECT_TRUE(parsed.message.has_value()) << record;
  return parsed.message.value_or(HubMessage{});
}

std::string parse_error(std::string_view record) {
  auto parsed = parse_json_message(record);
  EXPECT_FALSE(parsed.message.has_value()) << record;
  return parsed.error;
}

// ---- JsonRecordReader ----

TEST(JsonRecordReader, SeveralRecordsInOneAppend) {
  JsonRecordReader reader;
  ASSERT_TRUE(reader.append("{\"type\":6}\x1e{\"type\":7}\x1e{\"partial\""));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{"{\"type\":6}", "{\"type\":7}"}));
  EXPECT_EQ(reader.pending_bytes(), 10u);
  ASSERT_TRUE(reader.append(":1}\x1e"));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{"{\"partial\":1}"}));
  EXPECT_EQ(reader.pending_bytes(), 0u);
  EXPECT_FALSE(reader.next());
}

TEST(JsonRecordReader, RecordSplitAcrossAppends) {
  JsonRecordReader reader;
  const std::string frame = "{\"type\":1,\"target\":\"send\",\"arguments\":[\"hi\"]}\x1e";
  for (char c : frame.substr(0, frame.size() - 1)) {
    ASSERT_TRUE(reader.append(std::string_view(&c, 1)));
    EXPECT_FALSE(reader.next());
  }
  ASSERT_TRUE(reader.append("\x1e"));
  const auto record = reader.next();
  ASSERT_TRUE(record);
  EXPECT_EQ(*record, frame.substr(0, frame.size() - 1));
  EXPECT_FALSE(reader.next());
}

TEST(JsonRecordReader, EmptyRecordsAreYielded) {
  JsonRecordReader reader;
  ASSERT_TRUE(reader.append("\x1e\x1e"));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{"", ""}));
}

TEST(JsonRecordReader, UnterminatedOversizeFails) {
  JsonRecordReader reader(16);
  EXPECT_TRUE(reader.append(std::string(16, 'a')));  // exactly the limit is still fine
  EXPECT_FALSE(reader.append("b"));
  EXPECT_TRUE(reader.failed());
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.append("\x1e"));  // stays failed
  EXPECT_EQ(reader.pending_bytes(), 0u);
}

TEST(JsonRecordReader, CompleteOversizeRecordFails) {
  JsonRecordReader reader(16);
  EXPECT_TRUE(reader.append(std::string(16, 'a') + "\x1e"));
  EXPECT_EQ(drain(reader), (std::vector<std::string>{std::string(16, 'a')}));
  JsonRecordReader other(16);
  EXPECT_FALSE(other.append("{}\x1e" + std::string(17, 'a') + "\x1e{}\x1e"));
  EXPECT_FALSE(other.next());
}

TEST(JsonRecordReader, OversizeAccumulatedOverManyAppends) {
  JsonRecordReader reader(100);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(reader.append("0123456789"));
  EXPECT_FALSE(reader.append("x"));
}

TEST(JsonRecordReader, BufferDoesNotGrowWithDrainedTraffic) {
  JsonRecordReader reader(64);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(reader.append("{\"type\":6}\x1e{\"ty"));
    ASSERT_TRUE(reader.append("pe\":6}\x1e"));
    EXPECT_EQ(drain(reader).size(), 2u);
    EXPECT_EQ(reader.pending_bytes(), 0u);
  }
}

// ---- parsing ----

TEST(ParseJsonMessage, Invocation) {
  auto m = parse_ok(
      R"({"type":1,"invocationId":"7","target":"Send","arguments":[ "hi", {"a" : 1}, null ],)"
      R"("streamIds":["s1","s2"],"headers":{"k":"v"}})");
  EXPECT_EQ(m.type, MessageType::Invocation);
  EXPECT_TRUE(m.has_invocation_id);
  EXPECT_EQ(m.invocation_id, "7");
  EXPECT_EQ(m.target, "Send");
  EXPECT_EQ(m.arguments_json, R"(["hi",{"a":1},null])");
  EXPECT_EQ(m.stream_ids, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(m.headers, (std::map<std::string, std::string>{{"k", "v"}}));

  m = parse_ok(R"({"type":1,"target":"broadcast","arguments":[]})");
  EXPECT_FALSE(m.has_invocation_id);
  EXPECT_EQ(m.arguments_json, "[]");
  EXPECT_TRUE(m.stream_ids.empty());

  m = parse_ok(R"({"arguments":["a\"b\\c\u00e9\n"],"target":"x","type":1,"invocationId":null})");
  EXPECT_FALSE(m.has_invocation_id);
  EXPECT_EQ(m.arguments_json, "[\"a\\\"b\\\\c\xc3\xa9\\n\"]");
}

TEST(ParseJsonMessage, InvocationErrors) {
  EXPECT_EQ(parse_error(R"({"type":1,"arguments":[]})"), "Missing or invalid 'target'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":5,"arguments":[]})"), "Missing or invalid 'target'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x"})"), "Missing or invalid 'arguments'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x","arguments":{}})"),
            "Missing or invalid 'arguments'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x","arguments":[],"invocationId":1})"),
            "Invalid 'invocationId'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x","arguments":[],"streamIds":"s"})"),
            "Invalid 'streamIds'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x","arguments":[],"streamIds":[1]})"),
            "Invalid 'streamIds'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x","arguments":[],"headers":[]})"),
            "Invalid 'headers'");
  EXPECT_EQ(parse_error(R"({"type":1,"target":"x","arguments":[],"headers":{"a":1}})"),
            "Invalid 'headers'");
}

TEST(ParseJsonMessage, StreamItem) {
  auto m = parse_ok(R"({"type":2,"invocationId":"1","item":{"x": [1, 2]}})");
  EXPECT_EQ(m.type, MessageType::StreamItem);
  EXPECT_EQ(m.invocation_id, "1");
  EXPECT_EQ(m.item_json, R"({"x":[1,2]})");
  m = parse_ok(R"({"type":2,"invocationId":"1","item":null})");
  EXPECT_EQ(m.item_json, "null");
  EXPECT_EQ(parse_error(R"({"type":2,"invocationId":"1"})"), "Missing 'item'");
  EXPECT_EQ(parse_error(R"({"type":2,"item":1})"), "Missing or invalid 'invocationId'");
}

TEST(ParseJsonMessage, Completion) {
  auto m = parse_ok(R"({"type":3,"invocationId":"1","result":42})");
  EXPECT_EQ(m.type, MessageType::Completion);
  EXPECT_TRUE(m.has_result);
  EXPECT_FALSE(m.has_error);
  EXPECT_EQ(m.result_json, "42");
  m = parse_ok(R"({"type":3,"invocationId":"1","result":null})");
  EXPECT_TRUE(m.has_result);
  EXPECT_EQ(m.result_json, "null");
  m = parse_ok(R"({"type":3,"invocationId":"1","error":"boom"})");
  EXPECT_TRUE(m.has_error);
  EXPECT_FALSE(m.has_result);
  EXPECT_EQ(m.error, "boom");
  m = parse_ok(R"({"type":3,"invocationId":"1"})");
  EXPECT_FALSE(m.has_result);
  EXPECT_FALSE(m.has_error);
  EXPECT_EQ(parse_error(R"({"type":3,"invocationId":"1","result":1,"error":"e"})"),
            "Completion has both 'result' and 'error'");
  EXPECT_EQ(parse_error(R"({"type":3,"result":1})"), "Missing or invalid 'invocationId'");
  EXPECT_EQ(parse_error(R"({"type":3,"invocationId":"1","error":5})"), "Invalid 'error'");
}

TEST(ParseJsonMessage, StreamInvocationAndCancel) {
  auto m = parse_ok(R"({"type":4,"invocationId":"3","target":"Counter","arguments":[10]})");
  EXPECT_EQ(m.type, MessageType::StreamInvocation);
  EXPECT_EQ(m.invocation_id, "3");
  EXPECT_EQ(m.target, "Counter");
  EXPECT_EQ(m.arguments_json, "[10]");
  EXPECT_EQ(parse_error(R"({"type":4,"target":"Counter","arguments":[10]})"),
            "Missing or invalid 'invocationId'");
  EXPECT_EQ(parse_error(R"({"type":4,"invocationId":"3","arguments":[10]})"),
            "Missing or invalid 'target'");

  m = parse_ok(R"({"type":5,"invocationId":"3"})");
  EXPECT_EQ(m.type, MessageType::CancelInvocation);
  EXPECT_EQ(m.invocation_id, "3");
  EXPECT_EQ(parse_error(R"({"type":5})"), "Missing or invalid 'invocationId'");
}

TEST(ParseJsonMessage, PingCloseAckSequence) {
  EXPECT_EQ(parse_ok(R"({"type":6})").type, MessageType::Ping);
  EXPECT_EQ(parse_ok(" { \"type\" : 6 } \n").type, MessageType::Ping);

  auto m = parse_ok(R"({"type":7})");
  EXPECT_EQ(m.type, MessageType::Close);
  EXPECT_FALSE(m.has_error);
  EXPECT_FALSE(m.allow_reconnect);
  m = parse_ok(R"({"type":7,"error":"bye","allowReconnect":true})");
  EXPECT_TRUE(m.has_error);
  EXPECT_EQ(m.error, "bye");
  EXPECT_TRUE(m.allow_reconnect);
  m = parse_ok(R"({"type":7,"error":null})");
  EXPECT_FALSE(m.has_error);
  EXPECT_EQ(parse_error(R"({"type":7,"error":1})"), "Invalid 'error'");
  EXPECT_EQ(parse_error(R"({"type":7,"allowReconnect":"yes"})"), "Invalid 'allowReconnect'");

  m = parse_ok(R"({"type":8,"sequenceId":12})");
  EXPECT_EQ(m.type, MessageType::Ack);
  EXPECT_EQ(m.sequence_id, 12);
  m = parse_ok(R"({"type":9,"sequenceId":9007199254740993})");
  EXPECT_EQ(m.type, MessageType::Sequence);
  EXPECT_EQ(m.sequence_id, 9007199254740993LL);
  EXPECT_EQ(parse_error(R"({"type":8})"), "Missing or invalid 'sequenceId'");
  EXPECT_EQ(parse_error(R"({"type":9,"sequenceId":"1"})"), "Missing or invalid 'sequenceId'");
  EXPECT_EQ(parse_error(R"({"type":9,"sequenceId":1.5})"), "Missing or invalid 'sequenceId'");
}

TEST(ParseJsonMessage, UnknownTypesAreIgnored) {
  for (const char* record :
       {R"({"type":10})", R"({"type":0})", R"({"type":-1,"x":[]})", R"({"type":99,"target":5})"}) {
    const auto parsed = parse_json_message(record);
    EXPECT_FALSE(parsed.message.has_value()) << record;
    EXPECT_EQ(parsed.error, "") << record;
  }
}

TEST(ParseJsonMessage, MalformedInput) {
  for (const char* record : {"", "not json", "{", R"({"type":1,"target":"x","arguments":[)",
                             R"({"type":6}})", R"({"type":6} {"type":6})", "{'type':6}"}) {
    const auto error = parse_error(record);
    EXPECT_EQ(error.rfind("Malformed JSON: ", 0), 0u) << record << " -> " << error;
  }
  for (const char* record :
       {"[]", "6", "\"type\"", "null", "{}", R"({"type":"1"})", R"({"type":1.0})",
        R"({"type":null})", R"({"Type":1})", R"({"type":true})"}) {
    EXPECT_EQ(parse_error(record), "Missing or invalid 'type'") << record;
  }
}

// ---- handshake ----

TEST(Handshake, ParsesRequests) {
  auto parsed = parse_handshake_request(R"({"protocol":"json","version":1})");
  ASSERT_TRUE(parsed.request) << parsed.error;
  EXPECT_EQ(parsed.request->protocol, "json");
  EXPECT_EQ(parsed.request->version, 1);
  parsed = parse_handshake_request(R"({"version":2,"protocol":"MessagePack","extra":[1]})");
  ASSERT_TRUE(parsed.request);
  EXPECT_EQ(parsed.request->protocol, "MessagePack");
  EXPECT_EQ(parsed.request->version, 2);
}

TEST(Handshake, RejectsBadRequests) {
  EXPECT_EQ(parse_handshake_request(R"({"version":1})").error, "Missing or invalid 'protocol'");
  EXPECT_EQ(parse_handshake_request(R"({"protocol":1,"version":1})").error,
            "Missing or invalid 'protocol'");
  EXPECT_EQ(parse_handshake_request(R"({"protocol":"json"})").error,
            "Missing or invalid 'version'");
  EXPECT_EQ(parse_handshake_request(R"({"protocol":"json","version":"1"})").error,
            "Missing or invalid 'version'");
  EXPECT_EQ(parse_handshake_request(R"({"protocol":"json","version":99999999999})").error,
            "Missing or invalid 'version'");
  EXPECT_EQ(parse_handshake_request("[]").error, "Handshake request must be a JSON object");
  const auto parsed = parse_handshake_request("{\"protocol\":");
  EXPECT_FALSE(parsed.request);
  EXPECT_EQ(parsed.error.rfind("Malformed JSON: ", 0), 0u);
}

TEST(Handshake, Response) {
  EXPECT_EQ(handshake_response(), "{}\x1e");
  EXPECT_EQ(handshake_response("The protocol 'xml' is not supported."),
            "{\"error\":\"The protocol 'xml' is not supported.\"}\x1e");
}

// ---- encoding ----

TEST(Encode, Invocation) {
  EXPECT_EQ(encode_invocation("x", R"(["a",1])"),
            "{\"type\":1,\"target\":\"x\",\"arguments\":[\"a\",1]}\x1e");
  EXPECT_EQ(encode_invocation("x", "[]", "12"),
            "{\"type\":1,\"invocationId\":\"12\",\"target\":\"x\",\"arguments\":[]}\x1e");
  EXPECT_EQ(encode_invocation("x", ""), "{\"type\":1,\"target\":\"x\",\"arguments\":[]}\x1e");
}

TEST(Encode, CompletionCloseAckSequencePing) {
  EXPECT_EQ(encode_completion_error("1", "Invocation failed, status code 404"),
            "{\"type\":3,\"invocationId\":\"1\",\"error\":\"Invocation failed, status code "
            "404\"}\x1e");
  EXPECT_EQ(encode_completion_result("1", R"({"a":[1]})"),
            "{\"type\":3,\"invocationId\":\"1\",\"result\":{\"a\":[1]}}\x1e");
  EXPECT_EQ(encode_completion_void("1"), "{\"type\":3,\"invocationId\":\"1\"}\x1e");
  EXPECT_EQ(encode_close(), "{\"type\":7}\x1e");
  EXPECT_EQ(encode_close("bye"), "{\"type\":7,\"error\":\"bye\"}\x1e");
  EXPECT_EQ(encode_close("bye", true),
            "{\"type\":7,\"error\":\"bye\",\"allowReconnect\":true}\x1e");
  EXPECT_EQ(encode_close("", true), "{\"type\":7,\"allowReconnect\":true}\x1e");
  EXPECT_EQ(encode_ack(5), "{\"type\":8,\"sequenceId\":5}\x1e");
  EXPECT_EQ(encode_sequence(1), "{\"type\":9,\"sequenceId\":1}\x1e");
  EXPECT_EQ(ping_frame(), "{\"type\":6}\x1e");
}

TEST(Encode, JsonStringEscaping) {
  std::string out;
  append_json_string(out, "a\"b\\c\n\r\t\b\f\x01\x1f/\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f/\xc3\xa9\xe2\x82\xac\"");
  out = "x";
  append_json_string(out, "");
  EXPECT_EQ(out, "x\"\"");
  out.clear();
  append_json_string(out, "nul\0in"s);
  EXPECT_EQ(out, "\"nul\\u0000in\"");
}

// Found by the negotiate fuzz target: a percent-decoded query value quoted in an answer made the
// JSON invalid. Invalid UTF-8 is written as U+FFFD; the result parses as JSON.
TEST(Encode, JsonStringReplacesInvalidUtf8) {
  std::string out;
  append_json_string(out,
                     "a\x88\xb2"
                     "b\xc3");
  EXPECT_EQ(out,
            "\"a\xef\xbf\xbd\xef\xbf\xbd"
            "b\xef\xbf\xbd\"");
  auto parsed = parse_handshake_request("{\"protocol\":" + out + ",\"version\":1}");
  ASSERT_TRUE(parsed.request) << parsed.error;
  EXPECT_EQ(parsed.request->protocol,
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b\xef\xbf\xbd");
}

TEST(Encode, EncodeMessageEveryType) {
  HubMessage m;
  m.type = MessageType::Invocation;
  m.target = "send";
  m.arguments_json = R"([1])";
  EXPECT_EQ(encode_message(m), "{\"type\":1,\"target\":\"send\",\"arguments\":[1]}\x1e");
  m.has_invocation_id = true;
  m.invocation_id = "4";
  m.stream_ids = {"a"};
  m.headers = {{"h", "v"}};
  EXPECT_EQ(encode_message(m),
            "{\"type\":1,\"headers\":{\"h\":\"v\"},\"invocationId\":\"4\",\"target\":\"send\","
            "\"arguments\":[1],\"streamIds\":[\"a\"]}\x1e");

  HubMessage item;
  item.type = MessageType::StreamItem;
  item.invocation_id = "4";
  item.item_json = "\"x\"";
  EXPECT_EQ(encode_message(item), "{\"type\":2,\"invocationId\":\"4\",\"item\":\"x\"}\x1e");
  item.item_json.clear();
  EXPECT_EQ(encode_message(item), "{\"type\":2,\"invocationId\":\"4\",\"item\":null}\x1e");

  HubMessage completion;
  completion.type = MessageType::Completion;
  completion.invocation_id = "4";
  EXPECT_EQ(encode_message(completion), encode_completion_void("4"));
  completion.has_result = true;
  completion.result_json = "[true]";
  EXPECT_EQ(encode_message(completion), encode_completion_result("4", "[true]"));
  completion.has_result = false;
  completion.has_error = true;
  completion.error = "e";
  EXPECT_EQ(encode_message(completion), encode_completion_error("4", "e"));

  HubMessage stream;
  stream.type = MessageType::StreamInvocation;
  stream.invocation_id = "9";
  stream.target = "counter";
  EXPECT_EQ(encode_message(stream),
            "{\"type\":4,\"invocationId\":\"9\",\"target\":\"counter\",\"arguments\":[]}\x1e");

  HubMessage cancel;
  cancel.type = MessageType::CancelInvocation;
  cancel.invocation_id = "9";
  EXPECT_EQ(encode_message(cancel), "{\"type\":5,\"invocationId\":\"9\"}\x1e");

  HubMessage ping;
  EXPECT_EQ(encode_message(ping), ping_frame());

  HubMessage close;
  close.type = MessageType::Close;
  EXPECT_EQ(encode_message(close), encode_close());
  close.has_error = true;
  close.error = "x";
  close.allow_reconnect = true;
  EXPECT_EQ(encode_message(close), encode_close("x", true));

  HubMessage ack;
  ack.type = MessageType::Ack;
  ack.sequence_id = 77;
  EXPECT_EQ(encode_message(ack), encode_ack(77));
  ack.type = MessageType::Sequence;
  EXPECT_EQ(encode_message(ack), encode_sequence(77));
}

TEST(Encode, ParseOfEncodeRoundTrips) {
  const std::string frame =
      encode_invocation("tar\"get", R"([{"k":"v\u0001"},[],null,1.25])", "id\n1");
  ASSERT_EQ(frame.back(), kRecordSeparator);
  const auto m = parse_ok(std::string_view(frame).substr(0, frame.size() - 1));
  EXPECT_EQ(m.target, "tar\"get");
  EXPECT_EQ(m.invocation_id, "id\n1");
  EXPECT_EQ(encode_message(m), frame);
}

}  // namespace
}  // namespace switchboard::protocol
