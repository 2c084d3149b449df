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

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  if (i >= text.size()) return 0;
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = at(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  if (at(i + 1) < low || at(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return length;
}

std::string replace_invalid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string clean;
  clean.reserve(text.size() * 3);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      clean += "\xEF\xBF\xBD";
      ++i;
    } else {
      clean.append(text, i, length);
      i += length;
    }
  }
  return clean;
}

std::optional<unsigned char> first_control_byte(std::string_view bytes) {
  for (unsigned char c : bytes)
    if (c < 0x20 || c == 0x7f) return c;
  return std::nullopt;
}

}  // namespace switchboard::util
