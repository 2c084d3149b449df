// Unit tests of the service's bearer-token check (service/request_auth) and its per-thread cache
// of verified tokens: a token accepted and cached is refused once it expires, whether it is the
// entry found last (the one-entry front) or one found in the map; the expiry's skew is honoured;
// a token for another audience is refused even when it was cached for this one; a token signed
// with a key no longer configured is refused although it was cached.
#include "service/request_auth.hpp"

#include <gtest/gtest.h>

#include <string>

#include "auth/jwt.hpp"

namespace switchboard::service {
namespace {

constexpr std::int64_t kIssued = 1800000000;
constexpr std::int64_t kLifetime = 600;
constexpr std::int64_t kExpiry = kIssued + kLifetime;
constexpr std::string_view kPath = "/api/hubs/chat/:send";

ServiceOptions options_with(std::string key) {
  ServiceOptions options;
  options.access_keys = {std::move(key)};
  options.public_host = "localhost";
  return options;
}

std::string token_for(std::string_view path, const std::string& key, std::string user) {
  auth::TokenRequest request;
  request.audience = "http://localhost" + std::string(path);
  request.user_id = std::move(user);
  request.now = kIssued;
  request.lifetime_seconds = kLifetime;
  return auth::issue_token(request, key);
}

AuthResult check(const std::string& token, const ServiceOptions& options, std::int64_t now,
                 std::string_view path = kPath) {
  return authenticate(std::string_view("localhost"), token, options, {path}, now);
}

TEST(RequestAuth, ACachedTokenIsRefusedOnceExpiredAsTheLastOneFound) {
  const auto options = options_with("key-for-the-last-entry-0123456789abcdefghij");
  const auto token = token_for(kPath, options.access_keys[0], "last");
  ASSERT_TRUE(check(token, options, kIssued + 1).token) << check(token, options, kIssued).message;
  // Still within the 5-minute skew after exp: accepted (the same rule as the first check).
  EXPECT_TRUE(check(token, options, kExpiry + auth::kTokenClockSkewSeconds).token);
  const auto late = check(token, options, kExpiry + auth::kTokenClockSkewSeconds + 1);
  EXPECT_FALSE(late.token);
  EXPECT_EQ(late.message, "Token expired");
}

TEST(RequestAuth, ACachedTokenIsRefusedOnceExpiredWhenFoundInTheMap) {
  const auto options = options_with("key-for-the-map-entries-0123456789abcdefghij");
  const auto first = token_for(kPath, options.access_keys[0], "first");
  const auto second = token_for(kPath, options.access_keys[0], "second");
  ASSERT_TRUE(check(first, options, kIssued).token);
  ASSERT_TRUE(check(second, options, kIssued).token);  // now the last one found
  const auto late = check(first, options, kExpiry + auth::kTokenClockSkewSeconds + 1);
  EXPECT_FALSE(late.token);
  EXPECT_EQ(late.message, "Token expired");
  // And it stays refused (nothing refused is kept), while the other is still good before its end.
  EXPECT_FALSE(check(first, options, kExpiry + auth::kTokenClockSkewSeconds + 2).token);
  EXPECT_TRUE(check(second, options, kExpiry).token);
}

TEST(RequestAuth, ACachedTokenIsStillCheckedForTheAudienceAndTheKeys) {
  const auto options = options_with("key-for-the-audience-0123456789abcdefghijklm");
  const auto token = token_for(kPath, options.access_keys[0], "aud");
  ASSERT_TRUE(check(token, options, kIssued).token);
  const auto elsewhere = check(token, options, kIssued, "/api/hubs/chat/users/bob/:send");
  EXPECT_FALSE(elsewhere.token);
  EXPECT_NE(elsewhere.message.find("does not match"), std::string::npos) << elsewhere.message;
  // The key rotated away: the cache does not vouch for a token the keys no longer accept.
  const auto rotated = options_with("another-key-after-rotation-0123456789abcdefgh");
  const auto refused = check(token, rotated, kIssued);
  EXPECT_FALSE(refused.token);
  EXPECT_EQ(refused.message, "Invalid token signature");
}

}  // namespace
}  // namespace switchboard::service
