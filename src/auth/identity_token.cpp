// End-user identity token verification: see identity_token.hpp.
#include "auth/identity_token.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "auth/crypto.hpp"

namespace switchboard::auth {

namespace {

bool verify_rs256(std::string_view signing_input, std::string_view signature,
                  const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

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
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    result.error = "The bearer token is not a JWT.";
    return result;
  }
  auto header_text = base64url_decode(token.substr(0, first));
  auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature) {
    result.error = "The bearer token is not valid base64url.";
    return result;
  }
  auto header = nlohmann::json::parse(*header_text, nullptr, false);
  auto claims = nlohmann::json::parse(*payload_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) {
    result.error = "The bearer token's header or payload is not a JSON object.";
    return result;
  }
  std::string alg = string_member(header, "alg");
  std::string_view signing_input = token.substr(0, second);
  bool valid = false;
  if (alg == "HS256" && !settings.hs256_secret.empty()) {
    auto expected = hmac_sha256(settings.hs256_secret, signing_input);
    valid = expected.size() == signature->size() &&
            CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) == 0;
  } else if (alg == "RS256" && !settings.rs256_public_key.empty()) {
    valid = verify_rs256(signing_input, *signature, settings.rs256_public_key);
  } else {
    result.error = "The bearer token's algorithm '" + alg + "' is not accepted.";
    return result;
  }
  if (!valid) {
    result.error = "The bearer token's signature is invalid.";
    return result;
  }
  if (!claims.contains("exp") || !claims["exp"].is_number()) {
    result.error = "The bearer token has no expiry.";
    return result;
  }
  if (claims["exp"].get<double>() + static_cast<double>(settings.skew_seconds) <
      static_cast<double>(now)) {
    result.error = "The bearer token has expired.";
    return result;
  }
  if (claims.contains("nbf") && claims["nbf"].is_number() &&
      claims["nbf"].get<double>() - static_cast<double>(settings.skew_seconds) >
          static_cast<double>(now)) {
    result.error = "The bearer token is not valid yet.";
    return result;
  }
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
