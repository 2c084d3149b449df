// The one path that reads and checks a JSON Web Token (RFC 7515/7519, compact form): split into
// three base64url parts, header (alg, typ, kid) and payload as JSON objects, the signature
// checked for the header's algorithm (HS256 against any of several secrets, RS256 against a PEM
// public key), and the time claims (exp required; exp, nbf and iat with one clock-skew rule).
// Access tokens (auth/jwt) and end-user identity tokens (auth/identity_token) are both checked
// here and only phrase the outcome their own way. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchboard::auth {

// Clock skew tolerated on exp, nbf and iat.
constexpr std::int64_t kJwtClockSkewSeconds = 300;

// The longest token read, in bytes of its compact form (docs/limits.md, "Token size"): 16 KiB,
// the default --max-header-size, so that a token that fits in a default request never meets this
// limit, while a raised header limit does not raise what a token may make the parser decode.
// Longer is refused before anything of it is split, decoded or parsed.
constexpr std::size_t kMaxJwtBytes = 16 * 1024;

using JwtJson = nlohmann::ordered_json;  // claims keep the order the token has them in

struct DecodedJwt {
  std::string_view signing_input;        // `header.payload` as sent (a view of the token)
  JwtJson header;                        // a JSON object
  JwtJson payload;                       // a JSON object
  std::optional<std::string> signature;  // nullopt: the third part is not base64url
  std::optional<std::string> alg;        // nullopt: absent or not a string
  std::optional<std::string> typ;        // when present (a string)
  std::optional<std::string> kid;        // when present (a string)
};

enum class JwtFormatError {
  None,
  TooLarge,         // longer than kMaxJwtBytes
  NotThreeParts,    // not `a.b.c`
  HeaderBase64,     // the header is not canonical base64url
  PayloadBase64,    // the payload is not canonical base64url
  HeaderJson,       // the header is not a JSON object
  PayloadJson,      // the payload is not a JSON object
  HeaderFieldType,  // typ or kid present but not a string
};

// "20000 bytes, more than the 16384 a token may have": why a token of `size` bytes was refused
// (JwtFormatError::TooLarge), for every caller to say it the same way after its own subject.
std::string jwt_too_large(std::size_t size);

struct JwtDecodeResult {
  std::optional<DecodedJwt> jwt;
  JwtFormatError error = JwtFormatError::None;
};

// Splits and decodes `token`; the signature is decoded but not checked. A token over kMaxJwtBytes
// is refused first; base64url is checked for the header and payload before either is parsed as
// JSON.
JwtDecodeResult decode_jwt(std::string_view token);

struct JwtKeys {
  std::span<const std::string> hs256;  // HS256 accepted when not empty; empty secrets never match
  std::string_view rs256_pem;          // RS256 accepted when not empty (a PEM public key)
};

enum class JwtSignature {
  Valid,
  AlgorithmNotAccepted,  // alg absent, not a string, or not one the keys allow (none included)
  Invalid,               // not base64url, or signed with none of the keys
};

// Checks the signature for the header's alg, exactly as spelled ("HS256", "RS256"). Every HS256
// secret is tried (no early exit), compared in constant time.
JwtSignature check_jwt_signature(const DecodedJwt& jwt, const JwtKeys& keys);

enum class JwtTimeError {
  None,
  NoExpiry,         // no exp
  ExpiryNotNumber,  // exp is not a number
  Expired,          // exp < now - skew
  NotBeforeNotNumber,
  NotYetValid,  // nbf > now + skew
  IssuedAtNotNumber,
  IssuedInFuture,  // iat > now + skew
};

struct JwtTimes {
  JwtTimeError error = JwtTimeError::None;
  std::int64_t expires_at = 0;  // exp in epoch seconds (fractions dropped), when a number
};

// A NumericDate claim (RFC 7519 §2) as epoch seconds: integers as they are, fractions dropped,
// clamped to int64; nullopt for anything but a number.
std::optional<std::int64_t> jwt_numeric_date(const JwtJson& value);

// Checks exp (required), nbf and iat (when present) at `now` with `skew_seconds` either way.
JwtTimes check_jwt_times(const JwtJson& payload, std::int64_t now,
                         std::int64_t skew_seconds = kJwtClockSkewSeconds);

}  // namespace switchboard::auth
