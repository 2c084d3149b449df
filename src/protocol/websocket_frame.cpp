// WebSocket handshake values, server frame headers and the client frame reader: see
// websocket_frame.hpp.
#include "protocol/websocket_frame.hpp"

#include <algorithm>

#include "auth/crypto.hpp"
#include "util/text.hpp"

namespace switchboard::protocol {

namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kMaxControlPayload = 125;

bool is_control(WebSocketOpcode opcode) {
  return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

bool is_known(std::uint8_t opcode) {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

}  // namespace

std::string websocket_accept_value(std::string_view key) {
  std::string input(key);
  input.append(kAcceptGuid);
  return auth::base64_encode(auth::sha1(input));
}

WebSocketHandshakeCheck check_websocket_handshake(std::string_view version, std::string_view key) {
  WebSocketHandshakeCheck check;
  if (util::trim(version) != "13") {
    check.error = version.empty() ? "Missing Sec-WebSocket-Version header (expected 13)."
                                  : "Unsupported Sec-WebSocket-Version (expected 13).";
    check.wrong_version = true;
    return check;
  }
  key = util::trim(key);
  auto decoded = key.empty() ? std::nullopt : auth::base64_decode(key);
  if (!decoded || decoded->size() != 16) {
    check.error = key.empty() ? "Missing Sec-WebSocket-Key header."
                              : "Sec-WebSocket-Key must be 16 bytes in base64.";
    return check;
  }
  check.accept = websocket_accept_value(key);
  return check;
}

std::size_t encode_websocket_header(WebSocketOpcode opcode, std::uint64_t payload_size,
                                    unsigned char (&out)[10]) {
  out[0] = static_cast<unsigned char>(0x80 | static_cast<std::uint8_t>(opcode));
  if (payload_size <= 125) {
    out[1] = static_cast<unsigned char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(payload_size >> 8);
    out[3] = static_cast<unsigned char>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
  return 10;
}

std::string websocket_control_frame(WebSocketOpcode opcode, std::string_view payload) {
  payload = payload.substr(0, kMaxControlPayload);
  unsigned char header[10];
  std::size_t header_size = encode_websocket_header(opcode, payload.size(), header);
  std::string frame(reinterpret_cast<const char*>(header), header_size);
  frame.append(payload);
  return frame;
}

std::string websocket_close_frame(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, kMaxControlPayload - 2));
  return websocket_control_frame(WebSocketOpcode::Close, payload);
}

std::size_t WebSocketReader::header_length() const {
  if (header_size_ < 2) return 2;
  const unsigned length7 = header_[1] & 0x7F;
  const std::size_t extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  return 2 + extended + 4;  // client frames always carry a 4-byte mask
}

std::string websocket_upgrade_response(std::string_view accept) {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  response.append(accept);
  response += "\r\nServer: switchboard\r\n\r\n";
  return response;
}

bool is_valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

bool WebSocketReader::fail(const char* reason, std::uint16_t code) {
  error_ = reason;
  error_code_ = code;
  return false;
}

bool WebSocketReader::check_close_payload(std::string_view payload) {
  if (payload.size() < 2) return true;  // no code: a plain Close (1 byte was refused earlier)
  const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                               static_cast<unsigned char>(payload[1]));
  if (!is_valid_close_code(code)) return fail("invalid close code");
  if (!util::is_valid_utf8(payload.substr(2)))
    return fail("close reason is not UTF-8", kWebSocketInvalidPayload);
  return true;
}

bool WebSocketReader::check_first_bytes() {
  if ((header_[0] & 0x70) != 0) return fail("reserved bits set without a negotiated extension");
  if (!is_known(header_[0] & 0x0F)) return fail("unknown opcode");
  if ((header_[1] & 0x80) == 0) return fail("client frame not masked");
  return true;
}

bool WebSocketReader::start_frame() {
  const bool fin = (header_[0] & 0x80) != 0;
  opcode_ = static_cast<WebSocketOpcode>(header_[0] & 0x0F);
  const unsigned length7 = header_[1] & 0x7F;
  std::uint64_t length = length7;
  if (length7 == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
  } else if (length7 == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
    if (length >> 63) return fail("frame length over 2^63");
  }
  if (is_control(opcode_)) {
    if (!fin) return fail("fragmented control frame");
    if (length > kMaxControlPayload) return fail("control frame payload over 125 bytes");
    if (opcode_ == WebSocketOpcode::Close && length == 1) return fail("close payload of 1 byte");
  } else if (opcode_ == WebSocketOpcode::Continuation) {
    if (!in_message_) return fail("continuation frame outside a fragmented message");
    in_message_ = !fin;
  } else {
    if (in_message_) return fail("new data frame inside a fragmented message");
    in_message_ = !fin;
    text_message_ = opcode_ == WebSocketOpcode::Text;
    utf8_.reset();
  }
  message_ends_ = !is_control(opcode_) && fin;
  remaining_ = length;
  mask_offset_ = 0;
  in_payload_ = true;
  return true;
}

bool WebSocketReader::consume(char* data, std::size_t size, Listener& listener) {
  if (error_) return false;
  while (size > 0) {
    if (!in_payload_) {
      while (size > 0 && header_size_ < header_length()) {
        header_[header_size_++] = static_cast<unsigned char>(*data++);
        --size;
        // What the first two bytes say is checked at once, not when the mask has come.
        if (header_size_ == 2 && !check_first_bytes()) return false;
      }
      if (header_size_ < header_length()) break;  // the rest of the header comes later
      if (!start_frame()) return false;
    }
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size));
    const unsigned char* mask = header_ + header_size_ - 4;
    for (std::size_t i = 0; i < take; ++i)
      data[i] ^= static_cast<char>(mask[(mask_offset_ + i) & 3]);
    mask_offset_ = static_cast<std::uint8_t>((mask_offset_ + take) & 3);
    remaining_ -= take;
    const bool control = is_control(opcode_);
    std::string_view whole_control;  // a control frame's payload all in these bytes
    if (control) {
      if (remaining_ == 0 && !control_) {
        whole_control = std::string_view(data, take);
      } else {
        if (!control_) control_ = std::make_unique<std::string>();
        control_->append(data, take);
      }
    } else if (take > 0) {
      if (text_message_ && !utf8_.feed(std::string_view(data, take)))
        return fail("text message is not UTF-8", kWebSocketInvalidPayload);
      listener.on_data(std::string_view(data, take));
    }
    data += take;
    size -= take;
    if (remaining_ > 0) break;  // the rest of the payload comes later
    in_payload_ = false;
    header_size_ = 0;
    if (message_ends_ && text_message_ && !utf8_.complete())
      return fail("text message ends inside a UTF-8 sequence", kWebSocketInvalidPayload);
    if (control) {
      const std::string_view payload = control_ ? std::string_view(*control_) : whole_control;
      if (opcode_ == WebSocketOpcode::Close && !check_close_payload(payload)) return false;
      listener.on_control(opcode_, payload);
      control_.reset();
    }
  }
  return true;
}

}  // namespace switchboard::protocol
