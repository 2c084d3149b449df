// Unit tests for connection tokens: they resolve to their connection id for the identity that
// negotiated them and for no other (user, hub, anonymous), forged, garbled, re-spelled, oversized
// and wrong-form tokens resolve to nothing, the negotiate-version-0 form is its own connection id,
// and a token's age (the connect window, a token from the future) is judged at the edges.
#include "auth/connection_token.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "auth/crypto.hpp"

namespace switchboard::auth {
namespace {

const TokenOwner kAlice{"chat", "alice"};

TEST(ConnectionToken, ResolvesForItsOwnerOnly) {
  ConnectionTokenCodec codec("secret");
  auto identity = codec.mint(1000, kAlice, false);
  EXPECT_EQ(identity.connection_id.size(), 22u);
  EXPECT_NE(identity.connection_id, identity.connection_token);
  auto resolved = codec.resolve(identity.connection_token, kAlice);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->connection_id, identity.connection_id);
  EXPECT_EQ(resolved->issued_at, 1000);

  EXPECT_FALSE(codec.resolve(identity.connection_token, {"chat", "bob"}));
  EXPECT_FALSE(codec.resolve(identity.connection_token, {"chat", ""}));  // anonymous
  EXPECT_FALSE(codec.resolve(identity.connection_token, {"other", "alice"}));
  EXPECT_FALSE(codec.resolve(identity.connection_token, {"chatalice", ""}));
  EXPECT_FALSE(codec.resolve(identity.connection_token, {"chat", "alice "}));
  // The public id is not a token.
  EXPECT_FALSE(codec.resolve(identity.connection_id, kAlice));
  // Another service's secret.
  EXPECT_FALSE(ConnectionTokenCodec("other secret").resolve(identity.connection_token, kAlice));
}

TEST(ConnectionToken, AnonymousTokensAreBoundToo) {
  ConnectionTokenCodec codec("secret");
  auto identity = codec.mint(1, {"chat", ""}, false);
  EXPECT_TRUE(codec.resolve(identity.connection_token, {"chat", ""}));
  EXPECT_FALSE(codec.resolve(identity.connection_token, kAlice));
}

TEST(ConnectionToken, Version0IdIsTheToken) {
  ConnectionTokenCodec codec("secret");
  auto identity = codec.mint(5, kAlice, true);
  EXPECT_EQ(identity.connection_id, identity.connection_token);
  auto resolved = codec.resolve(identity.connection_token, kAlice);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->connection_id, identity.connection_token);
  EXPECT_FALSE(codec.resolve(identity.connection_token, {"chat", "bob"}));
}

TEST(ConnectionToken, ForgedGarbledAndRespelledTokensResolveToNothing) {
  ConnectionTokenCodec codec("secret");
  auto identity = codec.mint(7, kAlice, false);
  const std::string& token = identity.connection_token;
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string flipped = token;
    flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.resolve(flipped, kAlice)) << i;
  }
  EXPECT_FALSE(codec.resolve(token + "=", kAlice));  // the same bytes spelled another way
  EXPECT_FALSE(codec.resolve(token.substr(1), kAlice));
  EXPECT_FALSE(codec.resolve("", kAlice));
  EXPECT_FALSE(codec.resolve("not a token", kAlice));
  // The right length and a made-up MAC.
  EXPECT_FALSE(codec.resolve(base64url_encode(std::string(29, 'x')), kAlice));
}

// A token built the way the codec builds one, with a chosen form byte: with the right secret and
// owner its MAC is valid, so only the form can make resolve refuse it.
std::string token_with_form(std::string_view secret, char form, std::uint32_t issued_at,
                            std::string_view hub = "chat", std::string_view user = "alice") {
  std::string body(16, 'n');
  for (int shift = 24; shift >= 0; shift -= 8)
    body.push_back(static_cast<char>((issued_at >> shift) & 0xff));
  body.push_back(form);
  std::string message = "connection-token:" + body;
  message += std::to_string(hub.size()) + ":" + std::string(hub);
  message += std::to_string(user.size()) + ":" + std::string(user);
  return base64url_encode(body + hmac_sha256(secret, message).substr(0, 8));
}

TEST(ConnectionToken, OnlyTheTwoFormsResolve) {
  ConnectionTokenCodec codec("secret");
  // The construction is right: both known forms resolve.
  const auto separate = codec.resolve(token_with_form("secret", 'S', 42), kAlice);
  ASSERT_TRUE(separate);
  EXPECT_EQ(separate->issued_at, 42);
  EXPECT_EQ(separate->connection_id.size(), 22u);
  const std::string id_form = token_with_form("secret", 'T', 42);
  const auto own_id = codec.resolve(id_form, kAlice);
  ASSERT_TRUE(own_id);
  EXPECT_EQ(own_id->connection_id, id_form);
  // Any other form byte, even with a valid MAC, is refused.
  for (char form : {'\0', 'X', 's', 't', '\xff'})
    EXPECT_FALSE(codec.resolve(token_with_form("secret", form, 42), kAlice)) << int(form);
  // The MAC binds the owner and the secret.
  EXPECT_FALSE(codec.resolve(token_with_form("other", 'S', 42), kAlice));
  EXPECT_FALSE(codec.resolve(token_with_form("secret", 'S', 42, "chat", "bob"), kAlice));
  // Hubs are compared as given: callers lower-case them.
  EXPECT_FALSE(codec.resolve(token_with_form("secret", 'S', 42), {"Chat", "alice"}));
}

TEST(ConnectionToken, MalformedAndOversizedTokens) {
  ConnectionTokenCodec codec("secret");
  const std::string token = codec.mint(7, kAlice, false).connection_token;
  EXPECT_EQ(token.size(), 39u);
  // One byte short or long (the right length in base64url is a must).
  EXPECT_FALSE(codec.resolve(base64url_encode(std::string(28, 'x')), kAlice));
  EXPECT_FALSE(codec.resolve(base64url_encode(std::string(30, 'x')), kAlice));
  EXPECT_FALSE(codec.resolve(token + "A", kAlice));
  EXPECT_FALSE(codec.resolve(token + token, kAlice));
  // Standard base64, padding, whitespace, a JWT-looking text.
  std::string standard = token;
  for (char& c : standard) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (standard != token) {
    EXPECT_FALSE(codec.resolve(standard, kAlice));
  }
  EXPECT_FALSE(codec.resolve(" " + token, kAlice));
  EXPECT_FALSE(codec.resolve(token.substr(0, 10) + "." + token.substr(11), kAlice));
  // A megabyte of base64url is refused, not decoded into something.
  EXPECT_FALSE(codec.resolve(std::string(1 << 20, 'A'), kAlice));
  EXPECT_FALSE(codec.resolve(std::string(1 << 20, '\0'), kAlice));
}

TEST(ConnectionToken, IssueTimeRoundTrips) {
  ConnectionTokenCodec codec("secret");
  for (std::int64_t now : {std::int64_t{0}, std::int64_t{1700000000}, std::int64_t{4294967295}}) {
    const auto resolved = codec.resolve(codec.mint(now, kAlice, false).connection_token, kAlice);
    ASSERT_TRUE(resolved) << now;
    EXPECT_EQ(resolved->issued_at, now);
  }
}

TEST(ConnectionToken, AgeWithinTheConnectWindow) {
  constexpr std::int64_t kNow = 1700000000;
  EXPECT_EQ(connection_token_age(kNow, kNow, 30), TokenAge::Fresh);
  EXPECT_EQ(connection_token_age(kNow - 30, kNow, 30), TokenAge::Fresh);
  EXPECT_EQ(connection_token_age(kNow - 31, kNow, 30), TokenAge::Expired);
  EXPECT_EQ(connection_token_age(0, kNow, 30), TokenAge::Expired);
  EXPECT_EQ(connection_token_age(kNow - 31, kNow, 0), TokenAge::Expired);
  EXPECT_EQ(connection_token_age(kNow, kNow, 0), TokenAge::Fresh);
  // Issued later than now: within the tokens' clock skew it is fresh (another node's clock a
  // little ahead), beyond it refused.
  EXPECT_EQ(connection_token_age(kNow + 300, kNow, 30), TokenAge::Fresh);
  EXPECT_EQ(connection_token_age(kNow + 301, kNow, 30), TokenAge::IssuedInFuture);
  EXPECT_EQ(connection_token_age(4294967295, kNow, 30), TokenAge::IssuedInFuture);
}

TEST(ConnectionToken, TokensAreUnique) {
  ConnectionTokenCodec codec("secret");
  auto a = codec.mint(1, kAlice, false);
  auto b = codec.mint(1, kAlice, false);
  EXPECT_NE(a.connection_token, b.connection_token);
  EXPECT_NE(a.connection_id, b.connection_id);
}

}  // namespace
}  // namespace switchboard::auth
