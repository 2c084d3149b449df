// Key pairs and signatures for the unit tests of signed tokens (JWT checks, identity tokens):
// one RSA and one EC key per test binary (generation is slow), their public PEM, and a
// SHA-256 signature by either.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace switchboard::test {

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

EVP_PKEY* rsa_key();
EVP_PKEY* ec_key();
std::string public_pem(EVP_PKEY* key);
std::string sha256_signature(std::string_view input, EVP_PKEY* key);

}  // namespace switchboard::test
