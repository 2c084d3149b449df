// Checks on text that comes from the wire: UTF-8 validity (RFC 3629: shortest forms only, no
// surrogates, nothing above U+10FFFF), whole or incremental so that text arriving in pieces
// (WebSocket frames, socket reads) is checked as it comes without being gathered first, and
// control characters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard::util {

class Utf8Validator {
 public:
  // Checks the next bytes; false at the first byte that cannot be UTF-8 (the validator then
  // stays failed until reset()).
  bool feed(std::string_view bytes);
  // Whether the text so far ends on a character boundary (no sequence cut short).
  bool complete() const { return need_ == 0 && !failed_; }
  void reset() { *this = Utf8Validator(); }

 private:
  std::uint8_t need_ = 0;  // continuation bytes still expected
  std::uint8_t low_ = 0x80;
  std::uint8_t high_ = 0xBF;
  bool failed_ = false;
};

// Whether `bytes` is whole, valid UTF-8.
bool is_valid_utf8(std::string_view bytes);
// The first control character (0x00-0x1F or 0x7F) in `bytes`, if any.
std::optional<unsigned char> first_control_byte(std::string_view bytes);

}  // namespace switchboard::util
