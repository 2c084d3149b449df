// Unit tests for auth/jwt_check, the one path that reads and checks JWTs: splitting and base64url
// of each part, header and payload as JSON objects, alg/typ/kid, HS256 against several secrets,
// RS256 (and only with an RSA key), and exp/nbf/iat under one clock-skew rule, at the edges.
#include "auth/jwt_check.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include "test_keys.hpp"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "auth/crypto.hpp"

namespace switchboard::auth {
namespace {

using test::ec_key;
using test::PKey;
using test::public_pem;
using test::rsa_key;
using test::sha256_signature;

constexpr std::int64_t kNow = 1700000000;
constexpr std::int64_t kSkew = 300;
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::string_view kPayload = R"({"sub":"alice","exp":1700003600})";

std::string input_of(std::string_view header, std::string_view payload) {
  return base64url_encode(header) + "." + base64url_encode(payload);
}

std::string hs256(std::string_view secret, std::string_view header = kHs256Header,
                  std::string_view payload = kPayload) {
  const std::string input = input_of(header, payload);
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

std::string signed_with(EVP_PKEY* key, std::string_view header = R"({"alg":"RS256"})") {
  const std::string input = input_of(header, kPayload);
  return input + "." + base64url_encode(sha256_signature(input, key));
}

JwtFormatError format_error(std::string_view token) {
  return decode_jwt(token).error;
}

JwtSignature signature_of(std::string_view token, std::span<const std::string> secrets,
                          std::string_view pem = {}) {
  const auto decoded = decode_jwt(token);
  EXPECT_TRUE(decoded.jwt) << token;
  if (!decoded.jwt) return JwtSignature::Invalid;
  return check_jwt_signature(*decoded.jwt, JwtKeys{secrets, pem});
}

JwtTimeError time_error(std::string_view payload, std::int64_t now = kNow) {
  return check_jwt_times(JwtJson::parse(payload), now, kSkew).error;
}

TEST(JwtDecode, SplitsTheThreeParts) {
  const std::string token = hs256("k", R"({"alg":"HS256","typ":"JWT","kid":"key-2"})");
  const auto decoded = decode_jwt(token);
  ASSERT_TRUE(decoded.jwt);
  EXPECT_EQ(decoded.error, JwtFormatError::None);
  const auto& jwt = *decoded.jwt;
  EXPECT_EQ(jwt.signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt.alg, "HS256");
  EXPECT_EQ(jwt.typ, "JWT");
  EXPECT_EQ(jwt.kid, "key-2");
  EXPECT_EQ(jwt.payload["sub"], "alice");
  EXPECT_EQ(jwt.signature, hmac_sha256("k", jwt.signing_input));
  // Claims keep the token's order.
  const auto ordered = decode_jwt(hs256("k", kHs256Header, R"({"z":1,"a":2,"m":3})"));
  std::vector<std::string> names;
  for (const auto& [name, value] : ordered.jwt->payload.items()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"z", "a", "m"}));
}

// The header and payload are read by simdjson and handed on as nlohmann JSON: every document
// comes out as nlohmann's own parser reads it (the same values, number kinds, member order and
// repeated names), and every document nlohmann refuses is refused.
TEST(JwtDecode, PayloadJsonReadsAsNlohmannReadsIt) {
  std::string deep;
  for (int i = 0; i < 1100; ++i) deep += "[";
  for (int i = 0; i < 1100; ++i) deep += "]";
  const std::vector<std::string> payloads = {
      R"({"sub":"alice","exp":1700003600,"n":-5,"f":1.5,"e":1e2,"b":true,"z":null})",
      R"({"nested":{"a":[1,"two",{"three":3.0}],"empty":{}},"list":[]})",
      R"({"b":1,"a":2,"b":3})",  // a repeated name: first place, last value
      R"({"max":18446744073709551615,"min":-9223372036854775808,"i":9223372036854775807})",
      R"({"beyond":18446744073709551616})",
      R"({"below":-9223372036854775809})",
      R"({"zero":0,"negative zero":-0})",
      R"({"negative zero float":-0.0})",
      R"({"huge":1E400})",
      R"({"tiny":1e-400})",
      R"({"pair":"\ud83d\ude00","nul":"a\u0000b","esc":"\"\\\/\b\f\n\r\t"})",
      R"({"lone high":"\ud800"})",
      R"({"lone low":"\udc00"})",
      "{\"raw control\":\"a\tb\"}",
      "{\"not utf-8\":\"\xff\"}",
      "{\"utf-8\":\"caf\xc3\xa9\"}",
      R"( {"spaces":1} )",
      R"({"trailing":1} x)",
      R"({"comma":1,})",
      R"({"deep":)" + deep + "}",
      R"([1,2])",
      R"("text")",
      R"({})",
      "",
  };
  for (const auto& payload : payloads) {
    const JwtJson expected = JwtJson::parse(payload, nullptr, /*allow_exceptions=*/false);
    const auto decoded = decode_jwt(input_of(kHs256Header, payload) + ".c2ln");
    if (expected.is_discarded() || !expected.is_object()) {
      EXPECT_EQ(decoded.error, JwtFormatError::PayloadJson) << payload;
      continue;
    }
    ASSERT_TRUE(decoded.jwt) << payload;
    EXPECT_EQ(decoded.jwt->payload.dump(), expected.dump()) << payload;
    EXPECT_EQ(decoded.jwt->payload, expected) << payload;
  }
}

TEST(JwtDecode, AbsentHeaderFields) {
  const auto decoded = decode_jwt(hs256("k", "{}"));
  ASSERT_TRUE(decoded.jwt);
  EXPECT_FALSE(decoded.jwt->alg);
  EXPECT_FALSE(decoded.jwt->typ);
  EXPECT_FALSE(decoded.jwt->kid);
  // A non-string alg is no algorithm (refused when the signature is checked), not a format error.
  const auto numeric_alg = decode_jwt(hs256("k", R"({"alg":256})"));
  ASSERT_TRUE(numeric_alg.jwt);
  EXPECT_FALSE(numeric_alg.jwt->alg);
}

TEST(JwtDecode, RefusesTokensOverTheSizeLimitFirst) {
  // A well-formed token whose signature part is padded to exactly the limit still decodes (its
  // signature is then no valid base64url, which the signature check refuses later).
  std::string token = hs256("secret");
  token.append(kMaxJwtBytes - token.size(), 'A');
  ASSERT_EQ(token.size(), kMaxJwtBytes);
  const auto at_limit = decode_jwt(token);
  EXPECT_EQ(at_limit.error, JwtFormatError::None);
  EXPECT_TRUE(at_limit.jwt);
  token.push_back('A');
  EXPECT_EQ(format_error(token), JwtFormatError::TooLarge);
  // Refused for its size before anything else is looked at: not split, not decoded.
  EXPECT_EQ(format_error(std::string(kMaxJwtBytes + 1, '.')), JwtFormatError::TooLarge);
  EXPECT_EQ(format_error(std::string(1 << 20, 'x')), JwtFormatError::TooLarge);
  EXPECT_EQ(jwt_too_large(kMaxJwtBytes + 1), "16385 bytes, more than the 16384 a token may have");
}

TEST(JwtDecode, RefusesOtherThanThreeParts) {
  for (std::string_view token : {"", "abc", "a.b", "a.b.c.d", "...", "a..b.c"})
    EXPECT_EQ(format_error(token), JwtFormatError::NotThreeParts) << token;
}

TEST(JwtDecode, RefusesBadBase64urlPerPart) {
  const std::string good = hs256("k");
  const auto first = good.find('.');
  const auto second = good.find('.', first + 1);
  std::string bad = good;
  bad.insert(0, "+");
  EXPECT_EQ(format_error(bad), JwtFormatError::HeaderBase64);
  bad = good;
  bad.insert(first + 1, "=");
  EXPECT_EQ(format_error(bad), JwtFormatError::PayloadBase64);
  // An empty header or payload decodes, but is no JSON object.
  EXPECT_EQ(format_error(".." + good.substr(second + 1)), JwtFormatError::HeaderJson);
  // A signature that is not base64url decodes as nullopt: refused when it is checked.
  bad = good;
  bad.insert(second + 1, "*");
  const auto decoded = decode_jwt(bad);
  ASSERT_TRUE(decoded.jwt);
  EXPECT_FALSE(decoded.jwt->signature);
  const std::vector<std::string> secrets{"k"};
  EXPECT_EQ(signature_of(bad, secrets), JwtSignature::Invalid);
  EXPECT_EQ(signature_of(good + "==", secrets), JwtSignature::Invalid);
}

TEST(JwtDecode, RefusesHeadersAndPayloadsThatAreNotObjects) {
  EXPECT_EQ(format_error(hs256("k", R"({"alg":"HS256")")), JwtFormatError::HeaderJson);
  EXPECT_EQ(format_error(hs256("k", R"(["HS256"])")), JwtFormatError::HeaderJson);
  EXPECT_EQ(format_error(hs256("k", kHs256Header, R"("alice")")), JwtFormatError::PayloadJson);
  EXPECT_EQ(format_error(hs256("k", kHs256Header, "null")), JwtFormatError::PayloadJson);
  EXPECT_EQ(format_error(hs256("k", kHs256Header, R"({"sub":"a")")), JwtFormatError::PayloadJson);
  EXPECT_EQ(format_error(hs256("k", kHs256Header, "{} trailing")), JwtFormatError::PayloadJson);
}

TEST(JwtDecode, TypAndKidMustBeStrings) {
  EXPECT_EQ(format_error(hs256("k", R"({"alg":"HS256","typ":1})")),
            JwtFormatError::HeaderFieldType);
  EXPECT_EQ(format_error(hs256("k", R"({"alg":"HS256","kid":["a"]})")),
            JwtFormatError::HeaderFieldType);
  EXPECT_EQ(format_error(hs256("k", R"({"alg":"HS256","kid":null})")),
            JwtFormatError::HeaderFieldType);
}

TEST(JwtSignatureCheck, Hs256WithSeveralSecrets) {
  const std::vector<std::string> keys{"", "first-key", "second-key"};
  EXPECT_EQ(signature_of(hs256("first-key"), keys), JwtSignature::Valid);
  EXPECT_EQ(signature_of(hs256("second-key"), keys), JwtSignature::Valid);
  EXPECT_EQ(signature_of(hs256("third-key"), keys), JwtSignature::Invalid);
  // An empty secret never matches, even a token signed with the empty key.
  EXPECT_EQ(signature_of(hs256(""), keys), JwtSignature::Invalid);
  const std::vector<std::string> only_empty{""};
  EXPECT_EQ(signature_of(hs256(""), only_empty), JwtSignature::Invalid);
  // No secret at all: HS256 is not accepted.
  EXPECT_EQ(signature_of(hs256("first-key"), {}), JwtSignature::AlgorithmNotAccepted);
}

TEST(JwtSignatureCheck, Hs256SignatureMustBeExact) {
  const std::vector<std::string> keys{"k"};
  const std::string good = hs256("k");
  std::string flipped = good;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(signature_of(flipped, keys), JwtSignature::Invalid);
  // Cut short, empty, or one byte longer.
  EXPECT_EQ(signature_of(good.substr(0, good.size() - 4), keys), JwtSignature::Invalid);
  EXPECT_EQ(signature_of(good.substr(0, good.rfind('.') + 1), keys), JwtSignature::Invalid);
  const std::string input = good.substr(0, good.rfind('.'));
  EXPECT_EQ(signature_of(input + "." + base64url_encode(hmac_sha256("k", input) + "x"), keys),
            JwtSignature::Invalid);
  // The signature of another payload.
  const std::string other = hs256("k", kHs256Header, R"({"sub":"mallory","exp":1700003600})");
  EXPECT_EQ(signature_of(input + other.substr(other.rfind('.')), keys), JwtSignature::Invalid);
}

TEST(JwtSignatureCheck, AlgorithmsAreTakenAsSpelled) {
  const std::vector<std::string> keys{"k"};
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"hs256"})", R"({"alg":"HS512"})",
                             R"({"alg":"HS256 "})", R"({"alg":""})", R"({"alg":256})", "{}"}) {
    EXPECT_EQ(signature_of(hs256("k", header), keys), JwtSignature::AlgorithmNotAccepted) << header;
  }
  // alg none without a signature.
  EXPECT_EQ(signature_of(input_of(R"({"alg":"none"})", kPayload) + ".", keys),
            JwtSignature::AlgorithmNotAccepted);
}

TEST(JwtSignatureCheck, Rs256) {
  const std::string pem = public_pem(rsa_key());
  EXPECT_EQ(signature_of(signed_with(rsa_key()), {}, pem), JwtSignature::Valid);
  PKey other(EVP_RSA_gen(2048), &EVP_PKEY_free);
  EXPECT_EQ(signature_of(signed_with(other.get()), {}, pem), JwtSignature::Invalid);
  // RS256 not configured; and the key-confusion attack: HS256 with the public key as secret.
  const std::vector<std::string> secrets{"k"};
  EXPECT_EQ(signature_of(signed_with(rsa_key()), secrets), JwtSignature::AlgorithmNotAccepted);
  EXPECT_EQ(signature_of(hs256(pem), {}, pem), JwtSignature::AlgorithmNotAccepted);
  EXPECT_EQ(signature_of(hs256(pem), secrets, pem), JwtSignature::Invalid);
  // A PEM that is no key refuses every RS256 token.
  EXPECT_EQ(signature_of(signed_with(rsa_key()), {}, "-----BEGIN PUBLIC KEY-----\nx\n"),
            JwtSignature::Invalid);
}

TEST(JwtSignatureCheck, Rs256NeedsAnRsaKey) {
  // With an EC public key configured, an ECDSA signature labelled RS256 used to verify (OpenSSL
  // verifies with whatever key type it is given): the label must match the key.
  const std::string pem = public_pem(ec_key());
  EXPECT_EQ(signature_of(signed_with(ec_key()), {}, pem), JwtSignature::Invalid);
  EXPECT_EQ(signature_of(signed_with(ec_key(), R"({"alg":"ES256"})"), {}, pem),
            JwtSignature::AlgorithmNotAccepted);
}

TEST(JwtTimes, ExpiryIsRequiredAndChecked) {
  EXPECT_EQ(time_error(R"({})"), JwtTimeError::NoExpiry);
  EXPECT_EQ(time_error(R"({"exp":"1700003600"})"), JwtTimeError::ExpiryNotNumber);
  EXPECT_EQ(time_error(R"({"exp":null})"), JwtTimeError::ExpiryNotNumber);
  EXPECT_EQ(time_error(R"({"exp":true})"), JwtTimeError::ExpiryNotNumber);
  EXPECT_EQ(time_error(R"({"exp":1700003600})"), JwtTimeError::None);
  // The skew: expired only when exp < now - 300.
  EXPECT_EQ(time_error(R"({"exp":1699999700})"), JwtTimeError::None);
  EXPECT_EQ(time_error(R"({"exp":1699999699})"), JwtTimeError::Expired);
  EXPECT_EQ(time_error(R"({"exp":1699999699.9})"), JwtTimeError::Expired);  // fraction dropped
  EXPECT_EQ(time_error(R"({"exp":1699999700.5})"), JwtTimeError::None);
  EXPECT_EQ(check_jwt_times(JwtJson::parse(R"({"exp":1700003600.7})"), kNow, kSkew).expires_at,
            1700003600);
}

TEST(JwtTimes, NotBeforeAndIssuedAtShareTheSkew) {
  EXPECT_EQ(time_error(R"({"exp":1700003600,"nbf":1700000300})"), JwtTimeError::None);
  EXPECT_EQ(time_error(R"({"exp":1700003600,"nbf":1700000301})"), JwtTimeError::NotYetValid);
  EXPECT_EQ(time_error(R"({"exp":1700003600,"nbf":"soon"})"), JwtTimeError::NotBeforeNotNumber);
  EXPECT_EQ(time_error(R"({"exp":1700003600,"iat":1700000300})"), JwtTimeError::None);
  EXPECT_EQ(time_error(R"({"exp":1700003600,"iat":1700000301})"), JwtTimeError::IssuedInFuture);
  EXPECT_EQ(time_error(R"({"exp":1700003600,"iat":[1]})"), JwtTimeError::IssuedAtNotNumber);
  EXPECT_EQ(time_error(R"({"exp":1700003600,"iat":0,"nbf":0})"), JwtTimeError::None);
  // exp is checked first, then nbf, then iat.
  EXPECT_EQ(time_error(R"({"exp":1,"nbf":9999999999,"iat":"x"})"), JwtTimeError::Expired);
  EXPECT_EQ(time_error(R"({"exp":9999999999,"nbf":9999999999,"iat":"x"})"),
            JwtTimeError::NotYetValid);
}

TEST(JwtTimes, HugeValuesDoNotOverflow) {
  EXPECT_EQ(time_error(R"({"exp":18446744073709551615})"), JwtTimeError::None);
  EXPECT_EQ(time_error(R"({"exp":1e300})"), JwtTimeError::None);
  EXPECT_EQ(time_error(R"({"exp":-9223372036854775808})"), JwtTimeError::Expired);
  EXPECT_EQ(time_error(R"({"exp":-1e300})"), JwtTimeError::Expired);
  EXPECT_EQ(time_error(R"({"exp":1e300,"nbf":1e300})"), JwtTimeError::NotYetValid);
  EXPECT_EQ(time_error(R"({"exp":1e300,"nbf":-1e300,"iat":-9223372036854775808})"),
            JwtTimeError::None);
  // `now` at the ends of the range: the bounds saturate instead of wrapping.
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(time_error(R"({"exp":9223372036854775807,"nbf":9223372036854775807})", kMax),
            JwtTimeError::None);
  EXPECT_EQ(time_error(R"({"exp":-9223372036854775808})", kMin), JwtTimeError::None);
}

TEST(JwtNumericDate, NumbersOnly) {
  EXPECT_EQ(jwt_numeric_date(JwtJson(5)), 5);
  EXPECT_EQ(jwt_numeric_date(JwtJson(-5)), -5);
  EXPECT_EQ(jwt_numeric_date(JwtJson(5.9)), 5);
  EXPECT_EQ(jwt_numeric_date(JwtJson(-5.1)), -6);
  EXPECT_EQ(jwt_numeric_date(JwtJson(18446744073709551615ULL)),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(jwt_numeric_date(JwtJson("5")));
  EXPECT_FALSE(jwt_numeric_date(JwtJson()));
  EXPECT_FALSE(jwt_numeric_date(JwtJson::array()));
  EXPECT_FALSE(jwt_numeric_date(JwtJson(std::numeric_limits<double>::quiet_NaN())));
}

}  // namespace
}  // namespace switchboard::auth
