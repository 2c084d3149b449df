// Unit tests for HS256 token issuing and verification: known answer, every rejection, audiences.
#include "auth/jwt.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/crypto.hpp"
#include "auth/jwt_check.hpp"

namespace switchboard::auth {
namespace {

constexpr std::string_view kKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kAudience = "http://localhost/client/?hub=chat";

// Signs arbitrary header and payload text (for tokens issue_token would never produce).
std::string sign(std::string_view header, std::string_view payload, std::string_view key = kKey) {
  std::string token = base64url_encode(header) + "." + base64url_encode(payload);
  return token + "." + base64url_encode(hmac_sha256(key, token));
}

constexpr std::string_view kHs256 = R"({"alg":"HS256","typ":"JWT"})";

std::string payload_with(std::string_view extra) {
  return R"({"aud":"http://localhost/client/?hub=chat","exp":1700003600,"nbf":1700000000)" +
         std::string(extra) + "}";
}

VerifiedToken verify(std::string_view token, std::string_view audience = kAudience,
                     std::int64_t now = kNow) {
  const std::vector<std::string> keys{std::string(kKey)};
  return verify_token(token, keys, audience, now);
}

TEST(Jwt, KnownAnswer) {
  // Computed independently with Python's hmac/hashlib/base64 over the compact JSON payload
  // {"aud":"http://localhost/client/?hub=chat","exp":1700003600,"iat":1700000000,
  //  "nbf":1700000000,"asrs.s.uid":"alice","role":["admin","reader"]}.
  constexpr std::string_view kExpected =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJhdWQiOiJodHRwOi8vbG9jYWxob3N0L2NsaWVudC8_aHViPWNoYXQiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6MT"
      "cwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAwLCJhc3JzLnMudWlkIjoiYWxpY2UiLCJyb2xlIjpbImFkbWluIiwicmVh"
      "ZGVyIl19.55czPwhx0TGxS9J3id0--eVCiazJSwL8A7JPfISvq_I";
  TokenRequest request;
  request.audience = std::string(kAudience);
  request.user_id = "alice";
  request.now = kNow;
  request.lifetime_seconds = 3600;
  request.claims = {{"role", "admin"}, {"role", "reader"}};
  EXPECT_EQ(issue_token(request, kKey), kExpected);
}

// A token without extra claims is written directly when its audience and user id need no JSON
// escaping: every token comes out byte for byte as the JSON document of its claims (nlohmann's,
// written as the general path writes it) signed, plain and escaped inputs alike.
TEST(Jwt, IssuedPayloadIsTheClaimsJson) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string(kAudience), "alice"},
      {std::string(kAudience), ""},
      {"https://h.example.com:8443/client/?hub=a~b!*()'", "user@example.com"},
      {std::string(kAudience), "say \"hi\""},
      {std::string(kAudience), "back\\slash"},
      {std::string(kAudience), "tab\there"},
      {std::string(kAudience), "caf\xc3\xa9"},
      {std::string(kAudience), "not utf-8 \xff"},
      {std::string(kAudience), std::string("nul\0inside", 10)},
      {"http://h/client/?hub=\x7f", "del"},
  };
  for (const auto& [audience, user] : cases) {
    TokenRequest request;
    request.audience = audience;
    request.user_id = user;
    request.now = kNow;
    request.lifetime_seconds = 600;
    JwtJson claims = JwtJson::object();
    claims["aud"] = audience;
    claims["exp"] = kNow + 600;
    claims["iat"] = kNow;
    claims["nbf"] = kNow;
    if (!user.empty()) claims["asrs.s.uid"] = user;
    const std::string payload =
        claims.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
    const std::string input = base64url_encode(kHs256) + "." + base64url_encode(payload);
    EXPECT_EQ(issue_token(request, kKey), input + "." + base64url_encode(hmac_sha256(kKey, input)))
        << audience << " " << user;
  }
}

TEST(Jwt, IssueThenVerify) {
  TokenRequest request;
  request.audience = "https://h.example.com/client/?hub=chat";
  request.user_id = "bob";
  request.now = kNow;
  request.claims = {{"role", "admin"}, {"asrs.s.htt", "1"}};
  const std::string token = issue_token(request, kKey);
  const auto verified = verify(token, "https://h.example.com:8443/client/?hub=Chat");
  ASSERT_TRUE(verified.ok()) << verified.message;
  EXPECT_EQ(verified.error, TokenError::None);
  EXPECT_EQ(verified.message, "");
  EXPECT_EQ(verified.audiences, std::vector<std::string>{"https://h.example.com/client/?hub=chat"});
  EXPECT_EQ(verified.expires_at, kNow + 3600);
  EXPECT_EQ(verified.user_id, "bob");
  const std::vector<std::pair<std::string, std::string>> expected_claims{
      {"aud", "https://h.example.com/client/?hub=chat"},
      {"exp", "1700003600"},
      {"iat", "1700000000"},
      {"nbf", "1700000000"},
      {"asrs.s.uid", "bob"},
      {"role", "admin"},
      {"asrs.s.htt", "1"}};
  EXPECT_EQ(verified.claims, expected_claims);
}

TEST(Jwt, NoUserIdMeansNoUidClaim) {
  TokenRequest request;
  request.audience = std::string(kAudience);
  request.now = kNow;
  const std::string token = issue_token(request, kKey);
  const auto payload =
      base64url_decode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  ASSERT_TRUE(payload);
  EXPECT_EQ(*payload, R"({"aud":"http://localhost/client/?hub=chat","exp":1700003600,)"
                      R"("iat":1700000000,"nbf":1700000000})");
  const auto verified = verify(token);
  EXPECT_TRUE(verified.ok());
  EXPECT_EQ(verified.user_id, "");
}

TEST(Jwt, RejectsAlgNone) {
  const std::string unsigned_token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                                     base64url_encode(payload_with("")) + ".";
  const auto verified = verify(unsigned_token);
  EXPECT_EQ(verified.error, TokenError::UnsupportedAlgorithm);
  EXPECT_EQ(verified.message, "Unsupported token algorithm 'none'");
  // Even a correct HS256 signature does not help when the header says none.
  EXPECT_EQ(verify(sign(R"({"alg":"none"})", payload_with(""))).error,
            TokenError::UnsupportedAlgorithm);
}

TEST(Jwt, RejectsOtherAlgorithms) {
  for (const char* alg : {"HS512", "RS256", "hs256", "HS384"}) {
    const auto verified =
        verify(sign(std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})", payload_with("")));
    EXPECT_EQ(verified.error, TokenError::UnsupportedAlgorithm) << alg;
    EXPECT_EQ(verified.message, std::string("Unsupported token algorithm '") + alg + "'");
  }
  EXPECT_EQ(verify(sign(R"({"typ":"JWT"})", payload_with(""))).error,
            TokenError::UnsupportedAlgorithm);
  EXPECT_EQ(verify(sign(R"({"alg":256})", payload_with(""))).error,
            TokenError::UnsupportedAlgorithm);
}

TEST(Jwt, RejectsBadSignatures) {
  const std::string good = sign(kHs256, payload_with(""));
  ASSERT_TRUE(verify(good).ok());

  std::string flipped = good;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  auto verified = verify(flipped);
  EXPECT_EQ(verified.error, TokenError::BadSignature);
  EXPECT_EQ(verified.message, "Invalid token signature");

  EXPECT_EQ(verify(sign(kHs256, payload_with(""), "another key")).error, TokenError::BadSignature);
  EXPECT_EQ(verify(good.substr(0, good.rfind('.') + 1)).error, TokenError::BadSignature);
  EXPECT_EQ(verify(good.substr(0, good.rfind('.') + 1) + "!!!").error, TokenError::BadSignature);

  // Other spellings of the right signature bytes: padding, and set bits in the last character's
  // two unused bits (a 32-byte MAC is 43 characters: 258 bits). JWS allows one encoding only.
  EXPECT_EQ(verify(good + "=").error, TokenError::BadSignature);
  EXPECT_EQ(verify(good + "==").error, TokenError::BadSignature);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string unused_bits = good;
  unused_bits.back() = alphabet[alphabet.find(good.back()) | 1];
  ASSERT_NE(unused_bits, good);
  EXPECT_EQ(verify(unused_bits).error, TokenError::BadSignature);

  // Tampered payload with the original signature.
  const std::string tampered = base64url_encode(kHs256) + "." +
                               base64url_encode(payload_with(R"(,"asrs.s.uid":"admin")")) +
                               good.substr(good.rfind('.'));
  EXPECT_EQ(verify(tampered).error, TokenError::BadSignature);

  // An empty configured key never verifies anything, not even a token signed with it.
  const std::vector<std::string> empty_key{""};
  EXPECT_EQ(verify_token(sign(kHs256, payload_with(""), ""), empty_key, kAudience, kNow).error,
            TokenError::BadSignature);

  // No configured keys: nothing verifies.
  EXPECT_EQ(verify_token(good, {}, kAudience, kNow).error, TokenError::BadSignature);
}

TEST(Jwt, AcceptsEveryConfiguredKey) {
  const std::vector<std::string> keys{"primary-key", "secondary-key"};
  EXPECT_TRUE(
      verify_token(sign(kHs256, payload_with(""), "primary-key"), keys, kAudience, kNow).ok());
  EXPECT_TRUE(
      verify_token(sign(kHs256, payload_with(""), "secondary-key"), keys, kAudience, kNow).ok());
  EXPECT_EQ(verify_token(sign(kHs256, payload_with(""), "old-key"), keys, kAudience, kNow).error,
            TokenError::BadSignature);
}

TEST(Jwt, ExpiryAndNotBeforeWithSkew) {
  const std::string token = sign(kHs256, payload_with(""));  // nbf = kNow, exp = kNow + 3600
  EXPECT_TRUE(verify(token, kAudience, kNow + 3600).ok());
  EXPECT_TRUE(verify(token, kAudience, kNow + 3600 + 300).ok());  // within skew
  auto verified = verify(token, kAudience, kNow + 3600 + 301);
  EXPECT_EQ(verified.error, TokenError::Expired);
  EXPECT_EQ(verified.message, "Token expired");
  EXPECT_EQ(verified.expires_at, kNow + 3600);

  EXPECT_TRUE(verify(token, kAudience, kNow - 300).ok());  // within skew
  verified = verify(token, kAudience, kNow - 301);
  EXPECT_EQ(verified.error, TokenError::NotYetValid);
  EXPECT_EQ(verified.message, "Token not yet valid");

  const std::vector<std::string> keys{std::string(kKey)};
  EXPECT_EQ(verify_token(token, keys, kAudience, kNow + 3601, 0).error, TokenError::Expired);
  EXPECT_TRUE(verify_token(token, keys, kAudience, kNow + 3600, 0).ok());

  // nbf is optional, exp is not.
  EXPECT_TRUE(
      verify(sign(kHs256, R"({"aud":"http://localhost/client/?hub=chat","exp":1700003600})")).ok());
  verified = verify(sign(kHs256, R"({"aud":"http://localhost/client/?hub=chat"})"));
  EXPECT_EQ(verified.error, TokenError::Malformed);
  EXPECT_EQ(verified.message, "Token has no expiry");
  EXPECT_EQ(
      verify(sign(kHs256, R"({"aud":"http://localhost/client/?hub=chat","exp":"soon"})")).error,
      TokenError::Malformed);
  // Unsigned dates past int64 are far in the future (they used to read as -1: "Token expired").
  EXPECT_TRUE(
      verify(
          sign(kHs256, R"({"aud":"http://localhost/client/?hub=chat","exp":18446744073709551615})"))
          .ok());
  // Fractional dates are accepted.
  EXPECT_TRUE(
      verify(sign(kHs256, R"({"aud":"http://localhost/client/?hub=chat","exp":1700003600.5})"))
          .ok());
}

TEST(Jwt, IssuedAtAndHeaderFieldsThroughTheOneCheck) {
  // iat follows the nbf rule: no more than the skew in the future.
  auto verified = verify(sign(kHs256, payload_with(R"(,"iat":1700000300)")));
  EXPECT_TRUE(verified.ok()) << verified.message;
  verified = verify(sign(kHs256, payload_with(R"(,"iat":1700000301)")));
  EXPECT_EQ(verified.error, TokenError::NotYetValid);
  EXPECT_EQ(verified.message, "Token issued in the future");
  verified = verify(sign(kHs256, payload_with(R"(,"iat":"now")")));
  EXPECT_EQ(verified.error, TokenError::Malformed);
  EXPECT_EQ(verified.message, "Token 'iat' is not a number");
  verified = verify(sign(kHs256, payload_with(R"(,"nbf":"now")")));
  EXPECT_EQ(verified.error, TokenError::Malformed);  // JSON keeps the last "nbf"
  EXPECT_EQ(verified.message, "Token 'nbf' is not a number");
  // kid and typ are read; when present they must be strings.
  EXPECT_TRUE(verify(sign(R"({"alg":"HS256","typ":"JWT","kid":"key-1"})", payload_with(""))).ok());
  verified = verify(sign(R"({"alg":"HS256","kid":7})", payload_with("")));
  EXPECT_EQ(verified.error, TokenError::Malformed);
  EXPECT_EQ(verified.message, "Malformed token header: 'typ' and 'kid' must be strings");
  verified = verify(sign(R"({"alg":"HS256"})", payload_with("")).insert(0, "*"));
  EXPECT_EQ(verified.message, "Malformed token header");
}

TEST(Jwt, Audience) {
  auto with_aud = [](std::string_view aud_json) {
    return sign(kHs256, std::string(R"({"exp":1700003600,"aud":)") + std::string(aud_json) + "}");
  };
  auto verified = verify(with_aud(R"("http://localhost/client/?hub=other")"));
  EXPECT_EQ(verified.error, TokenError::WrongAudience);
  EXPECT_EQ(verified.message,
            "Token audience 'http://localhost/client/?hub=other' does not match "
            "'http://localhost/client/?hub=chat'");

  // Port and unrelated query parameters do not matter; the hub does.
  EXPECT_TRUE(verify(with_aud(R"("http://localhost/client/?hub=chat")"),
                     "http://localhost:8888/client/?hub=chat&id=abc&access_token=x")
                  .ok());
  EXPECT_TRUE(verify(with_aud(R"("http://localhost:1234/client/?asrs.op=%2F&hub=CHAT")")).ok());
  EXPECT_EQ(verify(with_aud(R"("http://localhost/client/")")).error, TokenError::WrongAudience);
  EXPECT_EQ(verify(with_aud(R"("http://elsewhere/client/?hub=chat")")).error,
            TokenError::WrongAudience);
  EXPECT_EQ(verify(with_aud(R"("http://localhost/api/?hub=chat")")).error,
            TokenError::WrongAudience);

  // Arrays: any element may match.
  verified = verify(with_aud(R"(["http://a/x","http://localhost/client/?hub=chat"])"));
  EXPECT_TRUE(verified.ok());
  EXPECT_EQ(verified.audiences,
            (std::vector<std::string>{"http://a/x", "http://localhost/client/?hub=chat"}));
  verified = verify(with_aud(R"(["http://a/x","http://b/y"])"));
  EXPECT_EQ(verified.error, TokenError::WrongAudience);
  EXPECT_EQ(verified.message,
            "Token audience 'http://a/x, http://b/y' does not match "
            "'http://localhost/client/?hub=chat'");

  // Missing audience fails unless the check is skipped.
  const std::string no_aud = sign(kHs256, R"({"exp":1700003600})");
  EXPECT_EQ(verify(no_aud).error, TokenError::WrongAudience);
  EXPECT_TRUE(verify(no_aud, "").ok());
  EXPECT_TRUE(verify(with_aud(R"("anything")"), "").ok());
}

TEST(Jwt, MalformedTokens) {
  const std::string good = sign(kHs256, payload_with(""));
  const std::string header = good.substr(0, good.find('.'));
  const std::string signature = good.substr(good.rfind('.') + 1);
  auto verified = verify(good.substr(0, good.rfind('.')));  // two parts
  EXPECT_EQ(verified.error, TokenError::Malformed);
  EXPECT_EQ(verified.message, "Token must have three parts");
  EXPECT_EQ(verify("").error, TokenError::Malformed);
  EXPECT_EQ(verify("abc").error, TokenError::Malformed);
  EXPECT_EQ(verify(good + ".x").error, TokenError::Malformed);  // four parts
  EXPECT_EQ(verify("!!!." + good.substr(good.find('.') + 1)).error, TokenError::Malformed);
  EXPECT_EQ(verify(header + ".***." + signature).error, TokenError::Malformed);
  EXPECT_EQ(verify(header + "." + base64url_encode("not json") + "." + signature).error,
            TokenError::Malformed);
  EXPECT_EQ(verify(header + "." + base64url_encode("[1,2]") + "." + signature).error,
            TokenError::Malformed);
  EXPECT_EQ(verify(sign(kHs256, R"({"exp":1700003600,)")).error, TokenError::Malformed);
  EXPECT_EQ(verify(sign("not json", payload_with(""))).error, TokenError::Malformed);
  EXPECT_EQ(verify(sign("\"HS256\"", payload_with(""))).error, TokenError::Malformed);
  EXPECT_EQ(verify("..").error, TokenError::Malformed);
}

TEST(Jwt, TokensOverTheSizeLimitAreRefusedWithTheirSize) {
  // Pad a claim until the signed token passes the limit: the last token within it verifies, the
  // first one over it is refused with its size (before its signature or claims are looked at).
  std::string within;
  std::string over;
  for (std::size_t pad = kMaxJwtBytes * 3 / 4 - 200; over.empty(); ++pad) {
    std::string token = sign(kHs256, payload_with(R"(,"pad":")" + std::string(pad, 'x') + "\""));
    (token.size() <= kMaxJwtBytes ? within : over) = std::move(token);
  }
  ASSERT_GE(within.size(), kMaxJwtBytes - 2);
  EXPECT_TRUE(verify(within).ok()) << verify(within).message;
  const auto refused = verify(over);
  EXPECT_EQ(refused.error, TokenError::Malformed);
  EXPECT_EQ(refused.message, "Token is " + std::to_string(over.size()) +
                                 " bytes, more than the 16384 a token may have");
  EXPECT_TRUE(refused.audiences.empty());  // nothing of it was read
}

TEST(Jwt, UserIdPrecedence) {
  EXPECT_EQ(
      verify(sign(kHs256, payload_with(R"(,"sub":"s","nameid":"n","asrs.s.uid":"u")"))).user_id,
      "u");
  EXPECT_EQ(verify(sign(kHs256, payload_with(R"(,"sub":"s","nameid":"n")"))).user_id, "n");
  EXPECT_EQ(verify(sign(kHs256, payload_with(R"(,"sub":"s")"))).user_id, "s");
  EXPECT_EQ(verify(sign(kHs256, payload_with(R"(,"sub":["s1","s2"])"))).user_id, "s1");
  EXPECT_EQ(verify(sign(kHs256, payload_with(""))).user_id, "");
}

TEST(Jwt, ClaimsFlattenArraysAndStringifyScalars) {
  const auto verified = verify(sign(
      kHs256, payload_with(R"(,"role":["a","b"],"n":1.5,"flag":true,"obj":{"x":1},"z":null)")));
  ASSERT_TRUE(verified.ok());
  const std::vector<std::pair<std::string, std::string>> expected{
      {"aud", "http://localhost/client/?hub=chat"},
      {"exp", "1700003600"},
      {"nbf", "1700000000"},
      {"role", "a"},
      {"role", "b"},
      {"n", "1.5"},
      {"flag", "true"}};
  EXPECT_EQ(verified.claims, expected);
}

TEST(AudienceMatches, Rules) {
  EXPECT_TRUE(audience_matches("http://localhost/client/?hub=chat",
                               "http://localhost:8888/client/?hub=chat"));
  EXPECT_TRUE(
      audience_matches("HTTP://LocalHost/Client?hub=Chat", "http://localhost/client/?hub=chat"));
  EXPECT_TRUE(audience_matches("https://h/client/?hub=chat", "http://h/client/?hub=chat"));
  EXPECT_TRUE(audience_matches("wss://h/client/?hub=chat", "https://h/client/?hub=chat"));
  EXPECT_TRUE(audience_matches("http://127.0.0.1/client/?hub=chat",
                               "http://localhost:8888/client/?hub=chat"));
  EXPECT_TRUE(
      audience_matches("http://[::1]:5000/client/?hub=chat", "http://localhost/client/?hub=chat"));
  EXPECT_TRUE(audience_matches("http://h/client/?hub=my%20hub", "http://h/client/?hub=My+Hub"));
  // Query ignored except hub; when the expected audience has no hub, anything goes.
  EXPECT_TRUE(audience_matches("https://h/api/hubs/chat?api-version=2022-06-01",
                               "https://h:443/api/hubs/chat/"));
  EXPECT_TRUE(audience_matches("https://h/api/v1/hubs/chat", "https://h/api/v1/hubs/chat"));
  EXPECT_TRUE(audience_matches("https://h/", "https://h"));

  EXPECT_FALSE(audience_matches("http://h/client/?hub=chat", "http://h/client/?hub=news"));
  EXPECT_FALSE(audience_matches("http://h/client/", "http://h/client/?hub=chat"));
  EXPECT_FALSE(audience_matches("http://other/client/?hub=chat", "http://h/client/?hub=chat"));
  EXPECT_FALSE(
      audience_matches("http://10.0.0.1/client/?hub=chat", "http://localhost/client/?hub=chat"));
  EXPECT_FALSE(audience_matches("http://h/client2/?hub=chat", "http://h/client/?hub=chat"));
  EXPECT_FALSE(audience_matches("ftp://h/client/?hub=chat", "http://h/client/?hub=chat"));
  EXPECT_FALSE(audience_matches("https://h/api/hubs/chat", "https://h/api/hubs/news"));
  EXPECT_FALSE(audience_matches("not a url", "http://h/"));
  EXPECT_TRUE(audience_matches("Audience", "audience"));
}

TEST(Jwt, AudienceMatchingParsesBothSidesWithTheOneUrlParser) {
  // IPv6 loopback in any spelling is loopback; other addresses compare canonically.
  EXPECT_TRUE(audience_matches("http://[0:0:0:0:0:0:0:1]/client/?hub=chat",
                               "http://localhost:8888/client/?hub=chat"));
  EXPECT_TRUE(audience_matches("http://[2001:DB8:0::1]/client/?hub=chat",
                               "http://[2001:db8::1]:8888/client/?hub=chat"));
  EXPECT_FALSE(audience_matches("http://[2001:db8::2]/client/?hub=chat",
                                "http://[2001:db8::1]/client/?hub=chat"));
  // User information and fragments do not take part.
  EXPECT_TRUE(audience_matches("http://u:p@h/client/?hub=chat#x", "http://h/client/?hub=chat"));
  // A URL that does not parse (bad port, malformed escape) matches only its own text.
  EXPECT_FALSE(audience_matches("http://h:99999/client/?hub=chat", "http://h/client/?hub=chat"));
  EXPECT_FALSE(audience_matches("http://h/client/?hub=chat", "http://h:0/client/?hub=chat"));
  EXPECT_TRUE(audience_matches("HTTP://h:0/client/", "http://h:0/client/"));
  EXPECT_FALSE(audience_matches("http://h/a%zz", "http://h/a%ZZ/"));
}

}  // namespace
}  // namespace switchboard::auth
