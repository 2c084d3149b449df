// Unit tests for the pure parts of the SignalR webhook: the X-ASRS-Signature check, the
// InvocationContext built from the request's headers, the bodies (JSON and MessagePack
// invocations, a disconnected event's error) and the framed completions the webhook answers.
#include <gtest/gtest.h>

#include "auth/upstream_signature.hpp"
#include "functions/trigger/invocation_context.hpp"
#include "functions/trigger/webhook_body.hpp"
#include "protocol/messagepack_hub_protocol.hpp"

namespace switchboard::functions::trigger {
namespace {

using nlohmann::json;

constexpr const char* kKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
// node -e 'console.log(require("crypto").createHmac("sha256", KEY).update("conn-1")
//                      .digest("hex").toUpperCase())'
constexpr const char* kSignature =
    "sha256=261F7F58FF9FB9BB8BE7E4951A807FE6091E5C074885BF63B865ECCD28728881";
constexpr const char* kSecondarySignature =  // key "secondary-key"
    "sha256=83E4539B4B54046F82358A2756701BF60B3F82A33D9F8284084FA3584667651F";

TEST(TriggerSignature, IsTheHmacOfTheConnectionIdInUpperCaseHex) {
  EXPECT_EQ(auth::upstream_signature("conn-1", std::vector<std::string>{kKey}), kSignature);
}

TEST(TriggerSignature, MatchesAnyEntryWithAnyKeyIgnoringCase) {
  const std::vector<std::string> keys = {kKey};
  EXPECT_TRUE(auth::upstream_signature_matches(kSignature, "conn-1", keys));
  std::string lower = kSignature;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(auth::upstream_signature_matches(lower, "conn-1", keys));
  // The service signs with each of its keys: one match is enough, in any position.
  EXPECT_TRUE(auth::upstream_signature_matches(std::string(kSecondarySignature) + ", " + kSignature,
                                               "conn-1", keys));
  EXPECT_TRUE(auth::upstream_signature_matches(kSecondarySignature, "conn-1",
                                               std::vector<std::string>{kKey, "secondary-key"}));
  EXPECT_FALSE(auth::upstream_signature_matches(kSecondarySignature, "conn-1", keys));
  EXPECT_FALSE(auth::upstream_signature_matches(kSignature, "conn-2", keys));  // another connection
  EXPECT_FALSE(auth::upstream_signature_matches("", "conn-1", keys));
  EXPECT_FALSE(auth::upstream_signature_matches(",,", "conn-1", keys));
  EXPECT_FALSE(auth::upstream_signature_matches(std::string(kSignature).substr(7), "conn-1",
                                                keys));  // no prefix
  // A connection string without an AccessKey (identity-based): nothing to check.
  EXPECT_TRUE(auth::upstream_signature_matches("", "conn-1", std::vector<std::string>{}));
}

TEST(TriggerInvocationContext, HeadersJoinRepeatsAndQueryAndClaimsAreParsed) {
  HeaderFields headers = {{"X-ASRS-Hub", "chat"},
                          {"x-custom", "a"},
                          {"X-Custom", "b"},
                          {"X-ASRS-Client-Query", "?name=Ann%20B&tag=1&tag=2&empty="},
                          {"X-ASRS-User-Claims", "name: Ann, role: admin, role: other, bad"}};
  EXPECT_EQ(header_value(headers, "x-asrs-hub"), "chat");
  EXPECT_EQ(header_value(headers, "X-CUSTOM"), "a,b");
  EXPECT_EQ(header_value(headers, "absent"), std::nullopt);
  EXPECT_EQ(headers_object(headers)["x-custom"], "a,b");
  EXPECT_EQ(parse_client_query("?name=Ann%20B&tag=1&tag=2&empty="),
            json({{"name", "Ann B"}, {"tag", "1,2"}, {"empty", ""}}));
  EXPECT_EQ(parse_client_query("a=b"), json({{"a", "b"}}));  // the '?' is optional
  EXPECT_EQ(parse_client_query(""), json::object());
  EXPECT_EQ(parse_user_claims("name: Ann, role: admin, role: other, bad"),
            json({{"name", "Ann"}, {"role", "admin"}}));  // first value per type
  EXPECT_EQ(parse_user_claims("url: http://x: y"), json({{"url", "http://x: y"}}));
}

TEST(TriggerInvocationContext, HasThePascalCaseKeysOfTheExtension) {
  InvocationEvent event;
  event.hub = "chat";
  event.category = "messages";
  event.event = "broadcast";
  event.connection_id = "conn-1";
  event.user_id = "ann";
  event.arguments = json::array({"hi", 2});
  HeaderFields headers = {{"X-ASRS-Connection-Id", "conn-1"},
                          {"X-ASRS-Client-Query", "?room=r1"},
                          {"X-ASRS-User-Claims", "name: Ann"}};
  json context = build_invocation_context(event, headers);
  EXPECT_EQ(context, json::parse(R"({
    "Arguments": ["hi", 2], "Error": null, "Category": "messages", "Event": "broadcast",
    "Hub": "chat", "ConnectionId": "conn-1", "UserId": "ann",
    "Headers": {"X-ASRS-Connection-Id": "conn-1", "X-ASRS-Client-Query": "?room=r1",
                "X-ASRS-User-Claims": "name: Ann"},
    "Query": {"room": "r1"}, "Claims": {"name": "Ann"}})"));
  // A connection event: no arguments; no user -> null; a disconnect's error.
  InvocationEvent closed;
  closed.category = "connections";
  closed.event = "disconnected";
  closed.error = "gone";
  json other = build_invocation_context(closed, {});
  EXPECT_TRUE(other["Arguments"].is_null());
  EXPECT_TRUE(other["UserId"].is_null());
  EXPECT_EQ(other["Error"], "gone");
  EXPECT_EQ(other["Query"], json::object());
  EXPECT_EQ(other["Claims"], json::object());
}

// Found by the webhook_body fuzz target: a client's query or claims with bytes that are not UTF-8
// (`?a=%FF`) made the InvocationContext unwritable JSON; they become U+FFFD.
TEST(TriggerInvocationContext, TextThatIsNotUtf8BecomesReplacementCharacters) {
  HeaderFields headers = {{"X-ASRS-Client-Query", "a=%FF&b%C3=x"},
                          {"X-ASRS-User-Claims", "name: \xff"},
                          {"X-Custom", "v\xc3"}};
  InvocationEvent event;
  event.user_id = "u\xfe";
  auto context = build_invocation_context(event, headers);
  EXPECT_EQ(context["Query"]["a"], "\xef\xbf\xbd");
  EXPECT_EQ(context["Query"]["b\xef\xbf\xbd"], "x");
  EXPECT_EQ(context["Claims"]["name"], "\xef\xbf\xbd");
  EXPECT_EQ(context["Headers"]["X-Custom"], "v\xef\xbf\xbd");
  EXPECT_EQ(context["UserId"], "u\xef\xbf\xbd");
  EXPECT_NO_THROW(context.dump());
}

TEST(TriggerBody, ContentTypesAreTheTwoProtocolsOnly) {
  EXPECT_EQ(body_protocol("application/json"), BodyProtocol::Json);
  EXPECT_EQ(body_protocol("Application/JSON; charset=utf-8"), BodyProtocol::Json);
  EXPECT_EQ(body_protocol("application/x-msgpack"), BodyProtocol::MessagePack);
  EXPECT_EQ(body_protocol("text/plain"), std::nullopt);
  EXPECT_EQ(body_protocol(""), std::nullopt);
  EXPECT_EQ(body_protocol("application/jsonx"), std::nullopt);
}

TEST(TriggerBody, JsonInvocationWithOrWithoutIdAndSeparator) {
  auto parsed = parse_invocation_body(
      BodyProtocol::Json,
      R"({"type":1,"invocationId":"7","target":"Send","arguments":["a",{"b":1}]})");
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.target, "Send");
  EXPECT_EQ(parsed.invocation_id, "7");
  EXPECT_EQ(parsed.arguments, json::parse(R"(["a",{"b":1}])"));
  parsed = parse_invocation_body(BodyProtocol::Json,
                                 "{\"type\":1,\"target\":\"send\",\"arguments\":[]}\x1e");
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.invocation_id, std::nullopt);  // a send(): nothing to answer
  EXPECT_NE(parse_invocation_body(BodyProtocol::Json, "not json").error, "");
  EXPECT_EQ(parse_invocation_body(BodyProtocol::Json, R"({"type":6})").error,
            "The body is not an Invocation message (type 1).");
}

TEST(TriggerBody, MessagePackInvocationArgumentsBecomeJson) {
  // The record without its varint length prefix, as the service sends it.
  auto args = protocol::json_to_messagepack(R"(["hi",3,{"k":[true,null]}])");
  ASSERT_TRUE(args);
  std::string framed = protocol::encode_messagepack_invocation("Broadcast", *args, "12");
  std::size_t prefix = 1;  // a short record has a one-byte prefix
  auto parsed = parse_invocation_body(BodyProtocol::MessagePack, framed.substr(prefix));
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.target, "Broadcast");
  EXPECT_EQ(parsed.invocation_id, "12");
  EXPECT_EQ(parsed.arguments, json::parse(R"(["hi",3,{"k":[true,null]}])"));
  EXPECT_NE(parse_invocation_body(BodyProtocol::MessagePack, "\x01").error, "");
}

TEST(TriggerBody, DisconnectErrorIsReadInAnyCase) {
  EXPECT_EQ(disconnect_error(R"({"type":11,"error":"boom"})"), "boom");
  EXPECT_EQ(disconnect_error(R"({"Type":11,"Error":"boom"})"), "boom");
  EXPECT_EQ(disconnect_error(R"({"type":11})"), std::nullopt);
  EXPECT_EQ(disconnect_error(R"({"type":11,"error":""})"), std::nullopt);
  EXPECT_EQ(disconnect_error(""), std::nullopt);
}

TEST(TriggerBody, CompletionsAreFramedInTheRequestProtocol) {
  EXPECT_EQ(completion_with_result(BodyProtocol::Json, "0", json({{"a", 1}})),
            "{\"type\":3,\"invocationId\":\"0\",\"result\":{\"a\":1}}\x1e");
  EXPECT_EQ(completion_with_result(BodyProtocol::Json, "0", json()),
            "{\"type\":3,\"invocationId\":\"0\",\"result\":null}\x1e");
  EXPECT_EQ(completion_with_error(BodyProtocol::Json, "4", "no \"way\""),
            "{\"type\":3,\"invocationId\":\"4\",\"error\":\"no \\\"way\\\"\"}\x1e");
  // MessagePack: the encoder's own frames (varint prefix included) for the same values.
  EXPECT_EQ(completion_with_result(BodyProtocol::MessagePack, "0", json("ok")),
            protocol::encode_messagepack_completion_result(
                "0", *protocol::json_to_messagepack("\"ok\"")));
  EXPECT_EQ(completion_with_error(BodyProtocol::MessagePack, "0", "bad"),
            protocol::encode_messagepack_completion_error("0", "bad"));
  protocol::MessagePackRecordReader reader;
  ASSERT_TRUE(reader.append(completion_with_result(BodyProtocol::MessagePack, "9", json(42))));
  auto record = reader.next();
  ASSERT_TRUE(record);
  auto message = protocol::parse_messagepack_message(*record);
  ASSERT_TRUE(message.message);
  EXPECT_EQ(message.message->type, protocol::MessageType::Completion);
  EXPECT_EQ(message.message->invocation_id, "9");
  EXPECT_EQ(protocol::messagepack_to_json(message.message->result_json), "42");
}

}  // namespace
}  // namespace switchboard::functions::trigger
