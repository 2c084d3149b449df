// Unit tests for end-user identity tokens (auth/identity_token): HS256 and RS256 signatures, the
// algorithm bound to the configured key (alg none, HS256 signed with the RSA public key), base64url
// and JSON errors in every part, exp/nbf with leeway, huge dates, issuer and audience checks, and
// claims of the wrong JSON type.
#include "auth/identity_token.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include "test_keys.hpp"

#include <memory>
#include <string>

#include "auth/crypto.hpp"

namespace switchboard::auth {
namespace {

using test::ec_key;
using test::PKey;
using test::public_pem;
using test::rsa_key;
using test::sha256_signature;

constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kSecret = "identity-secret-0123456789";

std::string signing_input(std::string_view header, std::string_view payload) {
  return base64url_encode(header) + "." + base64url_encode(payload);
}

std::string hs256(std::string_view payload, std::string_view secret = kSecret,
                  std::string_view header = R"({"alg":"HS256","typ":"JWT"})") {
  const std::string input = signing_input(header, payload);
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

std::string rs256(std::string_view payload, EVP_PKEY* key = rsa_key()) {
  const std::string input = signing_input(R"({"alg":"RS256","typ":"JWT"})", payload);
  return input + "." + base64url_encode(sha256_signature(input, key));
}

IdentitySettings hs_settings() {
  IdentitySettings settings;
  settings.hs256_secret = std::string(kSecret);
  return settings;
}

IdentitySettings rs_settings() {
  IdentitySettings settings;
  settings.rs256_public_key = public_pem(rsa_key());
  return settings;
}

constexpr std::string_view kAlice = R"({"sub":"alice","name":"Alice","exp":1700003600})";

TEST(IdentityToken, Hs256AndRs256Verify) {
  auto hs = verify_identity_token(hs256(kAlice), hs_settings(), kNow);
  ASSERT_TRUE(hs.identity) << hs.error;
  EXPECT_EQ(hs.identity->user_id, "alice");
  EXPECT_EQ(hs.identity->name, "Alice");
  EXPECT_EQ(hs.identity->claims["exp"], 1700003600);

  auto rs = verify_identity_token(rs256(kAlice), rs_settings(), kNow);
  ASSERT_TRUE(rs.identity) << rs.error;
  EXPECT_EQ(rs.identity->user_id, "alice");
}

TEST(IdentityToken, AlgorithmMustMatchTheConfiguredKey) {
  // alg none, with and without a signature.
  const std::string none = signing_input(R"({"alg":"none"})", kAlice);
  EXPECT_EQ(verify_identity_token(none + ".", hs_settings(), kNow).error,
            "The bearer token's algorithm 'none' is not accepted.");
  EXPECT_FALSE(verify_identity_token(none + ".", rs_settings(), kNow).identity);
  // An RS256 token where only an HS256 secret is configured, and the other way round.
  EXPECT_EQ(verify_identity_token(rs256(kAlice), hs_settings(), kNow).error,
            "The bearer token's algorithm 'RS256' is not accepted.");
  EXPECT_EQ(verify_identity_token(hs256(kAlice), rs_settings(), kNow).error,
            "The bearer token's algorithm 'HS256' is not accepted.");
  // The key-confusion attack: HS256 "signed" with the RSA public key as the HMAC secret.
  auto settings = rs_settings();
  EXPECT_FALSE(
      verify_identity_token(hs256(kAlice, settings.rs256_public_key), settings, kNow).identity);
  settings.hs256_secret = std::string(kSecret);  // both configured: still not the PEM as secret
  EXPECT_EQ(verify_identity_token(hs256(kAlice, settings.rs256_public_key), settings, kNow).error,
            "The bearer token's signature is invalid.");
  // Algorithms spelled otherwise, or not a string at all.
  EXPECT_FALSE(
      verify_identity_token(hs256(kAlice, kSecret, R"({"alg":"hs256"})"), hs_settings(), kNow)
          .identity);
  EXPECT_EQ(
      verify_identity_token(hs256(kAlice, kSecret, R"({"alg":256})"), hs_settings(), kNow).error,
      "The bearer token's algorithm '' is not accepted.");
  EXPECT_FALSE(
      verify_identity_token(hs256(kAlice, kSecret, R"({"typ":"JWT"})"), hs_settings(), kNow)
          .identity);
}

TEST(IdentityToken, WrongSignaturesAreRefused) {
  EXPECT_EQ(verify_identity_token(hs256(kAlice, "another secret"), hs_settings(), kNow).error,
            "The bearer token's signature is invalid.");
  PKey other(EVP_RSA_gen(2048), &EVP_PKEY_free);
  EXPECT_EQ(verify_identity_token(rs256(kAlice, other.get()), rs_settings(), kNow).error,
            "The bearer token's signature is invalid.");
  // A signature cut short, and a valid signature over another payload.
  std::string token = hs256(kAlice);
  EXPECT_FALSE(
      verify_identity_token(token.substr(0, token.size() - 4), hs_settings(), kNow).identity);
  const std::string other_payload = hs256(R"({"sub":"mallory","exp":1700003600})");
  // alice's header and payload with the signature of mallory's token.
  const std::string spliced =
      token.substr(0, token.rfind('.')) + other_payload.substr(other_payload.rfind('.'));
  EXPECT_FALSE(verify_identity_token(spliced, hs_settings(), kNow).identity);
  // A garbage public key refuses every RS256 token.
  IdentitySettings garbage;
  garbage.rs256_public_key = "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n";
  EXPECT_EQ(verify_identity_token(rs256(kAlice), garbage, kNow).error,
            "The bearer token's signature is invalid.");
}

TEST(IdentityToken, MalformedPartsGivePreciseErrors) {
  const auto settings = hs_settings();
  for (std::string_view token : {"", "abc", "a.b", "a.b.c.d", "..."}) {
    EXPECT_EQ(verify_identity_token(token, settings, kNow).error, "The bearer token is not a JWT.")
        << token;
  }
  const std::string good = hs256(kAlice);
  const auto first = good.find('.');
  const auto second = good.find('.', first + 1);
  // Characters outside base64url, padding, in each of the three parts.
  for (std::size_t at : {std::size_t{0}, first + 1, second + 1}) {
    std::string bad = good;
    bad.insert(at, "+");
    EXPECT_EQ(verify_identity_token(bad, settings, kNow).error,
              "The bearer token is not valid base64url.")
        << at;
  }
  EXPECT_EQ(verify_identity_token(good + "==", settings, kNow).error,
            "The bearer token is not valid base64url.");
  // Header or payload not JSON, or JSON but not an object.
  for (auto [header, payload] :
       std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {R"({"alg":"HS256")", kAlice},
           {R"(["HS256"])", kAlice},
           {R"({"alg":"HS256"})", R"({"sub":"alice")"},
           {R"({"alg":"HS256"})", R"("alice")"},
           {R"({"alg":"HS256"})", "null"},
       }) {
    EXPECT_EQ(verify_identity_token(hs256(payload, kSecret, header), settings, kNow).error,
              "The bearer token's header or payload is not a JSON object.")
        << header << " " << payload;
  }
}

TEST(IdentityToken, TokensOverTheSizeLimitAreRefusedWithTheirSize) {
  // An identity token with many claims (an Entra ID token with its groups, say) within the limit
  // verifies; one over it is refused before it is decoded, naming its size.
  std::string groups = R"({"sub":"alice","exp":1700003600,"groups":[)";
  while (groups.size() < kMaxJwtBytes / 2) groups += R"("0f6d2a3c-1b4e-4c5d-8e9f-a0b1c2d3e4f5",)";
  groups += R"("last"]})";
  const std::string many = hs256(groups);
  ASSERT_LE(many.size(), kMaxJwtBytes);
  EXPECT_TRUE(verify_identity_token(many, hs_settings(), kNow).identity);

  std::string huge = R"({"sub":"alice","exp":1700003600,"pad":")";
  huge += std::string(kMaxJwtBytes, 'x') + "\"}";
  const std::string token = hs256(huge);
  const auto refused = verify_identity_token(token, hs_settings(), kNow);
  EXPECT_FALSE(refused.identity);
  EXPECT_EQ(refused.error, "The bearer token is " + std::to_string(token.size()) +
                               " bytes, more than the 16384 a token may have.");
}

TEST(IdentityToken, ExpiryAndNotBeforeWithLeeway) {
  auto settings = hs_settings();
  settings.skew_seconds = 300;
  auto check = [&](std::string_view payload) {
    return verify_identity_token(hs256(payload), settings, kNow).error;
  };
  EXPECT_EQ(check(R"({"sub":"a","exp":1699999700})"), "");  // expired 300 s ago: in the leeway
  EXPECT_EQ(check(R"({"sub":"a","exp":1699999699})"), "The bearer token has expired.");
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"nbf":1700000300})"), "");
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"nbf":1700000301})"),
            "The bearer token is not valid yet.");
  EXPECT_EQ(check(R"({"sub":"a"})"), "The bearer token has no expiry.");
  EXPECT_EQ(check(R"({"sub":"a","exp":"1700003600"})"), "The bearer token has no expiry.");
  EXPECT_EQ(check(R"({"sub":"a","exp":null})"), "The bearer token has no expiry.");
  // Huge and fractional dates neither overflow nor wrap around.
  EXPECT_EQ(check(R"({"sub":"a","exp":18446744073709551615})"), "");
  EXPECT_EQ(check(R"({"sub":"a","exp":1e308})"), "");
  EXPECT_EQ(check(R"({"sub":"a","exp":-9223372036854775808})"), "The bearer token has expired.");
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"nbf":1e308})"),
            "The bearer token is not valid yet.");
  EXPECT_EQ(check(R"({"sub":"a","exp":1699999699.5})"), "The bearer token has expired.");
  settings.skew_seconds = 0;
  EXPECT_EQ(check(R"({"sub":"a","exp":1699999999})"), "The bearer token has expired.");
}

TEST(IdentityToken, TimeClaimsFollowTheOneRule) {
  // The same rule as access tokens (auth/jwt_check): nbf and iat must be numbers, iat no later
  // than the skew allows.
  const auto settings = hs_settings();
  auto check = [&](std::string_view payload) {
    return verify_identity_token(hs256(payload), settings, kNow).error;
  };
  EXPECT_EQ(settings.skew_seconds, 300);
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"nbf":"later"})"),
            "The bearer token's 'nbf' is not a number.");
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"iat":1700000300})"), "");
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"iat":1700000301})"),
            "The bearer token was issued in the future.");
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"iat":null})"),
            "The bearer token's 'iat' is not a number.");
  EXPECT_EQ(
      verify_identity_token(hs256(kAlice, kSecret, R"({"alg":"HS256","kid":1})"), settings, kNow)
          .error,
      "The bearer token's header has a 'typ' or 'kid' that is not a string.");
  EXPECT_TRUE(
      verify_identity_token(hs256(kAlice, kSecret, R"({"alg":"HS256","kid":"k1"})"), settings, kNow)
          .identity);
}

TEST(IdentityToken, Rs256NeedsAnRsaPublicKey) {
  // An EC public key configured as the RS256 key: an ECDSA signature labelled RS256 used to pass.
  PKey ec(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  IdentitySettings settings;
  settings.rs256_public_key = public_pem(ec.get());
  EXPECT_EQ(verify_identity_token(rs256(kAlice, ec.get()), settings, kNow).error,
            "The bearer token's signature is invalid.");
}

TEST(IdentityToken, IssuerAndAudience) {
  auto settings = hs_settings();
  settings.issuer = "https://login.example";
  settings.audience = "api://chat";
  auto check = [&](std::string_view payload) {
    return verify_identity_token(hs256(payload), settings, kNow).error;
  };
  EXPECT_EQ(
      check(R"({"sub":"a","exp":1700003600,"iss":"https://login.example","aud":"api://chat"})"),
      "");
  EXPECT_EQ(
      check(
          R"({"sub":"a","exp":1700003600,"iss":"https://login.example","aud":["x","api://chat"]})"),
      "");
  const std::string wrong_issuer = "The bearer token's issuer is not 'https://login.example'.";
  EXPECT_EQ(
      check(R"({"sub":"a","exp":1700003600,"iss":"https://evil.example","aud":"api://chat"})"),
      wrong_issuer);
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"aud":"api://chat"})"), wrong_issuer);
  // Claims of another JSON type are refused, not thrown.
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"iss":42,"aud":"api://chat"})"), wrong_issuer);
  const std::string wrong_audience = "The bearer token's audience is not 'api://chat'.";
  EXPECT_EQ(
      check(R"({"sub":"a","exp":1700003600,"iss":"https://login.example","aud":"api://CHAT"})"),
      wrong_audience);
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"iss":"https://login.example"})"), wrong_audience);
  EXPECT_EQ(check(R"({"sub":"a","exp":1700003600,"iss":"https://login.example","aud":[1,null]})"),
            wrong_audience);
}

TEST(IdentityToken, UserAndName) {
  const auto settings = hs_settings();
  auto identity = [&](std::string_view payload) {
    return verify_identity_token(hs256(payload), settings, kNow);
  };
  auto oid = identity(R"({"oid":"o-1","preferred_username":"pat","exp":1700003600})");
  ASSERT_TRUE(oid.identity) << oid.error;
  EXPECT_EQ(oid.identity->user_id, "o-1");
  EXPECT_EQ(oid.identity->name, "pat");
  auto numeric = identity(R"({"sub":12,"exp":1700003600})");
  ASSERT_TRUE(numeric.identity) << numeric.error;
  EXPECT_EQ(numeric.identity->user_id, "12");
  EXPECT_EQ(numeric.identity->name, "12");
  EXPECT_EQ(identity(R"({"sub":"","exp":1700003600})").error,
            "The bearer token names no user (no 'sub', 'nameid' or 'oid' claim).");
  EXPECT_EQ(identity(R"({"sub":["a"],"exp":1700003600})").error,
            "The bearer token names no user (no 'sub', 'nameid' or 'oid' claim).");
}

}  // namespace
}  // namespace switchboard::auth
