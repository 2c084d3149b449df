// Per-start worker secrets: see worker_secret.hpp.
#include "functions/runtime/worker_secret.hpp"

#include "auth/crypto.hpp"

namespace switchboard::functions {

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

}  // namespace switchboard::functions
