// Unit tests for function output values: signalR output items (messages, group actions, errors)
// and HTTP response objects.
#include "functions/output_values.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace switchboard::functions {
namespace {

using nlohmann::json;

ParsedSignalROutput parse(std::string_view json_text) {
  return parse_signalr_output(json::parse(json_text));
}

std::string error_of(std::string_view json_text) {
  auto parsed = parse(json_text);
  EXPECT_TRUE(parsed.items.empty()) << json_text;
  return parsed.error;
}

const SignalRMessageItem& message_at(const ParsedSignalROutput& p, std::size_t i) {
  return std::get<SignalRMessageItem>(p.items.at(i));
}

const GroupActionItem& action_at(const ParsedSignalROutput& p, std::size_t i) {
  return std::get<GroupActionItem>(p.items.at(i));
}

TEST(SignalROutput, SeedBroadcastArray) {
  // context.bindings.signalRMessages = [{ "target": "newMessage", "arguments": [ req.body ] }];
  auto p = parse(R"([{"target":"newMessage","arguments":[{"sender":"a","text":"hi"}]}])");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.items.size(), 1u);
  const auto& m = message_at(p, 0);
  EXPECT_EQ(m.target, "newMessage");
  EXPECT_EQ(m.arguments_json, R"([{"sender":"a","text":"hi"}])");
  EXPECT_EQ(m.connection_id, "");
  EXPECT_EQ(m.user_id, "");
  EXPECT_EQ(m.group_name, "");
}

TEST(SignalROutput, SeedUserAndGroupMessages) {
  auto p = parse(R"([{"userId":"userId1","target":"newMessage","arguments":[1]},
                     {"groupName":"myGroup","target":"newMessage","arguments":["x", null]}])");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(message_at(p, 0).user_id, "userId1");
  EXPECT_EQ(message_at(p, 0).arguments_json, "[1]");
  EXPECT_EQ(message_at(p, 1).group_name, "myGroup");
  EXPECT_EQ(message_at(p, 1).arguments_json, R"(["x",null])");
}

TEST(SignalROutput, PythonJsonDumpsString) {
  // out_message.set(json.dumps({'target': 'newMessage', 'arguments': [ message ]}))
  json value = std::string(R"({"target": "newMessage", "arguments": [{"a": 1}], "userId": "u"})");
  auto p = parse_signalr_output(value);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(message_at(p, 0).arguments_json, R"([{"a":1}])");
  EXPECT_EQ(message_at(p, 0).user_id, "u");
  // action.set(json.dumps({'userId': 'userId1', 'groupName': 'myGroup', 'action': 'add'}))
  auto g =
      parse_signalr_output(json(R"({"userId":"userId1","groupName":"myGroup","action":"add"})"));
  ASSERT_EQ(g.error, "");
  ASSERT_EQ(g.items.size(), 1u);
  EXPECT_EQ(action_at(g, 0).action, GroupActionKind::Add);
  EXPECT_EQ(action_at(g, 0).user_id, "userId1");
  EXPECT_EQ(action_at(g, 0).group_name, "myGroup");
  EXPECT_EQ(parse_signalr_output(json("not json")).error,
            "signalR output: the value is a string that is not valid JSON");
  EXPECT_TRUE(parse_signalr_output(json("null")).items.empty());
  EXPECT_EQ(parse_signalr_output(json("null")).error, "");
}

TEST(SignalROutput, NullAndEmptyMeanNoItems) {
  auto n = parse_signalr_output(json());
  EXPECT_EQ(n.error, "");
  EXPECT_TRUE(n.items.empty());
  auto e = parse("[]");
  EXPECT_EQ(e.error, "");
  EXPECT_TRUE(e.items.empty());
}

TEST(SignalROutput, KeysAreCaseInsensitiveAndArgumentsOptional) {
  auto p = parse(R"({"Target":"t","ConnectionId":"c1","USERID":"u","GroupName":"g"})");
  ASSERT_EQ(p.error, "");
  const auto& m = message_at(p, 0);
  EXPECT_EQ(m.target, "t");
  EXPECT_EQ(m.arguments_json, "[]");
  EXPECT_EQ(m.connection_id, "c1");
  EXPECT_EQ(m.user_id, "u");
  EXPECT_EQ(m.group_name, "g");
  EXPECT_EQ(message_at(parse(R"({"target":"t","arguments":null})"), 0).arguments_json, "[]");
  // Null optional fields are unset; endpoints are ignored.
  auto q = parse(R"({"target":"t","userId":null,"endpoints":[{"name":"x"}]})");
  ASSERT_EQ(q.error, "");
  EXPECT_EQ(message_at(q, 0).user_id, "");
}

TEST(SignalROutput, TargetAndActionMeansMessage) {
  auto p = parse(R"({"target":"t","action":"delete","groupName":"g"})");
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(message_at(p, 0).group_name, "g");
}

TEST(SignalROutput, GroupActions) {
  auto p = parse(R"([{"action":"ADD","connectionId":"c","groupName":"g"},
                     {"Action":"Remove","userId":"u","groupName":"g"},
                     {"action":"removeall","userId":"u"},
                     {"action":0,"userId":"u","groupName":"g0"},
                     {"action":1,"userId":"u","groupName":"g1"},
                     {"action":2,"connectionId":"c"}])");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.items.size(), 6u);
  EXPECT_EQ(action_at(p, 0).action, GroupActionKind::Add);
  EXPECT_EQ(action_at(p, 0).connection_id, "c");
  EXPECT_EQ(action_at(p, 0).group_name, "g");
  EXPECT_EQ(action_at(p, 1).action, GroupActionKind::Remove);
  EXPECT_EQ(action_at(p, 1).user_id, "u");
  EXPECT_EQ(action_at(p, 2).action, GroupActionKind::RemoveAll);
  EXPECT_EQ(action_at(p, 2).group_name, "");
  EXPECT_EQ(action_at(p, 3).action, GroupActionKind::Add);
  EXPECT_EQ(action_at(p, 4).action, GroupActionKind::Remove);
  EXPECT_EQ(action_at(p, 5).action, GroupActionKind::RemoveAll);
  EXPECT_EQ(action_at(p, 5).connection_id, "c");
}

TEST(SignalROutput, ItemErrors) {
  EXPECT_EQ(error_of(R"([{"target":"ok"}, {"action":"delete","userId":"u","groupName":"g"}])"),
            "signalR output item 1: invalid action 'delete' (expected add, remove or removeAll)");
  EXPECT_EQ(error_of(R"({"action":3,"userId":"u"})"),
            "signalR output item 0: invalid action '3' (expected add, remove or removeAll)");
  EXPECT_EQ(error_of(R"({"action":true,"userId":"u"})"),
            "signalR output item 0: invalid action 'true' (expected add, remove or removeAll)");
  EXPECT_EQ(error_of(R"({"action":"add","groupName":"g"})"),
            "signalR output item 0: a group action needs a connectionId or a userId");
  EXPECT_EQ(error_of(R"({"action":"add","userId":"","connectionId":"","groupName":"g"})"),
            "signalR output item 0: a group action needs a connectionId or a userId");
  EXPECT_EQ(error_of(R"({"action":"add","userId":"u"})"),
            "signalR output item 0: a group action 'add' needs a groupName");
  EXPECT_EQ(error_of(R"({"action":"remove","userId":"u","groupName":""})"),
            "signalR output item 0: a group action 'remove' needs a groupName");
  EXPECT_EQ(error_of(R"([{"target":"a"},{"target":"b"},{"userId":"u"}])"),
            "signalR output item 2: an item needs a 'target' (a message) or an 'action' (a group "
            "action)");
  EXPECT_EQ(error_of(R"({"target":""})"),
            "signalR output item 0: 'target' must be a non-empty "
            "string");
  EXPECT_EQ(error_of(R"({"target":5})"),
            "signalR output item 0: 'target' must be a non-empty "
            "string");
  EXPECT_EQ(error_of(R"({"target":"t","arguments":"hi"})"),
            "signalR output item 0: 'arguments' must be an array, got string");
  EXPECT_EQ(error_of(R"({"target":"t","arguments":{"a":1}})"),
            "signalR output item 0: 'arguments' must be an array, got object");
  EXPECT_EQ(error_of(R"({"target":"t","userId":42})"),
            "signalR output item 0: 'userId' must be a string, got number");
  EXPECT_EQ(error_of(R"({"target":"t","connectionId":true})"),
            "signalR output item 0: 'connectionId' must be a string, got boolean");
  EXPECT_EQ(error_of(R"({"action":"add","userId":"u","groupName":["g"]})"),
            "signalR output item 0: 'groupName' must be a string, got array");
  EXPECT_EQ(error_of(R"([{"target":"t"}, null])"), "signalR output item 1: the item is null");
  EXPECT_EQ(error_of(R"([{"target":"t"}, "text"])"),
            "signalR output item 1: an item must be a JSON object, got string");
  EXPECT_EQ(error_of("42"),
            "signalR output: expected an object, an array of objects or null, got number");
  EXPECT_EQ(error_of("true"),
            "signalR output: expected an object, an array of objects or null, got boolean");
}

TEST(HttpResponse, ResponseObjectWithJsonBody) {
  auto r = http_response_from_value(json::parse(
      R"({"statusCode":201,"headers":{"X-Custom":"1","Retry-After":5},"body":{"url":"u"}})"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"url":"u"})");
  EXPECT_EQ(r.content_type, "application/json");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "5"}));
  EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>{"X-Custom", "1"}));
}

TEST(HttpResponse, KeysAreCaseInsensitiveAndStatusMayBeAString) {
  auto r = http_response_from_value(json::parse(R"({"Status":"404","Body":"nope"})"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "nope");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(http_response_from_value(json::parse(R"({"StatusCode":" 202 "})")).status, 202);
  // statusCode wins over status.
  EXPECT_EQ(http_response_from_value(json::parse(R"({"status":400,"statusCode":201})")).status,
            201);
}

TEST(HttpResponse, ContentTypeHeaderWins) {
  // The Python seed returns the connection info JSON string with Content-type application/json.
  auto r = http_response_from_value(
      json::parse(R"({"body":"{\"url\":\"u\"}","headers":{"Content-type":"application/json"}})"));
  EXPECT_EQ(r.body, R"({"url":"u"})");
  EXPECT_EQ(r.content_type, "application/json");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Content-type");
  // A content type header without a body is kept.
  auto h = http_response_from_value(
      json::parse(R"({"statusCode":204,"headers":{"content-type":"text/html"}})"));
  EXPECT_EQ(h.body, "");
  EXPECT_EQ(h.content_type, "text/html");
}

TEST(HttpResponse, BodyKinds) {
  auto empty = http_response_from_value(json::parse(R"({"statusCode":204})"));
  EXPECT_EQ(empty.status, 204);
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(empty.content_type, "");
  auto null_body = http_response_from_value(json::parse(R"({"body":null})"));
  EXPECT_EQ(null_body.status, 200);
  EXPECT_EQ(null_body.body, "");
  EXPECT_EQ(null_body.content_type, "");
  auto number = http_response_from_value(json::parse(R"({"body":42})"));
  EXPECT_EQ(number.body, "42");
  EXPECT_EQ(number.content_type, "application/json");
  auto array = http_response_from_value(json::parse(R"({"body":[1, true]})"));
  EXPECT_EQ(array.body, "[1,true]");
  EXPECT_EQ(array.content_type, "application/json");
  auto boolean = http_response_from_value(json::parse(R"({"body":false})"));
  EXPECT_EQ(boolean.body, "false");
}

TEST(HttpResponse, NonResponseValuesAreTheBody) {
  // context.res.body = connectionInfo  → the host sees the object itself as $return.
  auto obj = http_response_from_value(json::parse(R"({"url":"u","accessToken":"t"})"));
  EXPECT_EQ(obj.status, 200);
  EXPECT_EQ(obj.body, R"({"accessToken":"t","url":"u"})");
  EXPECT_EQ(obj.content_type, "application/json");
  EXPECT_TRUE(obj.headers.empty());
  auto text = http_response_from_value(json("hello"));
  EXPECT_EQ(text.body, "hello");
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  auto arr = http_response_from_value(json::parse("[1,2]"));
  EXPECT_EQ(arr.body, "[1,2]");
  EXPECT_EQ(arr.content_type, "application/json");
  auto none = http_response_from_value(json());
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "");
  EXPECT_EQ(none.content_type, "");
}

TEST(HttpResponse, RepeatedHeadersFromArrays) {
  auto r = http_response_from_value(
      json::parse(R"({"headers":{"Set-Cookie":["a=1","b=2"]},"body":""})"));
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].second, "a=1");
  EXPECT_EQ(r.headers[1].second, "b=2");
}

TEST(HttpResponse, InvalidValuesThrow) {
  auto message_of = [](std::string_view text) -> std::string {
    try {
      http_response_from_value(json::parse(text));
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message_of(R"({"statusCode":99})"),
            "invalid HTTP status code 99 (expected a number from 100 to 599)");
  EXPECT_EQ(message_of(R"({"statusCode":600})"),
            "invalid HTTP status code 600 (expected a number from 100 to 599)");
  EXPECT_EQ(message_of(R"({"status":"OK"})"),
            "invalid HTTP status code \"OK\" (expected a number from 100 to 599)");
  EXPECT_EQ(message_of(R"({"status":200.5})"),
            "invalid HTTP status code 200.5 (expected a number from 100 to 599)");
  EXPECT_EQ(message_of(R"({"status":true})"),
            "invalid HTTP status code true (expected a number from 100 to 599)");
  EXPECT_EQ(message_of(R"({"headers":"x"})"), "response 'headers' must be an object, got string");
  EXPECT_EQ(message_of(R"({"headers":{"X":{"a":1}}})"),
            "response header 'X' must be a string or a number, got object");
  EXPECT_EQ(message_of(R"({"status":200.0})"), "");
}

}  // namespace
}  // namespace switchboard::functions
