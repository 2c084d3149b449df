// Feeds the JSON hub protocol (protocol/json_hub_protocol) what a client sends after its
// handshake: the input is the byte stream, split into 0x1E records by JsonRecordReader (in two
// reads), each record parsed as a hub message and as a handshake request. A message that parses
// must encode to a record that parses back to the same message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "hub_message_equal.hpp"
#include "protocol/json_hub_protocol.hpp"

namespace protocol = switchboard::protocol;

namespace {

void check_record(std::string_view record) {
  auto parsed = protocol::parse_json_message(record);
  FUZZ_CHECK(!(parsed.message && !parsed.error.empty()), "a message or an error, not both");
  if (parsed.message) {
    std::string encoded = protocol::encode_message(*parsed.message);
    FUZZ_CHECK(!encoded.empty() && encoded.back() == protocol::kRecordSeparator,
               "an encoded message ends with the record separator");
    auto again =
        protocol::parse_json_message(std::string_view(encoded).substr(0, encoded.size() - 1));
    FUZZ_CHECK(again.error.empty() && again.message, "an encoded message parses");
    FUZZ_CHECK(same_hub_message(*parsed.message, *again.message),
               "parse(encode(message)) is the message");
  }
  auto handshake = protocol::parse_handshake_request(record);
  FUZZ_CHECK(handshake.request.has_value() == handshake.error.empty(),
             "a handshake request or an error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  protocol::JsonRecordReader reader(4096);
  std::size_t half = size / 2;
  for (std::string_view piece : {stream.substr(0, half), stream.substr(half)}) {
    if (!reader.append(piece)) {
      FUZZ_CHECK(reader.failed() && !reader.next(), "a failed reader yields nothing");
      return 0;
    }
    while (auto record = reader.next()) {
      FUZZ_CHECK(record->size() <= 4096, "no record over the limit");
      FUZZ_CHECK(record->find(protocol::kRecordSeparator) == std::string_view::npos,
                 "a record holds no separator");
      check_record(*record);
    }
  }
  return 0;
}
