// The WebSocket wire format (RFC 6455) as the service speaks it, without I/O: the opening
// handshake's key check and accept value, unmasked server frame headers, and a streaming reader
// of masked client frames that hands data payloads on as they arrive (no per-frame buffering, so
// an idle connection holds no read buffer and a frame of any size costs no memory).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/utf8.hpp"

namespace switchboard::protocol {

enum class WebSocketOpcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// RFC 6455 section 7.4.1 status codes the service sends.
constexpr std::uint16_t kWebSocketNormalClosure = 1000;
constexpr std::uint16_t kWebSocketProtocolError = 1002;
constexpr std::uint16_t kWebSocketInvalidPayload = 1007;  // e.g. a Text message that is not UTF-8
constexpr std::uint16_t kWebSocketMessageTooBig = 1009;   // a hub message over --max-message-size

// Whether a Close frame may carry `code` (RFC 6455 7.4: 1000-1003, 1007-1014 and the ranges for
// libraries and applications, 3000-4999; 1004-1006 and 1015 are never sent on the wire).
bool is_valid_close_code(std::uint16_t code);

// The outcome of checking a client's opening handshake headers.
struct WebSocketHandshakeCheck {
  std::string accept;          // the Sec-WebSocket-Accept value; empty when the request is refused
  std::string error;           // why it is refused
  bool wrong_version = false;  // refused for Sec-WebSocket-Version: answer 426 naming version 13
};

// Checks Sec-WebSocket-Version (must be 13) and Sec-WebSocket-Key (base64 of 16 bytes).
WebSocketHandshakeCheck check_websocket_handshake(std::string_view version, std::string_view key);
// base64(SHA-1(key + the RFC's GUID)).
std::string websocket_accept_value(std::string_view key);
// The server's 101 answer to an opening handshake, with `accept` as Sec-WebSocket-Accept.
std::string websocket_upgrade_response(std::string_view accept);

// The header of an unmasked, final server frame of `payload_size` bytes: 2, 4 or 10 bytes
// written to `out`; returns how many.
std::size_t encode_websocket_header(WebSocketOpcode opcode, std::uint64_t payload_size,
                                    unsigned char (&out)[10]);
// A whole server control frame (payload of at most 125 bytes; longer is cut).
std::string websocket_control_frame(WebSocketOpcode opcode, std::string_view payload);
std::string websocket_close_frame(std::uint16_t code, std::string_view reason = {});

// Reads the frames a client sends: checks each header (masked, no reserved bits, known opcode,
// control frames final and short, continuation only inside a fragmented message), unmasks
// payloads in place and calls the listener. Partial headers and control payloads are kept
// between calls; data payloads go out as they come, in pieces. Text messages are checked to be
// UTF-8 as they come (across frames and reads), and so are Close frames' codes and reasons.
class WebSocketReader {
 public:
  class Listener {
   public:
    // Payload bytes of Text, Binary and Continuation frames, in order.
    virtual void on_data(std::string_view payload) = 0;
    // A whole Close, Ping or Pong frame's payload.
    virtual void on_control(WebSocketOpcode opcode, std::string_view payload) = 0;

   protected:
    ~Listener() = default;
  };

  // Consumes `size` bytes at `data` (unmasked in place). Returns false on a protocol violation:
  // error() says which, error_code() the Close code to answer with (1002, or 1007 for text that
  // is not UTF-8), and the reader refuses everything after it.
  bool consume(char* data, std::size_t size, Listener& listener);
  const char* error() const { return error_; }
  std::uint16_t error_code() const { return error_code_; }
  // Forgets partial state (a new socket took over).
  void reset() { *this = WebSocketReader(); }

 private:
  std::size_t header_length() const;
  bool check_first_bytes();
  bool start_frame();
  bool fail(const char* reason, std::uint16_t code = kWebSocketProtocolError);
  bool check_close_payload(std::string_view payload);

  unsigned char header_[14] = {};
  std::uint8_t header_size_ = 0;  // header bytes gathered so far
  std::uint8_t mask_offset_ = 0;  // position in the mask of the next payload byte
  WebSocketOpcode opcode_ = WebSocketOpcode::Continuation;
  bool in_payload_ = false;
  bool in_message_ = false;    // a fragmented data message is under way
  bool text_message_ = false;  // the current data message is Text: its bytes must be UTF-8
  bool message_ends_ = false;  // the current frame is the last of a data message
  util::Utf8Validator utf8_;
  std::uint16_t error_code_ = kWebSocketProtocolError;
  std::uint64_t remaining_ = 0;
  // A control frame's payload gathered across reads (one that comes whole is passed on from the
  // caller's bytes): made only then, so that an idle connection's reader holds no string.
  std::unique_ptr<std::string> control_;
  const char* error_ = nullptr;
};

}  // namespace switchboard::protocol
