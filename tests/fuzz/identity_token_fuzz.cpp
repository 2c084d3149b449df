// Feeds auth/identity_token's verify_identity_token (end users' identity JWTs at the functions
// host, HS256 with a secret or RS256 with a PEM public key) bearer tokens. The first byte picks
// the form of the rest of the input:
//   'T' token: the rest is the token as sent;
//   'H' / 'R' signed: "header JSON\nclaims JSON", signed here with HS256 and the secret / RS256 and
//       the private key of identity_key.hpp, so that the claims reach the checks past the
//       signature.
// A token signed with the configured key under the algorithm its header names is never refused
// for its signature; an accepted one names a user.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "auth/crypto.hpp"
#include "auth/identity_token.hpp"
#include "fuzz_support.hpp"
#include "identity_key.hpp"
#include "signed_jwt.hpp"

namespace auth = switchboard::auth;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr const char* kSecret = "identity-secret-for-fuzzing";

const auth::IdentitySettings& settings() {
  static const auth::IdentitySettings s = [] {
    auth::IdentitySettings value;
    value.hs256_secret = kSecret;
    value.rs256_public_key = fuzz::kIdentityPublicKey;
    value.issuer = "https://issuer.example";
    value.audience = "switchboard-app";
    return value;
  }();
  return s;
}

std::string rs256_sign(std::string_view input) {
  static EVP_PKEY* key = [] {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(fuzz::kIdentityPrivateKey, -1),
                                                  &BIO_free);
    return PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  }();
  FUZZ_CHECK(key != nullptr, "the fixed private key loads");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t length = 0;
  FUZZ_CHECK(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1, "sign init");
  auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  FUZZ_CHECK(EVP_DigestSign(ctx.get(), nullptr, &length, bytes, input.size()) == 1, "sign size");
  std::string signature(length, '\0');
  FUZZ_CHECK(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                            bytes, input.size()) == 1,
             "sign");
  signature.resize(length);
  return signature;
}

void check(const auth::IdentityResult& result) {
  FUZZ_CHECK(result.identity.has_value() == result.error.empty(), "an identity or an error");
  if (result.identity) FUZZ_CHECK(!result.identity->user_id.empty(), "an identity names a user");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::bytes(data, size);
  if (input.empty()) return 0;
  char form = input[0];
  input.remove_prefix(1);
  if (form != 'H' && form != 'R') {
    check(auth::verify_identity_token(input, settings(), kNow));
    return 0;
  }
  auto parts = fuzz::fields(input, 2);
  auto token = fuzz::signed_jwt(parts[0], parts[1], [form](std::string_view signing_input) {
    return form == 'H' ? auth::hmac_sha256(kSecret, signing_input) : rs256_sign(signing_input);
  });
  auto result = auth::verify_identity_token(token, settings(), kNow);
  check(result);
  if (fuzz::signature_must_hold(parts[0], parts[1], form == 'H' ? "HS256" : "RS256"))
    FUZZ_CHECK(result.error != "The bearer token's signature is invalid.",
               "a token signed with the configured key has a good signature");
  return 0;
}
