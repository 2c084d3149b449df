// Client-side WebSocket framing: see ws_frames.hpp.
#include "ws_frames.hpp"

namespace lc {

std::string upgrade_request(std::string_view host, std::string_view target) {
  std::string request = "GET ";
  request.append(target);
  request.append(" HTTP/1.1\r\nHost: ");
  request.append(host);
  request.append(
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
      "bG9hZGNsaWVudC1rZXktMQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  return request;
}

std::string client_frame(Opcode opcode, std::string_view payload) {
  static constexpr unsigned char kMask[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::string frame;
  frame.reserve(payload.size() + 14);
  frame.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
  if (payload.size() <= 125) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      frame.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
  }
  frame.append(reinterpret_cast<const char*>(kMask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame.push_back(static_cast<char>(payload[i] ^ static_cast<char>(kMask[i & 3])));
  return frame;
}

void FrameReader::feed(std::string_view bytes) {
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 0) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(bytes);
}

bool FrameReader::next(ServerFrame& frame) {
  for (;;) {
    const std::size_t available = buffer_.size() - offset_;
    if (failed_ || available < 2) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + offset_);
    const bool fin = (p[0] & 0x80) != 0;
    const auto opcode = static_cast<Opcode>(p[0] & 0x0F);
    if ((p[1] & 0x80) != 0) {  // servers never mask
      failed_ = true;
      return false;
    }
    std::uint64_t length = p[1] & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
      if (available < 4) return false;
      length = (std::uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (available < 10) return false;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    if (available - header < length) return false;
    std::string_view payload(buffer_.data() + offset_ + header, static_cast<std::size_t>(length));
    offset_ += header + static_cast<std::size_t>(length);
    if ((static_cast<std::uint8_t>(opcode) & 0x8) != 0 ||
        (fin && opcode != Opcode::continuation && message_.empty())) {
      frame = {opcode, payload};
      return true;
    }
    // Fragmented data message: gather until the final fragment.
    if (opcode != Opcode::continuation) message_opcode_ = opcode;
    message_.append(payload);
    if (fin) {
      assembled_.swap(message_);
      message_.clear();
      frame = {message_opcode_, assembled_};
      return true;
    }
  }
}

}  // namespace lc
