// Per-start worker secrets: see worker_secret.hpp.
#include "functions/runtime/worker_secret.hpp"

#include <openssl/crypto.h>

#include "auth/crypto.hpp"

namespace switchboard::functions {

std::string worker_proof(std::string_view secret, std::string_view challenge) {
  return auth::hex_lower(auth::hmac_sha256(auth::sha256(secret), challenge));
}

std::string WorkerSecret::renew() {
  std::string value = auth::random_id(32);
  std::lock_guard lock(mutex_);
  value_ = value;
  return value;
}

void WorkerSecret::sign(net::Request& request) const {
  std::lock_guard lock(mutex_);
  request.set(kWorkerSecretHeader, value_);
}

std::string WorkerSecret::challenge(net::Request& probe) const {
  std::string value = auth::random_id(16);
  probe.set(kWorkerChallengeHeader, value);
  return value;
}

bool WorkerSecret::proven(std::string_view challenge, std::string_view proof) const {
  std::string expected;
  {
    std::lock_guard lock(mutex_);
    expected = worker_proof(value_, challenge);
  }
  return proof.size() == expected.size() &&
         CRYPTO_memcmp(proof.data(), expected.data(), expected.size()) == 0;
}

}  // namespace switchboard::functions
