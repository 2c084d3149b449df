// Feeds protocol/messagepack_json both ways: the input as a MessagePack value converted to JSON
// (what a MessagePack client's arguments become for JSON clients and upstreams), and as JSON text
// converted to MessagePack (what REST arguments become for MessagePack clients). Whatever
// converts must convert back, and JSON -> MessagePack -> JSON is a fixed point after one turn.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "protocol/messagepack_json.hpp"

namespace protocol = switchboard::protocol;

namespace {

void check_json(const std::string& json) {
  auto packed = protocol::json_to_messagepack(json);
  FUZZ_CHECK(packed.has_value(), "JSON made from MessagePack is valid JSON");
  auto back = protocol::messagepack_to_json(*packed);
  FUZZ_CHECK(back.has_value(), "MessagePack made from JSON converts back");
  FUZZ_CHECK(*back == json, "JSON -> MessagePack -> JSON keeps JSON made from MessagePack");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto json = protocol::messagepack_to_json(input)) check_json(*json);
  if (auto packed = protocol::json_to_messagepack(input)) {
    auto json = protocol::messagepack_to_json(*packed);
    FUZZ_CHECK(json.has_value(), "MessagePack made from JSON converts back");
    check_json(*json);
  }
  return 0;
}
