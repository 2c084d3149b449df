// Verification of end-user identity tokens (what App Service Authentication would check before a
// function sees x-ms-client-principal-*): JWTs signed HS256 with a shared secret or RS256 with a
// PEM public key, checked by auth/jwt_check (signature, exp/nbf/iat with the skew), then issuer,
// audience and user. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt_check.hpp"

namespace switchboard::auth {

struct IdentitySettings {
  std::string hs256_secret;      // empty: HS256 not accepted
  std::string rs256_public_key;  // PEM; empty: RS256 not accepted
  std::string issuer;            // empty: not checked
  std::string audience;          // empty: not checked
  std::int64_t skew_seconds = kJwtClockSkewSeconds;
  bool enabled() const { return !hs256_secret.empty() || !rs256_public_key.empty(); }
};

struct Identity {
  std::string user_id;    // sub, else nameid, else oid
  std::string name;       // name, else preferred_username, else unique_name, else the user id
  nlohmann::json claims;  // the payload
};

struct IdentityResult {
  std::optional<Identity> identity;
  std::string error;  // why the token was refused
};

IdentityResult verify_identity_token(std::string_view token, const IdentitySettings& settings,
                                     std::int64_t now);

}  // namespace switchboard::auth
