// Feeds a client connection's incoming bytes through the hub protocol as the service reads them
// (service/hub_connection's receive): the JSON handshake up to the first 0x1E, then records of the
// protocol it names (JsonRecordReader or MessagePackRecordReader) parsed as hub messages. This is
// what a long-polling or Server-Sent Events client POSTs to /client/ and what a WebSocket client's
// messages carry. The input is the stream, delivered in two reads cut in the middle.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_framing.hpp"
#include "protocol/messagepack_message_parser.hpp"
#include "util/text.hpp"

namespace protocol = switchboard::protocol;

namespace {

constexpr std::size_t kMaxMessage = 4096;

class Connection {
 public:
  // False once the connection would be closed.
  bool receive(std::string_view bytes) {
    std::string rest;
    if (!handshake_done_) {
      handshake_.append(bytes);
      auto end = handshake_.find(protocol::kRecordSeparator);
      if (end == std::string::npos) return handshake_.size() <= kMaxMessage;
      if (!handshake(std::string_view(handshake_).substr(0, end))) return false;
      rest = handshake_.substr(end + 1);
      bytes = rest;
    }
    bool appended = messagepack_ ? messagepack_->append(bytes) : json_.append(bytes);
    if (!appended) return false;
    while (auto record = messagepack_ ? messagepack_->next() : json_.next()) {
      FUZZ_CHECK(record->size() <= kMaxMessage, "no record over the limit");
      auto parsed = messagepack_ ? protocol::parse_messagepack_message(*record)
                                 : protocol::parse_json_message(*record);
      if (!parsed.error.empty()) return false;
    }
    return true;
  }

 private:
  bool handshake(std::string_view record) {
    auto parsed = protocol::parse_handshake_request(record);
    if (!parsed.request) {
      FUZZ_CHECK(!parsed.error.empty(), "a refused handshake says why");
      return false;
    }
    handshake_done_ = true;
    if (switchboard::util::iequals(parsed.request->protocol, "messagepack"))
      messagepack_ = std::make_unique<protocol::MessagePackRecordReader>(kMaxMessage);
    else if (!switchboard::util::iequals(parsed.request->protocol, "json"))
      return false;
    return true;
  }

  bool handshake_done_ = false;
  std::string handshake_;
  protocol::JsonRecordReader json_{kMaxMessage};
  std::unique_ptr<protocol::MessagePackRecordReader> messagepack_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  Connection connection;
  std::size_t half = size / 2;
  if (connection.receive(stream.substr(0, half))) connection.receive(stream.substr(half));
  return 0;
}
