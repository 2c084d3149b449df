// End-user identity token verification: see identity_token.hpp.
#include "auth/identity_token.hpp"

#include <span>

#include "auth/jwt_check.hpp"

namespace switchboard::auth {

namespace {

std::string string_claim(const nlohmann::json& claims, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
  }
  return {};
}

// The string value of `name`, or "" when it is absent or of another JSON type (json::value
// would throw for another type).
std::string string_member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool audience_ok(const nlohmann::json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get<std::string>() == expected;
  if (aud.is_array())
    for (const auto& a : aud)
      if (a.is_string() && a.get<std::string>() == expected) return true;
  return false;
}

}  // namespace

IdentityResult verify_identity_token(std::string_view token, const IdentitySettings& settings,
                                     std::int64_t now) {
  IdentityResult result;
  auto decoded = decode_jwt(token);
  switch (decoded.error) {
    case JwtFormatError::None:
      break;
    case JwtFormatError::TooLarge:
      result.error = "The bearer token is " + jwt_too_large(token.size()) + ".";
      return result;
    case JwtFormatError::NotThreeParts:
      result.error = "The bearer token is not a JWT.";
      return result;
    case JwtFormatError::HeaderBase64:
    case JwtFormatError::PayloadBase64:
      result.error = "The bearer token is not valid base64url.";
      return result;
    case JwtFormatError::HeaderJson:
    case JwtFormatError::PayloadJson:
      result.error = "The bearer token's header or payload is not a JSON object.";
      return result;
    case JwtFormatError::HeaderFieldType:
      result.error = "The bearer token's header has a 'typ' or 'kid' that is not a string.";
      return result;
  }
  const DecodedJwt& jwt = *decoded.jwt;
  if (!jwt.signature) {
    result.error = "The bearer token is not valid base64url.";
    return result;
  }
  const std::span<const std::string> secrets(&settings.hs256_secret,
                                             settings.hs256_secret.empty() ? 0 : 1);
  switch (check_jwt_signature(jwt, JwtKeys{secrets, settings.rs256_public_key})) {
    case JwtSignature::Valid:
      break;
    case JwtSignature::AlgorithmNotAccepted:
      result.error = "The bearer token's algorithm '" + jwt.alg.value_or("") + "' is not accepted.";
      return result;
    case JwtSignature::Invalid:
      result.error = "The bearer token's signature is invalid.";
      return result;
  }
  switch (check_jwt_times(jwt.payload, now, settings.skew_seconds).error) {
    case JwtTimeError::None:
      break;
    case JwtTimeError::NoExpiry:
    case JwtTimeError::ExpiryNotNumber:
      result.error = "The bearer token has no expiry.";
      return result;
    case JwtTimeError::Expired:
      result.error = "The bearer token has expired.";
      return result;
    case JwtTimeError::NotBeforeNotNumber:
      result.error = "The bearer token's 'nbf' is not a number.";
      return result;
    case JwtTimeError::NotYetValid:
      result.error = "The bearer token is not valid yet.";
      return result;
    case JwtTimeError::IssuedAtNotNumber:
      result.error = "The bearer token's 'iat' is not a number.";
      return result;
    case JwtTimeError::IssuedInFuture:
      result.error = "The bearer token was issued in the future.";
      return result;
  }
  nlohmann::json claims = jwt.payload;
  if (!settings.issuer.empty() && string_member(claims, "iss") != settings.issuer) {
    result.error = "The bearer token's issuer is not '" + settings.issuer + "'.";
    return result;
  }
  if (!settings.audience.empty() &&
      !audience_ok(claims.value("aud", nlohmann::json()), settings.audience)) {
    result.error = "The bearer token's audience is not '" + settings.audience + "'.";
    return result;
  }
  Identity identity;
  identity.user_id = string_claim(claims, {"sub", "nameid", "oid"});
  if (identity.user_id.empty()) {
    result.error = "The bearer token names no user (no 'sub', 'nameid' or 'oid' claim).";
    return result;
  }
  identity.name = string_claim(claims, {"name", "preferred_username", "unique_name"});
  if (identity.name.empty()) identity.name = identity.user_id;
  identity.claims = std::move(claims);
  result.identity = std::move(identity);
  return result;
}

}  // namespace switchboard::auth
