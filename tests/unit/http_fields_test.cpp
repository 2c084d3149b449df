// Unit tests for net::field_value (a request field by its name code or its text, scanning the
// fields in order) and net::bearer_token built on it: whatever case the client wrote the name in,
// the first of repeated fields, an empty value told apart from an absent field.
#include <gtest/gtest.h>

#include "net/http_types.hpp"

namespace {

using switchboard::net::bearer_token;
using switchboard::net::field_value;
using switchboard::net::Request;
namespace http = switchboard::net::http;

Request request_with(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  Request request{http::verb::post, "/api/hubs/chat/:send", 11};
  for (const auto& [name, value] : fields) request.insert(name, value);
  return request;
}

TEST(FieldValue, FindsAKnownFieldWhateverTheCaseOfItsName) {
  auto request = request_with({{"HOST", "example.com"}, {"content-type", "application/json"}});
  EXPECT_EQ(field_value(request, http::field::host), "example.com");
  EXPECT_EQ(field_value(request, http::field::content_type), "application/json");
  EXPECT_EQ(field_value(request, "Host"), "example.com");
  EXPECT_FALSE(field_value(request, http::field::origin));
}

TEST(FieldValue, FindsAFieldBeastHasNoCodeForByItsText) {
  auto request = request_with({{"X-Request-ID", "abc-123"}});
  EXPECT_EQ(field_value(request, "x-request-id"), "abc-123");
  EXPECT_FALSE(field_value(request, "x-request"));
  EXPECT_FALSE(field_value(request, "x-request-idx"));
}

TEST(FieldValue, TheFirstOfRepeatedFieldsAndAnEmptyValueIsNotAbsence) {
  auto request = request_with({{"Origin", ""}, {"Origin", "https://b.example"}});
  const auto origin = field_value(request, http::field::origin);
  ASSERT_TRUE(origin);
  EXPECT_EQ(*origin, "");
}

TEST(BearerToken, TheTokenAfterTheSchemeInAnyCaseWithoutSurroundingSpaces) {
  EXPECT_EQ(bearer_token(request_with({{"authorization", "Bearer  abc.def.ghi "}})), "abc.def.ghi");
  EXPECT_EQ(bearer_token(request_with({{"Authorization", "bearer xyz"}})), "xyz");
  EXPECT_EQ(bearer_token(request_with({{"Authorization", "Basic xyz"}})), "");
  EXPECT_EQ(bearer_token(request_with({{"Authorization", "Bearer "}})), "");
  EXPECT_EQ(bearer_token(request_with({})), "");
}

}  // namespace
