// Feeds protocol/rest_payload's parse_rest_message the JSON body of a REST send
// ({"target": ..., "arguments": [...]}, keys in any case). A body is a message or an error; a
// message's arguments are a JSON array that converts to MessagePack (for MessagePack recipients).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "protocol/messagepack_json.hpp"
#include "protocol/rest_payload.hpp"

namespace protocol = switchboard::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = protocol::parse_rest_message(fuzz::bytes(data, size));
  FUZZ_CHECK(parsed.message.has_value() == parsed.error.empty(), "a message or an error");
  if (parsed.message) {
    const auto& arguments = parsed.message->arguments_json;
    FUZZ_CHECK(arguments.size() >= 2 && arguments.front() == '[' && arguments.back() == ']',
               "arguments are a JSON array");
    FUZZ_CHECK(protocol::json_to_messagepack(arguments).has_value(),
               "arguments convert to MessagePack");
  }
  return 0;
}
