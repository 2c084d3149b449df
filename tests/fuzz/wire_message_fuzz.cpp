// Feeds backplane/wire_message's decode_wire_message what a cluster node reads from Redis pub/sub
// (another node's send, membership change or close). A message decodes or is refused with a
// reason; a decoded one, encoded again, decodes to the same fields.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backplane/wire_message.hpp"
#include "fuzz_support.hpp"

namespace backplane = switchboard::backplane;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto bytes = fuzz::bytes(data, size);
  std::string error;
  auto message = backplane::decode_wire_message(bytes, &error);
  FUZZ_CHECK(message.has_value() == error.empty(), "a message or a reason");
  if (!message) return 0;
  std::string encoded = backplane::encode_wire_message(*message);
  std::string again_error;
  auto again = backplane::decode_wire_message(encoded, &again_error);
  FUZZ_CHECK(again.has_value(), "an encoded message decodes");
  FUZZ_CHECK(again->kind == message->kind && again->hub == message->hub &&
                 again->target == message->target && again->group == message->group &&
                 again->reason == message->reason && again->json_frame == message->json_frame &&
                 again->messagepack_frame == message->messagepack_frame &&
                 again->excluded == message->excluded && again->ack == message->ack,
             "decode(encode(message)) is the message");
  return 0;
}
