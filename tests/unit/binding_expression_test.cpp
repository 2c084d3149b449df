// Unit tests for binding expressions: headers, query, body/query/route names, app settings, sys
// values, literal text, and the exact error messages for missing values.
#include "functions/binding_expression.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace switchboard::functions {
namespace {

BindingData sample_data() {
  BindingData data;
  data.headers["X-MS-Client-Principal-Id"] = "user-42";
  data.headers["Accept"] = "text/html,application/json";
  data.query["id"] = "q-id";
  data.query["room"] = "lobby";
  data.query["code"] = "function-key";
  data.route_params["id"] = "route-id";
  data.body = nlohmann::json::parse(
      R"({"name":"Ada","count":3,"ok":true,"room":"body-room","nested":{"a":[1,2]},)"
      R"("none":null,"Code":"body-code"})");
  data.app_setting = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HubPrefix") return "prod";
    return std::nullopt;
  };
  return data;
}

std::string value_of(std::string_view text, const BindingData& data = sample_data()) {
  auto r = resolve_binding_expression(text, data);
  EXPECT_TRUE(r.value.has_value()) << text << ": " << r.error;
  EXPECT_EQ(r.error, "") << text;
  return r.value.value_or("<none>");
}

std::string error_of(std::string_view text, const BindingData& data = sample_data()) {
  auto r = resolve_binding_expression(text, data);
  EXPECT_FALSE(r.value.has_value()) << text << " resolved to " << r.value.value_or("");
  return r.error;
}

TEST(CaseInsensitiveLess, ComparesAsciiIgnoringCase) {
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("abc", "ABC"));
  EXPECT_FALSE(less("ABC", "abc"));
  EXPECT_TRUE(less("abc", "ABD"));
  EXPECT_TRUE(less("ab", "ABC"));
  EXPECT_FALSE(less("abc", "AB"));
  EXPECT_TRUE(less("Apple", "banana"));  // 'a' < 'b' although 'A' < 'b' too
  EXPECT_TRUE(less("_", "a"));           // '_' (0x5F) < 'a' (0x61), not compared with 'A' (0x41)
  CaseInsensitiveMap map;
  map["Content-Type"] = "x";
  EXPECT_EQ(map.count("content-type"), 1u);
  EXPECT_EQ(map.find(std::string_view("CONTENT-TYPE"))->second, "x");
}

TEST(BindingExpression, LiteralTextIsKept) {
  EXPECT_EQ(value_of("chat"), "chat");
  EXPECT_EQ(value_of(""), "");
  EXPECT_EQ(value_of("100% sure"), "100% sure");  // a lone '%' is literal
  EXPECT_EQ(value_of("a %% b"), "a % b");         // "%%" is a literal '%'
  EXPECT_EQ(value_of("x}y"), "x}y");
}

TEST(BindingExpression, HeadersAreCaseInsensitive) {
  EXPECT_EQ(value_of("{headers.x-ms-client-principal-id}"), "user-42");
  EXPECT_EQ(value_of("{HEADERS.X-MS-CLIENT-PRINCIPAL-ID}"), "user-42");
  EXPECT_EQ(value_of("{headers.accept}"), "text/html,application/json");
}

TEST(BindingExpression, QueryParameters) {
  EXPECT_EQ(value_of("{query.room}"), "lobby");
  EXPECT_EQ(value_of("{Query.ROOM}"), "lobby");
  EXPECT_EQ(value_of("{query.code}"), "function-key");  // `code` stays reachable under query
}

TEST(BindingExpression, BareNamesPreferRouteThenQueryThenBody) {
  EXPECT_EQ(value_of("{id}"), "route-id");            // route beats query
  EXPECT_EQ(value_of("{room}"), "lobby");             // query beats body
  EXPECT_EQ(value_of("{name}"), "Ada");               // body only
  EXPECT_EQ(value_of("{NAME}"), "Ada");               // body keys are case-insensitive
  EXPECT_EQ(value_of("{count}"), "3");                // numbers as JSON text
  EXPECT_EQ(value_of("{ok}"), "true");                // booleans as JSON text
  EXPECT_EQ(value_of("{nested}"), R"({"a":[1,2]})");  // objects minified
  EXPECT_EQ(value_of("{nested.a}"), "[1,2]");         // dotted path into the body
  EXPECT_EQ(value_of("{code}"), "body-code");         // query `code` is skipped as a bare name
}

TEST(BindingExpression, AppSettingsAndMixedText) {
  EXPECT_EQ(value_of("%HubPrefix%"), "prod");
  EXPECT_EQ(value_of("%HubPrefix%-{query.room}-{headers.x-ms-client-principal-id}!"),
            "prod-lobby-user-42!");
  EXPECT_EQ(value_of("room-{query.room}"), "room-lobby");
}

TEST(BindingExpression, SystemValues) {
  std::string guid = value_of("{sys.randguid}");
  EXPECT_TRUE(std::regex_match(
      guid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << guid;
  EXPECT_NE(value_of("{sys.randguid}"), guid);
  EXPECT_EQ(value_of("{SYS.RANDGUID}").size(), 36u);
  std::string now = value_of("{sys.utcnow}");
  EXPECT_TRUE(std::regex_match(now, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << now;
}

TEST(BindingExpression, MissingValuesNameTheExpression) {
  EXPECT_EQ(error_of("{headers.x-ms-signalr-userid}"),
            "The binding expression '{headers.x-ms-signalr-userid}' has no value: the request has "
            "no header 'x-ms-signalr-userid'.");
  BindingData empty;
  EXPECT_EQ(error_of("{headers.x-ms-client-principal-id}", empty),
            "The binding expression '{headers.x-ms-client-principal-id}' has no value: the request "
            "has no header 'x-ms-client-principal-id'.");
  EXPECT_EQ(error_of("user-{query.userId}"),
            "The binding expression '{query.userId}' has no value: the request has no query "
            "parameter 'userId'.");
  EXPECT_EQ(error_of("{missing}"),
            "The binding expression '{missing}' has no value: no body property, query parameter or "
            "route parameter 'missing'.");
  EXPECT_EQ(error_of("{none}"),  // a JSON null counts as no value
            "The binding expression '{none}' has no value: no body property, query parameter or "
            "route parameter 'none'.");
  EXPECT_EQ(error_of("%Nope%"),
            "The binding expression '%Nope%' has no value: the app setting 'Nope' is not defined.");
  EXPECT_EQ(error_of("%HubPrefix%", empty),  // no app_setting function at all
            "The binding expression '%HubPrefix%' has no value: the app setting 'HubPrefix' is not "
            "defined.");
}

TEST(BindingExpression, MalformedExpressions) {
  EXPECT_EQ(error_of("room-{query.id"),
            "The binding expression 'room-{query.id' is invalid: '{' without a closing '}'.");
  EXPECT_EQ(error_of("a{}b"), "The binding expression 'a{}b' is invalid: empty '{}'.");
}

}  // namespace
}  // namespace switchboard::functions
