// Feeds protocol/messagepack_message_parser one MessagePack hub message record (the array, without
// its length prefix), as a MessagePack client sends it. A message that parses must encode
// (protocol/messagepack_message_encoder) to a record that parses back to the same message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "hub_message_equal.hpp"
#include "protocol/messagepack_framing.hpp"
#include "protocol/messagepack_message_encoder.hpp"
#include "protocol/messagepack_message_parser.hpp"

namespace protocol = switchboard::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view record(reinterpret_cast<const char*>(data), size);
  auto parsed = protocol::parse_messagepack_message(record);
  FUZZ_CHECK(!(parsed.message && !parsed.error.empty()), "a message or an error, not both");
  if (!parsed.message) return 0;
  std::string encoded = protocol::encode_messagepack_message(*parsed.message);
  protocol::MessagePackRecordReader reader(encoded.size());
  FUZZ_CHECK(reader.append(encoded), "an encoded message is one framed record");
  auto body = reader.next();
  FUZZ_CHECK(body && !reader.next() && reader.pending_bytes() == 0,
             "an encoded message is exactly one framed record");
  auto again = protocol::parse_messagepack_message(*body);
  FUZZ_CHECK(again.error.empty() && again.message, "an encoded message parses");
  FUZZ_CHECK(same_hub_message(*parsed.message, *again.message),
             "parse(encode(message)) is the message");
  return 0;
}
