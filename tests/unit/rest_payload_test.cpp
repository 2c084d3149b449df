// Unit tests for the REST API's message bodies (protocol/rest_payload): the JSON body (keys in any
// case, null arguments, every wrong type) and the binary MessagePack map (json and messagepack
// entries, lengths that run past the body, trailing bytes, frames that are not one Invocation).
#include "protocol/rest_payload.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"

namespace switchboard::protocol {
namespace {

TEST(RestPayload, JsonBody) {
  auto parsed = parse_rest_message(R"({"target":"newMessage","arguments":[ "hi", {"n": 1} ]})");
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->target, "newMessage");
  EXPECT_EQ(parsed.message->arguments_json, R"(["hi",{"n":1}])");

  // The Management SDK's spelling; arguments null or absent mean none.
  parsed = parse_rest_message(R"({"Target":"t","Arguments":null})");
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->target, "t");
  EXPECT_EQ(parsed.message->arguments_json, "[]");
  parsed = parse_rest_message(R"({"TARGET":"t"})");
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->arguments_json, "[]");
}

TEST(RestPayload, JsonBodyErrors) {
  auto error = [](std::string_view body) {
    auto parsed = parse_rest_message(body);
    EXPECT_FALSE(parsed.message) << body;
    return parsed.error;
  };
  EXPECT_EQ(
      error(R"({"target":"t","arguments":[)").rfind("The request body is not valid JSON: ", 0), 0u);
  EXPECT_EQ(error("").rfind("The request body is not valid JSON: ", 0), 0u);
  EXPECT_EQ(
      error(std::string("{\"target\":\"t\0\"}", 15)).rfind("The request body is not valid JSON", 0),
      0u);
  EXPECT_EQ(error("\"\xff\"").rfind("The request body is not valid JSON", 0), 0u);  // not UTF-8
  const std::string not_object =
      "The request body must be a JSON object with 'target' and 'arguments'.";
  EXPECT_EQ(error("[]"), not_object);
  EXPECT_EQ(error("null"), not_object);
  EXPECT_EQ(error(R"("target")"), not_object);
  EXPECT_EQ(error(R"({"target":1})"), "The 'target' field must be a string.");
  EXPECT_EQ(error(R"({"target":null})"), "The 'target' field must be a string.");
  EXPECT_EQ(error(R"({"target":"t","arguments":{}})"), "The 'arguments' field must be an array.");
  EXPECT_EQ(error(R"({"target":"t","arguments":"a"})"), "The 'arguments' field must be an array.");
  const std::string no_target = "The 'target' field is required and must not be empty.";
  EXPECT_EQ(error("{}"), no_target);
  EXPECT_EQ(error(R"({"target":"","arguments":[]})"), no_target);
  EXPECT_EQ(error(R"({"arguments":[1]})"), no_target);
}

// The arguments go on as their sender wrote them, only the whitespace outside strings removed:
// numbers keep their spelling, strings their escapes.
TEST(RestPayload, JsonArgumentsKeepTheirText) {
  auto arguments = [](std::string_view body) {
    auto parsed = parse_rest_message(body);
    EXPECT_TRUE(parsed.message) << body << ": " << parsed.error;
    return parsed.message ? parsed.message->arguments_json : std::string();
  };
  EXPECT_EQ(arguments(R"({"target":"t","arguments":[1e2, 1.50, -0, 12345678901234567890]})"),
            R"([1e2,1.50,-0,12345678901234567890])");
  EXPECT_EQ(arguments(R"({"target":"t","arguments":[ "a \" ] , \"x\"}" ]})"),
            R"(["a \" ] , \"x\"}"])");
  EXPECT_EQ(
      arguments("{\"arguments\" :\t[ \"a b\\u0041\", {\"arguments\": [0]} ] ,\"target\":\"t\"}"),
      R"(["a b\u0041",{"arguments":[0]}])");
  // Keys in any case; the last one that is not null counts, as in the DOM.
  EXPECT_EQ(arguments(R"({"target":"t","arguments":[1],"ARGUMENTS":[2],"Arguments":null})"), "[2]");
  // A key written with escapes: compared after unescaping, like every key.
  EXPECT_EQ(arguments(R"({"target":"t","\u0061rguments":[ 3 ]})"), "[3]");
  EXPECT_EQ(arguments(R"({"target":"t","x":"\"arguments\":[9]","arguments":[ true ,false,null]})"),
            "[true,false,null]");
  // Compact arguments (no whitespace byte at all) are taken as they are, whatever surrounds them.
  EXPECT_EQ(arguments(R"({ "target" : "t" , "arguments":["a\"b",{"k":[1,2.50,{}]},[]] })"),
            R"(["a\"b",{"k":[1,2.50,{}]},[]])");
  EXPECT_EQ(arguments(R"({"target":"t","arguments":["tab\there"]})"), R"(["tab\there"])");
  // Bodies past the size kept per thread take the same way.
  std::string big = R"({"target":"t","arguments":[")" + std::string(100 * 1024, 'x') + R"(" ]})";
  EXPECT_EQ(arguments(big), "[\"" + std::string(100 * 1024, 'x') + "\"]");
}

// A MessagePack map of str keys to bin values, built by hand.
std::string bin(std::string_view bytes) {
  std::string out;
  if (bytes.size() < 256) {
    out += '\xc4';
    out += static_cast<char>(bytes.size());
  } else {
    out += '\xc5';
    out += static_cast<char>(bytes.size() >> 8);
    out += static_cast<char>(bytes.size() & 0xff);
  }
  return out.append(bytes);
}
std::string str(std::string_view text) {
  return static_cast<char>(0xa0 | text.size()) + std::string(text);
}
std::string map(std::initializer_list<std::pair<std::string_view, std::string>> entries) {
  std::string out(1, static_cast<char>(0x80 | entries.size()));
  for (const auto& [key, value] : entries) out += str(key) + bin(value);
  return out;
}

TEST(RestPayload, BinaryBodyWithBothEntries) {
  const std::string json = encode_invocation("newMessage", R"(["hi"])");
  const std::string messagepack =
      encode_messagepack_invocation("newMessage", *json_to_messagepack(R"(["hi"])"));
  auto parsed = parse_binary_rest_message(map({{"json", json}, {"messagepack", messagepack}}));
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->target, "newMessage");
  EXPECT_EQ(parsed.message->arguments_json, R"(["hi"])");
  EXPECT_EQ(parsed.message->json_frame, json);
  EXPECT_EQ(parsed.message->messagepack_frame, messagepack);
}

TEST(RestPayload, BinaryBodyWithMessagePackOnlyIsConvertedToJson) {
  const std::string messagepack =
      encode_messagepack_invocation("t", *json_to_messagepack(R"([1,"two",null])"));
  auto parsed = parse_binary_rest_message(map({{"MessagePack", messagepack}}));
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->target, "t");
  EXPECT_EQ(parsed.message->arguments_json, R"([1,"two",null])");
  EXPECT_EQ(parsed.message->json_frame, encode_invocation("t", R"([1,"two",null])"));
}

TEST(RestPayload, BinaryBodyErrors) {
  auto error = [](const std::string& body) {
    auto parsed = parse_binary_rest_message(body);
    EXPECT_FALSE(parsed.message);
    return parsed.error;
  };
  const std::string json = encode_invocation("t", "[]");
  const std::string not_map =
      "The binary request body must be a MessagePack map of protocol payloads.";
  EXPECT_EQ(error(""), not_map);
  EXPECT_EQ(error("\x90"), not_map);      // an array
  EXPECT_EQ(error("\xde\x00"), not_map);  // map16 cut short
  const std::string not_names = "The binary request body is not a map of names to binary payloads.";
  EXPECT_EQ(error("\x81"), not_names);              // one entry announced, none there
  EXPECT_EQ(error("\x81\xa4json\x01"), not_names);  // an integer value
  // Lengths that run past the body, up to 4 GiB.
  EXPECT_EQ(error("\x81\xa4json\xc4\xf0" + json), not_names);
  EXPECT_EQ(error(std::string("\x81\xa4json\xc6\xff\xff\xff\xff", 10) + json), not_names);
  EXPECT_EQ(error(std::string("\xdf\xff\xff\xff\xff", 5) + str("json") + bin(json)), not_names);
  EXPECT_EQ(error(map({{"json", json}}) + "x"), "The binary request body has bytes after its map.");
  const std::string neither =
      "The binary request body has neither a 'json' nor a 'messagepack' payload.";
  EXPECT_EQ(error("\x80"), neither);
  EXPECT_EQ(error(map({{"protobuf", "x"}})), neither);
  EXPECT_EQ(error(map({{"json", ""}})), neither);
  EXPECT_EQ(error(map({{"json", R"({"type":1,"target":"t","arguments":[]})"}})),
            "The 'json' payload must be one JSON hub message ending in 0x1E.");
  EXPECT_EQ(error(map({{"json", "{\"type\":6}\x1e"}}))
                .rfind("The 'json' payload is not a JSON Invocation message", 0),
            0u);
  EXPECT_EQ(error(map({{"json", "not json\x1e"}}))
                .rfind("The 'json' payload is not a JSON Invocation message", 0),
            0u);
  const std::string one = encode_messagepack_invocation("t", "\x90");
  const std::string not_one = "The 'messagepack' payload is not one MessagePack Invocation message";
  EXPECT_EQ(error(map({{"messagepack", one + one}})).rfind(not_one, 0), 0u);  // two records
  EXPECT_EQ(error(map({{"messagepack", one.substr(0, one.size() - 1)}})).rfind(not_one, 0), 0u);
  EXPECT_EQ(error(map({{"messagepack", "\x7f"}})).rfind(not_one, 0), 0u);  // VarInt past the end
  // Found by the rest_binary fuzz target: a record followed by the start of another one (here a
  // VarInt cut short, then a record cut short) was accepted and sent on with its trailing bytes.
  EXPECT_EQ(error(map({{"messagepack", one + "\xc4"}})).rfind(not_one, 0), 0u);
  EXPECT_EQ(error(map({{"messagepack", one + one.substr(0, 3)}})).rfind(not_one, 0), 0u);
  EXPECT_EQ(error(map({{"messagepack", encode_messagepack_close()}})).rfind(not_one, 0), 0u);
}

}  // namespace
}  // namespace switchboard::protocol
