// What the token fuzz targets (identity_token, rest_token) share to get past the signature: a
// compact JWT made here from fuzzed header and payload text and signed with a key the target
// accepts, and whether such a token must then be taken as well signed (both parts JSON objects,
// the header naming the algorithm it was signed with).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"

namespace fuzz {

// `b64url(header).b64url(payload).b64url(sign(signing input))`.
template <typename Sign>
std::string signed_jwt(std::string_view header, std::string_view payload, Sign&& sign) {
  namespace auth = switchboard::auth;
  std::string token = auth::base64url_encode(header) + "." + auth::base64url_encode(payload);
  const std::string signature = sign(std::string_view(token));
  return token + "." + auth::base64url_encode(signature);
}

// Whether a token of this header and payload, signed under `alg` with a configured key, must not
// be refused for its signature.
inline bool signature_must_hold(std::string_view header, std::string_view payload,
                                const char* alg) {
  const auto header_json = nlohmann::json::parse(header, nullptr, false);
  const auto payload_json = nlohmann::json::parse(payload, nullptr, false);
  return header_json.is_object() && payload_json.is_object() &&
         header_json.value("alg", nlohmann::json()) == alg;
}

}  // namespace fuzz
