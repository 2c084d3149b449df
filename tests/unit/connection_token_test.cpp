// Unit tests for connection tokens: they resolve to their connection id for the identity that
// negotiated them and for no other (user, hub, anonymous), forged, garbled and re-spelled tokens
// resolve to nothing, and the negotiate-version-0 form is its own connection id.
#include "auth/connection_token.hpp"

#include <gtest/gtest.h>

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

TEST(ConnectionToken, TokensAreUnique) {
  ConnectionTokenCodec codec("secret");
  auto a = codec.mint(1, kAlice, false);
  auto b = codec.mint(1, kAlice, false);
  EXPECT_NE(a.connection_token, b.connection_token);
  EXPECT_NE(a.connection_id, b.connection_id);
}

}  // namespace
}  // namespace switchboard::auth
