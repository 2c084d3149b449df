// Feeds protocol/rest_payload's parse_binary_rest_message the application/octet-stream body of a
// REST send (the Management SDK's MessagePack map {"json": bin, "messagepack": bin}). A body is a
// message or an error; a message names its target, and what it carries is what recipients get:
// the JSON frame ends with the record separator, the MessagePack frame is one framed record.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_framing.hpp"
#include "protocol/rest_payload.hpp"

namespace protocol = switchboard::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = protocol::parse_binary_rest_message(fuzz::bytes(data, size));
  FUZZ_CHECK(parsed.message.has_value() == parsed.error.empty(), "a message or an error");
  if (!parsed.message) return 0;
  const auto& m = *parsed.message;
  FUZZ_CHECK(!m.json_frame.empty() || !m.messagepack_frame.empty(), "a message carries a frame");
  if (!m.json_frame.empty())
    FUZZ_CHECK(m.json_frame.back() == protocol::kRecordSeparator, "a JSON frame is one record");
  if (!m.messagepack_frame.empty()) {
    protocol::MessagePackRecordReader reader(m.messagepack_frame.size());
    FUZZ_CHECK(reader.append(m.messagepack_frame) && reader.next() && !reader.next() &&
                   reader.pending_bytes() == 0,
               "a MessagePack frame is one framed record");
  }
  return 0;
}
