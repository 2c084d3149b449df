// JSON Web Tokens as Azure SignalR uses them: HS256 signed with the UTF-8 bytes of an access key.
// Issue and verify (auth/jwt_check: algorithm, signature against every configured key, exp/nbf/iat
// with skew; then the audience), with the messages of the service's 401 answers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::auth {

struct TokenRequest {
  std::string audience;
  std::string user_id;   // empty: no asrs.s.uid claim
  std::int64_t now = 0;  // epoch seconds; iat = nbf = now
  std::int64_t lifetime_seconds = 3600;
  std::vector<std::pair<std::string, std::string>> claims;  // extra string claims
};

// Returns `b64url(header).b64url(payload).b64url(HMAC-SHA256)`; header {"alg":"HS256","typ":"JWT"}.
std::string issue_token(const TokenRequest& request, std::string_view access_key);

enum class TokenError {
  None,
  Malformed,             // not three base64url parts, bad JSON, exp missing, a date not a number
  UnsupportedAlgorithm,  // alg is not HS256 (alg:none included)
  BadSignature,          // signed with none of the configured keys
  Expired,
  NotYetValid,  // nbf, or iat, later than now (with the skew)
  WrongAudience,
};

struct VerifiedToken {
  TokenError error = TokenError::None;
  std::string message;                 // why it failed, for the 401 body; empty on success
  std::vector<std::string> audiences;  // `aud`: a string, or every string of an array
  std::int64_t expires_at = 0;
  std::string user_id;  // asrs.s.uid, else nameid, else sub; empty when none
  // Every claim whose value is a string or number (arrays flattened, one pair per element).
  std::vector<std::pair<std::string, std::string>> claims;
  bool ok() const { return error == TokenError::None; }
};

// Clock skew tolerated on exp, nbf and iat (one rule for every token: auth/jwt_check).
constexpr std::int64_t kTokenClockSkewSeconds = 300;

// Verifies `token`. `expected_audience` is compared with audience_matches; pass an empty
// string to skip the audience check. `now` in epoch seconds; `skew_seconds` tolerance on exp/nbf.
VerifiedToken verify_token(std::string_view token, std::span<const std::string> access_keys,
                           std::string_view expected_audience, std::int64_t now,
                           std::int64_t skew_seconds = kTokenClockSkewSeconds);
// Whether a token that verified is past its exp (with the skew) at `now`.
inline bool token_expired(const VerifiedToken& token, std::int64_t now,
                          std::int64_t skew_seconds = kTokenClockSkewSeconds) {
  return token.expires_at < now - skew_seconds;
}

// Audience comparison of the reference: scheme and host case-insensitive, port ignored, path
// compared case-insensitively with a trailing '/' ignored, query ignored except a `hub`
// parameter, which must match case-insensitively when the expected audience has one.
bool audience_matches(std::string_view token_audience, std::string_view expected_audience);
// The audiences of a token as one text for messages ("a, b").
std::string joined_audiences(const VerifiedToken& token);

}  // namespace switchboard::auth
