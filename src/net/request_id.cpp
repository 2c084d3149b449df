// Request ids: see request_id.hpp.
#include "net/request_id.hpp"

#include <cstdint>

#include "auth/crypto.hpp"

namespace switchboard::net {

std::optional<std::string> accepted_request_id(std::string_view incoming) {
  if (incoming.empty() || incoming.size() > 128) return std::nullopt;
  for (char c : incoming) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' ||
                    c == '=';
    if (!ok) return std::nullopt;
  }
  return std::string(incoming);
}

namespace {

// A new id in the form of a version-4 UUID: 9 random bytes drawn once per thread, then a 56-bit
// counter of that thread. Unique (the counter within a thread, the random part across threads and
// restarts) without drawing random bytes per request: auth::random_uuid() per call was a fifth
// of a REST send's instructions (issue 16). An id names a request in logs; it is no secret.
std::string fresh_request_id() {
  thread_local const std::string prefix = auth::random_bytes(9);
  thread_local std::uint64_t counter = 0;
  ++counter;
  unsigned char raw[16];
  for (int i = 0; i < 9; ++i)
    raw[i] = static_cast<unsigned char>(prefix[static_cast<std::size_t>(i)]);
  for (int i = 0; i < 7; ++i) raw[15 - i] = static_cast<unsigned char>(counter >> (8 * i));
  raw[6] = static_cast<unsigned char>((raw[6] & 0x0f) | 0x40);  // version 4
  raw[8] = static_cast<unsigned char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  char text[36];  // written in place, then copied once (push_back per digit cost 3x as much)
  char* out = text;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *out++ = '-';
    *out++ = kHex[raw[i] >> 4];
    *out++ = kHex[raw[i] & 15];
  }
  return std::string(text, sizeof text);
}

}  // namespace

std::string request_id_for(std::string_view incoming) {
  if (auto accepted = accepted_request_id(incoming)) return *accepted;
  return fresh_request_id();
}

}  // namespace switchboard::net
