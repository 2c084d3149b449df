// Unit tests for HTTP bodies in the custom-handler payload: text as it is, binary media types and
// bytes that are not UTF-8 as base64 with a marker, both ways; and the C++ API's view of a body.
#include "functions/http_body.hpp"

#include <gtest/gtest.h>

#include <switchboard/functions.hpp>

#include "functions/output_values.hpp"

namespace switchboard::functions {
namespace {

using nlohmann::json;

std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

TEST(HttpBody, BinaryMediaTypes) {
  EXPECT_TRUE(is_binary_media_type("application/octet-stream"));
  EXPECT_TRUE(is_binary_media_type("Application/Octet-Stream; charset=x"));
  EXPECT_TRUE(is_binary_media_type("multipart/form-data; boundary=abc"));
  EXPECT_FALSE(is_binary_media_type("application/json"));
  EXPECT_FALSE(is_binary_media_type("text/plain; charset=utf-8"));
  EXPECT_FALSE(is_binary_media_type(""));
}

TEST(HttpBody, RequestBodyTextStaysText) {
  json req = json::object();
  set_request_body(req, R"({"a":"é"})", "application/json");
  EXPECT_EQ(req["Body"], R"({"a":"é"})");
  EXPECT_FALSE(req.contains("BodyEncoding"));
  json empty = json::object();
  set_request_body(empty, "", "application/octet-stream");
  EXPECT_FALSE(empty.contains("Body"));
}

TEST(HttpBody, RequestBodyBytesTravelBase64AndDumpAsJson) {
  json req = json::object();
  set_request_body(req, all_bytes(), "text/plain");  // not UTF-8, whatever the type says
  EXPECT_EQ(req["BodyEncoding"], "base64");
  EXPECT_NO_THROW((void)req.dump());
  EXPECT_EQ(body_bytes(req), all_bytes());

  json utf8_binary = json::object();
  set_request_body(utf8_binary, "plain", "application/octet-stream");  // as Azure sends these
  EXPECT_EQ(utf8_binary["Body"], "cGxhaW4=");
  EXPECT_EQ(body_bytes(utf8_binary), "plain");
}

TEST(HttpBody, ResponseBodyBase64IsDecoded) {
  auto response =
      http_response_from_value({{"statusCode", 200}, {"body", "/wD+"}, {"bodyEncoding", "base64"}});
  EXPECT_EQ(response.body, std::string("\xff\x00\xfe", 3));
  EXPECT_EQ(response.content_type, "application/octet-stream");
  auto typed = http_response_from_value(
      {{"headers", {{"Content-Type", "image/png"}}}, {"Body", "/wD+"}, {"BodyEncoding", "BASE64"}});
  EXPECT_EQ(typed.body, std::string("\xff\x00\xfe", 3));
  EXPECT_EQ(typed.content_type, "image/png");
  EXPECT_THROW(http_response_from_value({{"body", "!!not base64"}, {"bodyEncoding", "base64"}}),
               std::invalid_argument);
  auto binary = http_response_from_value({{"body", json::binary({0xff, 0x00})}});
  EXPECT_EQ(binary.body, std::string("\xff\x00", 2));
  EXPECT_EQ(binary.content_type, "application/octet-stream");
}

TEST(HttpBody, CppFunctionsGetTheRawBytes) {
  json req = json::object();
  set_request_body(req, all_bytes(), "application/octet-stream");
  json data = {{"req", req}};
  FunctionContext context(data, "req");
  EXPECT_EQ(context.body(), all_bytes());
  EXPECT_TRUE(context.body_json().is_null());

  json text = {{"req", {{"Body", R"({"x":1})"}}}};
  FunctionContext text_context(text, "req");
  EXPECT_EQ(text_context.body(), R"({"x":1})");
  EXPECT_EQ(text_context.body_json()["x"], 1);
}

}  // namespace
}  // namespace switchboard::functions
