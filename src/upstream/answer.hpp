// What an upstream's answer means for the client: the completion an invocation gets (the
// upstream's own framed CompletionMessage, forwarded as is, or one made here), and whether a
// `connect` event accepted the client. Pure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "upstream/call.hpp"

namespace switchboard::upstream {

enum class Protocol { Json, MessagePack };

// The framed CompletionMessage (in `protocol`) that answers invocation `invocation_id`:
// - 200 with a body: the body itself, when it is exactly one framed CompletionMessage for this
//   invocation in the client's protocol; else an error completion saying it was not;
// - 200 with no body, or 204: a completion without result;
// - any other status: error "Invocation failed, status code N";
// - no answer: error "Invocation failed, status code 500: " and why (not reachable, or no answer
//   within `timeout`); an answer over the size limit: "Invocation failed, response too large.".
std::string invocation_completion(const Reply& reply, Protocol protocol,
                                  std::string_view invocation_id,
                                  std::chrono::milliseconds timeout);

// Whether `body` is exactly one framed CompletionMessage for `invocation_id` in `protocol`.
bool is_completion_for(std::string_view body, Protocol protocol, std::string_view invocation_id);

// An error completion for `invocation_id` in `protocol`.
std::string completion_error(Protocol protocol, std::string_view invocation_id,
                             std::string_view error);

struct ConnectVerdict {
  bool accepted = false;
  std::string reason;  // why the client was rejected (for its Close message)
};

// A `connect` event is accepted by any 2xx answer; anything else rejects the client, with the
// status and the answer's body (when it is short, printable text) as the reason.
ConnectVerdict connect_verdict(const Reply& reply, std::chrono::milliseconds timeout);

}  // namespace switchboard::upstream
