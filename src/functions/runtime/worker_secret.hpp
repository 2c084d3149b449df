// The secret that lets a language worker or custom handler know a request comes from its host:
// a fresh random value for every start of the process, given to it in the environment variable
// SWITCHBOARD_WORKER_SECRET and sent by the host on every request in the header
// x-switchboard-worker-secret. The language workers refuse (403) any request without it; a
// custom handler may check it (docs/design.md).
//
// Before the host sends the secret anywhere, the process answering on the worker's port proves
// that it is the one started with it: the readiness probe carries no secret but a fresh random
// challenge (x-switchboard-worker-challenge), and the answer must carry
// x-switchboard-worker-proof = lower-case hex of HMAC-SHA256(key = SHA-256(secret), challenge).
// Another program holding the port (it was free when the host chose it) gets neither the secret
// nor any invocation. The language workers answer the challenge; for a custom handler it is
// optional (a proof it gives is checked).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace switchboard::functions {

inline constexpr std::string_view kWorkerSecretVariable = "SWITCHBOARD_WORKER_SECRET";
inline constexpr std::string_view kWorkerSecretHeader = "x-switchboard-worker-secret";
inline constexpr std::string_view kWorkerChallengeHeader = "x-switchboard-worker-challenge";
inline constexpr std::string_view kWorkerProofHeader = "x-switchboard-worker-proof";

// The proof a process started with `secret` gives for `challenge`.
std::string worker_proof(std::string_view secret, std::string_view challenge);

class WorkerSecret {
 public:
  // Makes a new secret (for a process about to start) and returns it.
  std::string renew();
  // Sets the header on a request to the process.
  void sign(net::Request& request) const;
  // Sets a fresh challenge on a probe (no secret) and returns it.
  std::string challenge(net::Request& probe) const;
  // Whether `proof` is the current secret's for `challenge` (compared in constant time).
  bool proven(std::string_view challenge, std::string_view proof) const;

 private:
  mutable std::mutex mutex_;  // renewed on the supervising thread, read by invocations
  std::string value_;
};

}  // namespace switchboard::functions
