// Feeds protocol/websocket_frame's opening-handshake check the two headers a client sends: the
// input is "Sec-WebSocket-Version value\nSec-WebSocket-Key value". A handshake is accepted with
// the RFC 6455 accept value of its key (headers trimmed), or refused with a reason, never both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "protocol/websocket_frame.hpp"
#include "util/text.hpp"

namespace protocol = switchboard::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  std::string_view version = input.substr(0, newline);
  std::string_view key =
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  auto check = protocol::check_websocket_handshake(version, key);
  FUZZ_CHECK(check.accept.empty() != check.error.empty(), "accepted or refused with a reason");
  if (!check.accept.empty()) {
    FUZZ_CHECK(switchboard::util::trim(version) == "13", "only version 13 is accepted");
    FUZZ_CHECK(check.accept == protocol::websocket_accept_value(switchboard::util::trim(key)),
               "the RFC's accept value");
    FUZZ_CHECK(check.accept.size() == 28, "base64 of a SHA-1");
  }
  return 0;
}
