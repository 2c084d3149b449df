// The secret that lets a language worker or custom handler know a request comes from its host:
// a fresh random value for every start of the process, given to it in the environment variable
// SWITCHBOARD_WORKER_SECRET and sent by the host on every request in the header
// x-switchboard-worker-secret. The language workers refuse (403) any request without it; a
// custom handler may check it (docs/design.md).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace switchboard::functions {

inline constexpr std::string_view kWorkerSecretVariable = "SWITCHBOARD_WORKER_SECRET";
inline constexpr std::string_view kWorkerSecretHeader = "x-switchboard-worker-secret";

class WorkerSecret {
 public:
  // Makes a new secret (for a process about to start) and returns it.
  std::string renew();
  // Sets the header on a request to the process.
  void sign(net::Request& request) const;

 private:
  mutable std::mutex mutex_;  // renewed on the supervising thread, read by invocations
  std::string value_;
};

}  // namespace switchboard::functions
