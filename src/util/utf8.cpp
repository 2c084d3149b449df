// UTF-8 validation and control characters: see utf8.hpp. The incremental validator's ranges
// follow RFC 3629's table of well-formed sequences (the first byte fixes the length and the range
// of the second byte); whole buffers go through simdjson's validator, which checks the same rules.
#include "util/utf8.hpp"

#include <simdjson.h>

namespace switchboard::util {

bool Utf8Validator::feed(std::string_view bytes) {
  if (failed_) return false;
  for (char c : bytes) {
    const auto b = static_cast<std::uint8_t>(c);
    if (need_ > 0) {
      if (b < low_ || b > high_) {
        failed_ = true;
        return false;
      }
      low_ = 0x80;
      high_ = 0xBF;
      --need_;
      continue;
    }
    if (b < 0x80) continue;
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b == 0xE0) {
      need_ = 2;
      low_ = 0xA0;  // no overlong three-byte forms
    } else if (b == 0xED) {
      need_ = 2;
      high_ = 0x9F;  // no surrogates
    } else if (b >= 0xE1 && b <= 0xEF) {
      need_ = 2;
    } else if (b == 0xF0) {
      need_ = 3;
      low_ = 0x90;  // no overlong four-byte forms
    } else if (b >= 0xF1 && b <= 0xF3) {
      need_ = 3;
    } else if (b == 0xF4) {
      need_ = 3;
      high_ = 0x8F;  // nothing above U+10FFFF
    } else {
      failed_ = true;  // a continuation byte first, C0/C1 (overlong), F5..FF
      return false;
    }
  }
  return true;
}

bool is_valid_utf8(std::string_view bytes) {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

std::optional<unsigned char> first_control_byte(std::string_view bytes) {
  for (unsigned char c : bytes)
    if (c < 0x20 || c == 0x7f) return c;
  return std::nullopt;
}

}  // namespace switchboard::util
