// Unit tests for the OpenSSL helpers: HMAC-SHA256 known answers, base64/base64url, random ids.
#include "auth/crypto.hpp"

#include <gtest/gtest.h>

#include <set>

namespace switchboard::auth {
namespace {

TEST(Crypto, HmacSha256KnownAnswers) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_upper(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
  EXPECT_EQ(hex_upper(hmac_sha256("", "")),
            "B613679A0814D9EC772F95D778C35FC5FF1697C493715653C6C712144292C5AD");
  // The upstream signature of the emulator's key over a connection id (python hmac).
  EXPECT_EQ(hex_upper(hmac_sha256("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH", "conn1")),
            "8DE7281E588E23B0A30A7180FFA240257B8176E983004C240C9F3F7A7233C993");
  EXPECT_EQ(hmac_sha256("k", "m").size(), 32u);
}

TEST(Crypto, HexUpper) {
  EXPECT_EQ(hex_upper(std::string("\x00\x0f\xab\xff", 4)), "000FABFF");
  EXPECT_EQ(hex_upper(""), "");
}

TEST(Crypto, Base64Standard) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
  EXPECT_FALSE(base64_decode("-_8"));  // url alphabet is not standard
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));
  EXPECT_FALSE(base64_decode("Zg==="));
}

TEST(Crypto, Base64UrlIsCanonicalUnpadded) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode(R"({"alg":"HS256","typ":"JWT"})"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  // JWS (RFC 7515 §2) and our connection tokens: one encoding per byte string. Padding and
  // non-zero unused bits are other spellings of the same bytes, refused.
  EXPECT_FALSE(base64url_decode("-_8="));
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zh"));   // "f" with a set unused bit
  EXPECT_FALSE(base64url_decode("-_9"));  // "\xfb\xff" with a set unused bit
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_FALSE(base64url_decode("+/8"));     // standard alphabet rejected
  EXPECT_FALSE(base64url_decode("Zg="));     // padding that does not complete the quantum
  EXPECT_FALSE(base64url_decode("Zm 9v"));   // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v.x"));  // invalid character
  EXPECT_FALSE(base64url_decode("Zm9vY"));   // impossible length
  for (int n = 0; n < 40; ++n) {
    std::string bytes;
    for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>(i * 37 + n));
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
}

TEST(Crypto, RandomIdsAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = random_id();
    EXPECT_EQ(id.size(), 22u);
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(random_id(32).size(), 43u);
}

}  // namespace
}  // namespace switchboard::auth

TEST(RandomUuid, IsAVersion4UuidAndUnique) {
  const std::string a = switchboard::auth::random_uuid();
  const std::string b = switchboard::auth::random_uuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_NE(a, b);
  for (std::size_t i : {8u, 13u, 18u, 23u}) EXPECT_EQ(a[i], '-') << a;
  EXPECT_EQ(a[14], '4') << a;                                          // version
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos) << a;  // variant
  for (char c : a) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '-' || (std::isxdigit(u) && !std::isupper(u))) << a;
  }
}
