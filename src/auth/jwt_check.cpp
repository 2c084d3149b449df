// Reading and checking JSON Web Tokens: see jwt_check.hpp.
#include "auth/jwt_check.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <simdjson.h>

#include <cmath>
#include <limits>
#include <memory>

#include "auth/crypto.hpp"

namespace switchboard::auth {

namespace {

// simdjson's DOM as nlohmann's JSON, with nlohmann's number kinds (a non-negative integer is
// unsigned, a negative one signed). False where nlohmann's own parser must decide: a negative
// zero, which nlohmann reads as an integer ("-0") or a float ("-0.0") and simdjson as a float.
bool to_jwt_json(const simdjson::dom::element& element, JwtJson& out) {
  using Type = simdjson::dom::element_type;
  switch (element.type()) {
    case Type::OBJECT: {
      out = JwtJson::object();
      for (const auto field : simdjson::dom::object(element)) {
        // A repeated name keeps its first place and takes the last value, as nlohmann's parser.
        if (!to_jwt_json(field.value, out[std::string(field.key)])) return false;
      }
      return true;
    }
    case Type::ARRAY: {
      out = JwtJson::array();
      for (const auto item : simdjson::dom::array(element)) {
        out.push_back(nullptr);
        if (!to_jwt_json(item, out.back())) return false;
      }
      return true;
    }
    case Type::STRING:
      out = std::string(std::string_view(element));
      return true;
    case Type::INT64: {
      const auto value = std::int64_t(element);
      if (value >= 0)
        out = static_cast<std::uint64_t>(value);
      else
        out = value;
      return true;
    }
    case Type::UINT64:
      out = std::uint64_t(element);
      return true;
    case Type::DOUBLE: {
      const double value = double(element);
      if (value == 0 && std::signbit(value)) return false;
      out = value;
      return true;
    }
    case Type::BOOL:
      out = bool(element);
      return true;
    case Type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

// A token's header or payload as a JSON object. simdjson (a parser per thread) reads it in a
// third of the instructions nlohmann's parser takes (two tokens are checked per connection set
// up); whatever simdjson refuses or cannot represent as nlohmann would (integers beyond 64 bits,
// nesting deeper than 1,024, a negative zero) goes to nlohmann's parser, whose verdict stands.
std::optional<JwtJson> json_object(const std::string& text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (!parser.parse(text.data(), text.size()).get(document)) {
    if (document.type() != simdjson::dom::element_type::OBJECT) return std::nullopt;
    JwtJson json;
    if (to_jwt_json(document, json)) return json;
  }
  JwtJson json = JwtJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

// The header member `name`: nullopt when absent; `ok` false when present but not a string.
std::optional<std::string> header_string(const JwtJson& header, const char* name, bool& ok) {
  const auto it = header.find(name);
  if (it == header.end()) return std::nullopt;
  if (!it->is_string()) {
    ok = false;
    return std::nullopt;
  }
  return it->get<std::string>();
}

bool hs256_matches(std::string_view signing_input, const std::string& signature,
                   std::span<const std::string> secrets) {
  if (signature.size() != 32) return false;
  bool matched = false;
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;  // an empty secret is never a configured one
    const std::string expected = hmac_sha256(secret, signing_input);
    // Every secret is tried, so timing does not reveal which one matched.
    if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0) matched = true;
  }
  return matched;
}

bool rs256_matches(std::string_view signing_input, const std::string& signature,
                   std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

}  // namespace

std::string jwt_too_large(std::size_t size) {
  return std::to_string(size) + " bytes, more than the " + std::to_string(kMaxJwtBytes) +
         " a token may have";
}

JwtDecodeResult decode_jwt(std::string_view token) {
  JwtDecodeResult result;
  if (token.size() > kMaxJwtBytes) {
    result.error = JwtFormatError::TooLarge;
    return result;
  }
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    result.error = JwtFormatError::NotThreeParts;
    return result;
  }
  const auto header_text = base64url_decode(token.substr(0, first));
  if (!header_text) {
    result.error = JwtFormatError::HeaderBase64;
    return result;
  }
  const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload_text) {
    result.error = JwtFormatError::PayloadBase64;
    return result;
  }
  auto header = json_object(*header_text);
  if (!header) {
    result.error = JwtFormatError::HeaderJson;
    return result;
  }
  auto payload = json_object(*payload_text);
  if (!payload) {
    result.error = JwtFormatError::PayloadJson;
    return result;
  }
  DecodedJwt jwt;
  bool ok = true;
  jwt.typ = header_string(*header, "typ", ok);
  jwt.kid = header_string(*header, "kid", ok);
  if (!ok) {
    result.error = JwtFormatError::HeaderFieldType;
    return result;
  }
  bool alg_ok = true;  // a non-string alg is no algorithm: refused when the signature is checked
  jwt.alg = header_string(*header, "alg", alg_ok);
  jwt.signing_input = token.substr(0, second);
  jwt.header = std::move(*header);
  jwt.payload = std::move(*payload);
  jwt.signature = base64url_decode(token.substr(second + 1));
  result.jwt = std::move(jwt);
  return result;
}

JwtSignature check_jwt_signature(const DecodedJwt& jwt, const JwtKeys& keys) {
  if (jwt.alg == "HS256" && !keys.hs256.empty()) {
    return jwt.signature && hs256_matches(jwt.signing_input, *jwt.signature, keys.hs256)
               ? JwtSignature::Valid
               : JwtSignature::Invalid;
  }
  if (jwt.alg == "RS256" && !keys.rs256_pem.empty()) {
    return jwt.signature && rs256_matches(jwt.signing_input, *jwt.signature, keys.rs256_pem)
               ? JwtSignature::Valid
               : JwtSignature::Invalid;
  }
  return JwtSignature::AlgorithmNotAccepted;
}

std::optional<std::int64_t> jwt_numeric_date(const JwtJson& value) {
  // Unsigned first: nlohmann counts unsigned numbers as integers too, and 2^64-1 as int64 is -1.
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const double v = value.get<double>();
    if (std::isnan(v)) return std::nullopt;
    if (v >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
    if (v <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(std::floor(v));
  }
  return std::nullopt;
}

JwtTimes check_jwt_times(const JwtJson& payload, std::int64_t now, std::int64_t skew_seconds) {
  JwtTimes times;
  // Bounds computed once and saturated, so that no claim value or `now` overflows them.
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t earliest = now < kMin + skew_seconds ? kMin : now - skew_seconds;
  const std::int64_t latest = now > kMax - skew_seconds ? kMax : now + skew_seconds;

  const auto exp = payload.find("exp");
  if (exp == payload.end()) {
    times.error = JwtTimeError::NoExpiry;
    return times;
  }
  const auto expires_at = jwt_numeric_date(*exp);
  if (!expires_at) {
    times.error = JwtTimeError::ExpiryNotNumber;
    return times;
  }
  times.expires_at = *expires_at;
  if (*expires_at < earliest) {
    times.error = JwtTimeError::Expired;
    return times;
  }
  if (const auto nbf = payload.find("nbf"); nbf != payload.end()) {
    const auto not_before = jwt_numeric_date(*nbf);
    if (!not_before) {
      times.error = JwtTimeError::NotBeforeNotNumber;
      return times;
    }
    if (*not_before > latest) {
      times.error = JwtTimeError::NotYetValid;
      return times;
    }
  }
  if (const auto iat = payload.find("iat"); iat != payload.end()) {
    const auto issued_at = jwt_numeric_date(*iat);
    if (!issued_at) {
      times.error = JwtTimeError::IssuedAtNotNumber;
      return times;
    }
    if (*issued_at > latest) {
      times.error = JwtTimeError::IssuedInFuture;
      return times;
    }
  }
  return times;
}

}  // namespace switchboard::auth
