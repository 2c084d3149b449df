// Feeds upstream/answer what an upstream (a function app's webhook) answers an event with: the
// input is "status\nbody", the body read as the answer to an invocation in either protocol
// (invocation_completion, is_completion_for) and to a `connect` event (connect_verdict). The
// client always gets exactly one framed CompletionMessage for its invocation, and the upstream's
// own completion is forwarded only when it is one.
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_framing.hpp"
#include "protocol/messagepack_message_parser.hpp"
#include "upstream/answer.hpp"

namespace protocol = switchboard::protocol;
namespace upstream = switchboard::upstream;

namespace {

constexpr std::string_view kInvocationId = "42";

// The completion the client gets: one record of `p`, a Completion for invocation 42.
void check_completion(const std::string& frame, upstream::Protocol p) {
  protocol::ParsedMessage parsed;
  if (p == upstream::Protocol::Json) {
    FUZZ_CHECK(!frame.empty() && frame.back() == protocol::kRecordSeparator &&
                   frame.find(protocol::kRecordSeparator) == frame.size() - 1,
               "one JSON record");
    parsed = protocol::parse_json_message(std::string_view(frame).substr(0, frame.size() - 1));
  } else {
    protocol::MessagePackRecordReader reader(frame.size());
    FUZZ_CHECK(reader.append(frame), "a framed MessagePack record");
    auto record = reader.next();
    FUZZ_CHECK(record && !reader.next() && reader.pending_bytes() == 0, "one MessagePack record");
    parsed = protocol::parse_messagepack_message(*record);
  }
  FUZZ_CHECK(parsed.message && parsed.message->type == protocol::MessageType::Completion &&
                 parsed.message->invocation_id == kInvocationId,
             "a Completion for the invocation");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = fuzz::fields(fuzz::bytes(data, size), 2);
  upstream::Reply reply;
  std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), reply.status);
  reply.body = std::string(parts[1]);
  const std::chrono::milliseconds timeout(2500);
  for (auto p : {upstream::Protocol::Json, upstream::Protocol::MessagePack}) {
    auto completion = upstream::invocation_completion(reply, p, kInvocationId, timeout);
    check_completion(completion, p);
    if (upstream::is_completion_for(reply.body, p, kInvocationId)) check_completion(reply.body, p);
  }
  auto verdict = upstream::connect_verdict(reply, timeout);
  if (!verdict.accepted) FUZZ_CHECK(!verdict.reason.empty(), "a rejected client is told why");
  return 0;
}
