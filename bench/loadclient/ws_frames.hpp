// Client-side WebSocket framing for the load client: the upgrade request, masked client frames,
// and a reader of the server's (unmasked) frames that keeps a partial frame between reads.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lc {

enum class Opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

// The HTTP upgrade request for `target` on `host`.
std::string upgrade_request(std::string_view host, std::string_view target);
// A final, masked client frame.
std::string client_frame(Opcode opcode, std::string_view payload);

// One complete server message (fragments joined) or control frame.
struct ServerFrame {
  Opcode opcode;
  std::string_view payload;
};

// Feeds bytes; next() yields complete frames. Views stay valid until the next feed().
class FrameReader {
 public:
  void feed(std::string_view bytes);
  // The next complete frame, if any; failed() after a malformed (masked) one.
  bool next(ServerFrame& frame);
  bool failed() const { return failed_; }

 private:
  std::string buffer_;
  std::size_t offset_ = 0;
  std::string message_;    // fragments of a message so far
  std::string assembled_;  // the last fragmented message, whole
  Opcode message_opcode_ = Opcode::text;
  bool failed_ = false;
};

}  // namespace lc
