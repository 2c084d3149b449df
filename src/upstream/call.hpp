// One upstream request and its outcome, as the dispatcher sees them: where it goes, its headers
// and body, and what came back (a status and body, or why nothing usable came back).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::upstream {

// The largest answer body read from an upstream (the emulator's limit).
inline constexpr std::size_t kMaxAnswerBytes = 16 * 1024 * 1024;

struct Call {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // X-ASRS-*
  std::string content_type;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // for the whole call
  std::size_t max_answer_bytes = kMaxAnswerBytes;
};

struct Reply {
  enum class Failure {
    None,         // `status` and `body` hold the answer
    Unreachable,  // no connection, or it broke before an answer was read
    Timeout,      // no complete answer within the call's timeout
    TooLarge,     // the answer's body was over max_answer_bytes
  };
  Failure failure = Failure::None;
  int status = 0;
  std::string body;
  std::string detail;  // the cause of a failure, for the log (may name the upstream's address)
};

}  // namespace switchboard::upstream
