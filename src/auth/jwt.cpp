// HS256 JSON Web Tokens as Azure SignalR issues and checks them (reference §2 and §4): issuing,
// verification (auth/jwt_check: every configured key, exp/nbf/iat with skew) in the words of the
// 401 answers, lenient audience matching.
#include "auth/jwt.hpp"

#include "util/text.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"
#include "auth/jwt_check.hpp"
#include "util/url.hpp"

namespace switchboard::auth {
namespace {

using Json = JwtJson;

static_assert(kTokenClockSkewSeconds == kJwtClockSkewSeconds, "one clock-skew rule for tokens");

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

VerifiedToken failure(VerifiedToken token, TokenError error, std::string message) {
  token.error = error;
  token.message = std::move(message);
  return token;
}

// A string, integer or floating claim value as text; nullopt for other kinds.
std::optional<std::string> scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer() || value.is_number_unsigned() || value.is_number_float()) {
    return dump(value);
  }
  return std::nullopt;
}

// The first string (or scalar) of a claim that may be an array.
std::optional<std::string> first_text(const Json& value) {
  if (value.is_array()) {
    for (const auto& element : value) {
      if (auto text = scalar_text(element)) return text;
    }
    return std::nullopt;
  }
  return scalar_text(value);
}

std::string normalize_scheme(const std::string& scheme) {
  if (scheme == "https" || scheme == "ws" || scheme == "wss") return "http";
  return scheme;
}

std::string normalize_path(std::string_view path) {
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return util::to_lower(path);
}

// The URL-decoded value of the first `hub` query parameter (name case-insensitive).
std::optional<std::string> hub_parameter(std::string_view query) {
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    const auto equals = pair.find('=');
    const std::string_view name = pair.substr(0, equals);
    if (util::to_lower(util::percent_decode(name, true)) == "hub") {
      return equals == std::string_view::npos ? std::string()
                                              : util::percent_decode(pair.substr(equals + 1), true);
    }
  }
  return std::nullopt;
}

// Whether `text` is written in JSON as it is: printable ASCII without a quote or backslash.
bool json_plain(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::string issue_token(const TokenRequest& request, std::string_view access_key) {
  static const std::string header_part = base64url_encode(kHeader) + '.';
  // The usual token (a negotiate's: no extra claims, a plain audience and user id) is written
  // directly, byte for byte what the JSON below would give; building and dumping the JSON was
  // half of a C++ negotiate function's token (issue 16).
  if (request.claims.empty() && json_plain(request.audience) && json_plain(request.user_id)) {
    std::string payload = "{\"aud\":\"" + request.audience +
                          "\",\"exp\":" + std::to_string(request.now + request.lifetime_seconds) +
                          ",\"iat\":" + std::to_string(request.now) +
                          ",\"nbf\":" + std::to_string(request.now);
    if (!request.user_id.empty()) payload += ",\"asrs.s.uid\":\"" + request.user_id + '"';
    payload += '}';
    std::string token = header_part + base64url_encode(payload);
    const std::string signature = hmac_sha256(access_key, token);
    token += '.';
    token += base64url_encode(signature);
    return token;
  }
  Json payload = Json::object();
  payload["aud"] = request.audience;
  payload["exp"] = request.now + request.lifetime_seconds;
  payload["iat"] = request.now;
  payload["nbf"] = request.now;
  if (!request.user_id.empty()) payload["asrs.s.uid"] = request.user_id;
  // Repeated claim types become arrays, as the .NET token handler writes them.
  for (const auto& [name, value] : request.claims) {
    auto it = payload.find(name);
    if (it == payload.end()) {
      payload[name] = value;
    } else if (it->is_array()) {
      it->push_back(value);
    } else {
      Json array = Json::array({*it, value});
      *it = std::move(array);
    }
  }
  std::string token = base64url_encode(kHeader);
  token += '.';
  token += base64url_encode(dump(payload));
  const std::string signature = hmac_sha256(access_key, token);
  token += '.';
  token += base64url_encode(signature);
  return token;
}

VerifiedToken verify_token(std::string_view token, std::span<const std::string> access_keys,
                           std::string_view expected_audience, std::int64_t now,
                           std::int64_t skew_seconds) {
  VerifiedToken result;
  auto decoded = decode_jwt(token);
  switch (decoded.error) {
    case JwtFormatError::None:
      break;
    case JwtFormatError::TooLarge:
      return failure(std::move(result), TokenError::Malformed,
                     "Token is " + jwt_too_large(token.size()));
    case JwtFormatError::NotThreeParts:
      return failure(std::move(result), TokenError::Malformed, "Token must have three parts");
    case JwtFormatError::HeaderBase64:
    case JwtFormatError::HeaderJson:
      return failure(std::move(result), TokenError::Malformed, "Malformed token header");
    case JwtFormatError::HeaderFieldType:
      return failure(std::move(result), TokenError::Malformed,
                     "Malformed token header: 'typ' and 'kid' must be strings");
    case JwtFormatError::PayloadBase64:
    case JwtFormatError::PayloadJson:
      return failure(std::move(result), TokenError::Malformed, "Malformed token payload");
  }
  const DecodedJwt& jwt = *decoded.jwt;
  const Json& payload = jwt.payload;

  // Fill what we know before the checks, so that callers can log it on failure.
  for (const auto& [name, value] : payload.items()) {
    if (value.is_array()) {
      for (const auto& element : value) {
        if (auto text = scalar_text(element)) result.claims.emplace_back(name, std::move(*text));
      }
    } else if (auto text = scalar_text(value)) {
      result.claims.emplace_back(name, std::move(*text));
    }
  }
  auto& audiences = result.audiences;
  if (const auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) {
      audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const auto& element : *aud) {
        if (element.is_string()) audiences.push_back(element.get<std::string>());
      }
    }
  }
  for (const char* claim : {"asrs.s.uid", "nameid", "sub"}) {
    if (const auto it = payload.find(claim); it != payload.end()) {
      if (auto text = first_text(*it)) {
        result.user_id = std::move(*text);
        break;
      }
    }
  }

  // HS256 is the algorithm of access tokens even when no key is configured (then none matches).
  static const std::string kNoKey;
  const auto keys = access_keys.empty() ? std::span<const std::string>(&kNoKey, 1) : access_keys;
  switch (check_jwt_signature(jwt, JwtKeys{keys, {}})) {
    case JwtSignature::Valid:
      break;
    case JwtSignature::AlgorithmNotAccepted:
      if (!jwt.alg)
        return failure(std::move(result), TokenError::UnsupportedAlgorithm,
                       "Token header has no 'alg'");
      return failure(std::move(result), TokenError::UnsupportedAlgorithm,
                     "Unsupported token algorithm '" + *jwt.alg + "'");
    case JwtSignature::Invalid:
      return failure(std::move(result), TokenError::BadSignature, "Invalid token signature");
  }

  const auto times = check_jwt_times(payload, now, skew_seconds);
  result.expires_at = times.expires_at;
  switch (times.error) {
    case JwtTimeError::None:
      break;
    case JwtTimeError::NoExpiry:
      return failure(std::move(result), TokenError::Malformed, "Token has no expiry");
    case JwtTimeError::ExpiryNotNumber:
      return failure(std::move(result), TokenError::Malformed, "Token 'exp' is not a number");
    case JwtTimeError::Expired:
      return failure(std::move(result), TokenError::Expired, "Token expired");
    case JwtTimeError::NotBeforeNotNumber:
      return failure(std::move(result), TokenError::Malformed, "Token 'nbf' is not a number");
    case JwtTimeError::NotYetValid:
      return failure(std::move(result), TokenError::NotYetValid, "Token not yet valid");
    case JwtTimeError::IssuedAtNotNumber:
      return failure(std::move(result), TokenError::Malformed, "Token 'iat' is not a number");
    case JwtTimeError::IssuedInFuture:
      return failure(std::move(result), TokenError::NotYetValid, "Token issued in the future");
  }

  if (!expected_audience.empty()) {
    bool matched = false;
    for (const auto& audience : audiences) {
      if (audience_matches(audience, expected_audience)) {
        matched = true;
        break;
      }
    }
    if (!matched) {
      std::string shown = joined_audiences(result);
      return failure(
          std::move(result), TokenError::WrongAudience,
          "Token audience '" + shown + "' does not match '" + std::string(expected_audience) + "'");
    }
  }
  return result;
}

std::string joined_audiences(const VerifiedToken& token) {
  std::string shown;
  for (const auto& audience : token.audiences) {
    if (!shown.empty()) shown += ", ";
    shown += audience;
  }
  return shown;
}

bool audience_matches(std::string_view token_audience, std::string_view expected_audience) {
  const auto token = util::parse_url(token_audience);
  const auto expected = util::parse_url(expected_audience);
  if (!token || !expected) {
    return !token && !expected &&
           util::to_lower(token_audience) == util::to_lower(expected_audience);
  }
  if (normalize_scheme(token->scheme) != normalize_scheme(expected->scheme)) return false;
  if (token->host != expected->host &&
      !(util::is_loopback_host(token->host) && util::is_loopback_host(expected->host))) {
    return false;
  }
  if (normalize_path(token->path) != normalize_path(expected->path)) return false;
  if (const auto expected_hub = hub_parameter(expected->query.value_or(""))) {
    const auto token_hub = hub_parameter(token->query.value_or(""));
    if (!token_hub || util::to_lower(*token_hub) != util::to_lower(*expected_hub)) return false;
  }
  return true;
}

}  // namespace switchboard::auth
