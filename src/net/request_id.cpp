// Request ids: see request_id.hpp.
#include "net/request_id.hpp"

#include <cstdint>

#include "auth/crypto.hpp"

namespace switchboard::net {

namespace {

bool acceptable(std::string_view incoming) {
  if (incoming.empty() || incoming.size() > 128) return false;
  for (char c : incoming) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' ||
                    c == '=';
    if (!ok) return false;
  }
  return true;
}

// A new id in the form of a version-4 UUID: 9 random bytes drawn once per thread, then a 56-bit
// counter of that thread. Unique (the counter within a thread, the random part across threads and
// restarts) without drawing random bytes per request: auth::random_uuid() per call was a fifth
// of a REST send's instructions (issue 16). An id names a request in logs; it is no secret.
// The text is kept per thread, its random part written once; each id rewrites only the counter's
// 14 digits. The view is valid until the thread's next id.
std::string_view fresh_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local char text[36];
  thread_local std::uint64_t counter = 0;
  if (counter == 0) {
    const std::string prefix = auth::random_bytes(9);
    unsigned char raw[9];
    for (int i = 0; i < 9; ++i)
      raw[i] = static_cast<unsigned char>(prefix[static_cast<std::size_t>(i)]);
    raw[6] = static_cast<unsigned char>((raw[6] & 0x0f) | 0x40);  // version 4
    raw[8] = static_cast<unsigned char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
    char* out = text;
    for (int i = 0; i < 9; ++i) {
      if (i == 4 || i == 6 || i == 8) *out++ = '-';
      *out++ = kHex[raw[i] >> 4];
      *out++ = kHex[raw[i] & 15];
    }
    text[23] = '-';  // (out is at text[21]: the counter's byte 9, then '-', then bytes 10-15)
  }
  ++counter;
  // Bytes 9..15 of the UUID are the counter's low 7 bytes, most significant first: byte 9 at
  // text[21..22] (after "xxxxxxxx-xxxx-xxxx-xx"), bytes 10..15 at text[24..35].
  for (int i = 0; i < 7; ++i) {
    const auto byte = static_cast<unsigned char>(counter >> (8 * (6 - i)));
    char* at = i == 0 ? text + 21 : text + 24 + 2 * (i - 1);
    at[0] = kHex[byte >> 4];
    at[1] = kHex[byte & 15];
  }
  return {text, sizeof text};
}

}  // namespace

std::optional<std::string> accepted_request_id(std::string_view incoming) {
  if (!acceptable(incoming)) return std::nullopt;
  return std::string(incoming);
}

std::string request_id_for(std::string_view incoming) {
  return std::string(request_id_view(incoming));
}

std::string_view request_id_view(std::string_view incoming) {
  if (acceptable(incoming)) return incoming;
  return fresh_request_id();
}

}  // namespace switchboard::net
